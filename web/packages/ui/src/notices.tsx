"use client";

/**
 * Notices a long action leaves behind ("Invitation sent", "The store is being deleted…"): client state in a Zustand
 * store, shown by `<NoticeList>` at the bottom of the screen. Success and info leave by themselves after a few
 * seconds (paused while the pointer is over the list or focus is in it); errors stay until closed.
 */

import { create } from "zustand";

export type NoticeTone = "info" | "success" | "error";

export interface Notice {
  id: number;
  tone: NoticeTone;
  text: string;
}

interface NoticeState {
  notices: Notice[];
  push: (tone: NoticeTone, text: string) => number;
  dismiss: (id: number) => void;
}

/** At most this many at once: a new one pushes the oldest out. */
export const MAX_NOTICES = 5;
let last = 0;

export const useNotices = create<NoticeState>((set) => ({
  notices: [],
  push: (tone, text) => {
    const id = ++last;
    set((state) => ({ notices: [...state.notices.slice(-(MAX_NOTICES - 1)), { id, tone, text }] }));
    return id;
  },
  dismiss: (id) => set((state) => ({ notices: state.notices.filter((notice) => notice.id !== id) })),
}));

/**
 * The notices, newest last. `dismissLabel` names the close button ("Dismiss") in the page's language.
 *
 * Success and info leave when their CSS animation ends (ui.css: `--ui-notice-life`, 6 s, nothing visible);
 * CSS pauses it while the pointer is over the list or focus is in it, so the time left survives a pause without a
 * timer in JavaScript (the pages' first load stays as it was). Errors have no such animation: they stay until closed.
 */
export function NoticeList({ dismissLabel }: { dismissLabel: string }) {
  const { notices, dismiss } = useNotices();
  return (
    <div className="notices" aria-live="polite">
      {notices.map((notice) => (
        <p
          key={notice.id}
          className={`notice notice-${notice.tone}`}
          role={notice.tone === "error" ? "alert" : "status"}
          onAnimationEnd={notice.tone === "error" ? undefined : () => dismiss(notice.id)}
        >
          {notice.text}
          <button type="button" className="link" onClick={() => dismiss(notice.id)} aria-label={dismissLabel}>
            ×
          </button>
        </p>
      ))}
    </div>
  );
}
