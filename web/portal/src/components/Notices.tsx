"use client";

/**
 * The notices a long action leaves behind (src/lib/notices.ts, a Zustand store), at the bottom of the screen.
 * Rendered by the pages whose client components push notices (inside their `<Words>`), not by the root layout,
 * so the other pages' first load carries neither the store nor this list.
 */

import { useT } from "@/lib/messages-client";
import { useNotices } from "@/lib/notices";

export function Notices() {
  const t = useT();
  const { notices, dismiss } = useNotices();
  return (
    <div className="notices" aria-live="polite">
      {notices.map((notice) => (
        <p key={notice.id} className={`notice notice-${notice.tone}`} role={notice.tone === "error" ? "alert" : "status"}>
          {notice.text}
          <button type="button" className="link" onClick={() => dismiss(notice.id)} aria-label={t("app.dismiss")}>
            ×
          </button>
        </p>
      ))}
    </div>
  );
}
