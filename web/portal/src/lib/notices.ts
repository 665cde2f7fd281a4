/**
 * Client state shared across the page (Zustand): the notices a long action leaves behind ("Invitation sent",
 * "The store is being deleted…"). Server state lives in TanStack Query, not here.
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

let last = 0;

export const useNotices = create<NoticeState>((set) => ({
  notices: [],
  push: (tone, text) => {
    const id = ++last;
    set((state) => ({ notices: [...state.notices.slice(-4), { id, tone, text }] }));
    return id;
  },
  dismiss: (id) => set((state) => ({ notices: state.notices.filter((notice) => notice.id !== id) })),
}));
