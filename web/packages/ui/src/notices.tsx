"use client";

/**
 * Notices a long action leaves behind ("Invitation sent", "The store is being deleted…"): client state in a Zustand
 * store, shown by `<NoticeList>` at the bottom of the screen. Success and info leave by themselves after `timeout`
 * (paused while the pointer is over the list or focus is in it); errors stay until closed.
 */

import { useEffect, useRef, useState } from "react";
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
/** How long success and info notices stay (ms). */
export const NOTICE_TIMEOUT = 6000;

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
 * The notices, newest last. `dismissLabel` names the close button ("Dismiss") in the page's language. On narrow
 * screens the list is a bar across the bottom, and the page gets room below its content for it
 * (`--ui-notices-height` on <html>, read by ui.css), so the bar never covers the end of the page.
 */
export function NoticeList({ dismissLabel, timeout = NOTICE_TIMEOUT }: { dismissLabel: string; timeout?: number }) {
  const { notices, dismiss } = useNotices();
  const [paused, setPaused] = useState(false);
  const list = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = list.current;
    if (!element || typeof ResizeObserver === "undefined") return;
    const root = document.documentElement.style;
    const observer = new ResizeObserver(() => root.setProperty("--ui-notices-height", `${element.offsetHeight}px`));
    observer.observe(element);
    return () => {
      observer.disconnect();
      root.removeProperty("--ui-notices-height");
    };
  }, []);

  return (
    <div
      ref={list}
      className="notices"
      aria-live="polite"
      onMouseEnter={() => setPaused(true)}
      onMouseLeave={() => setPaused(false)}
      onFocus={() => setPaused(true)}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setPaused(false);
      }}
    >
      {notices.map((notice) => (
        <NoticeItem key={notice.id} notice={notice} paused={paused} timeout={timeout} dismissLabel={dismissLabel} onDismiss={dismiss} />
      ))}
    </div>
  );
}

function NoticeItem(props: {
  notice: Notice;
  paused: boolean;
  timeout: number;
  dismissLabel: string;
  onDismiss: (id: number) => void;
}) {
  const { notice, paused, timeout, onDismiss } = props;
  // The time left survives a pause: hovering for a while then leaving does not start the count again.
  const left = useRef(timeout);
  useEffect(() => {
    if (notice.tone === "error" || paused) return;
    const started = Date.now();
    const timer = setTimeout(() => onDismiss(notice.id), left.current);
    return () => {
      clearTimeout(timer);
      left.current = Math.max(0, left.current - (Date.now() - started));
    };
  }, [notice, paused, onDismiss]);
  return (
    <p className={`notice notice-${notice.tone}`} role={notice.tone === "error" ? "alert" : "status"}>
      <span className="notice-text">{notice.text}</span>
      <button type="button" className="link" onClick={() => onDismiss(notice.id)} aria-label={props.dismissLabel}>
        ×
      </button>
    </p>
  );
}
