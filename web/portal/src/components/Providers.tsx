"use client";

/**
 * What every page has on the client: the notices (a Zustand store, src/lib/notices.ts) and the service worker's
 * registration. TanStack Query is not here: only the pages that use it wrap their client components in
 * `<Queries>` (src/components/Queries.tsx), so the other pages' first load does not carry it.
 */

import type { ReactNode } from "react";

import { ServiceWorker } from "@/components/ServiceWorker";
import { useNotices } from "@/lib/notices";

export function Providers({ children, dismissLabel }: { children: ReactNode; dismissLabel: string }) {
  return (
    <>
      {children}
      <Notices dismissLabel={dismissLabel} />
      <ServiceWorker />
    </>
  );
}

function Notices({ dismissLabel }: { dismissLabel: string }) {
  const { notices, dismiss } = useNotices();
  return (
    <div className="notices" aria-live="polite">
      {notices.map((notice) => (
        <p key={notice.id} className={`notice notice-${notice.tone}`} role={notice.tone === "error" ? "alert" : "status"}>
          {notice.text}
          <button type="button" className="link" onClick={() => dismiss(notice.id)} aria-label={dismissLabel}>
            ×
          </button>
        </p>
      ))}
    </div>
  );
}
