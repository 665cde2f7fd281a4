"use client";

/**
 * The words of a page's client components: the server gives the page only the areas it needs, in the request's
 * locale (`<Words areas={…}>`, src/components/Words.tsx), and client components read them with `useT()`. The
 * dictionary itself (src/lib/i18n.ts, every area in both languages) stays on the server: only types come from it.
 *
 * A key the page was not given is a bug of the page: in development and tests `t` throws; in production it says
 * so on the console (the browser tests fail on it) and shows the key rather than break the page.
 */

import { createContext, type ReactNode, useContext, useMemo } from "react";

import { fill } from "./fill";
import type { MessageKey, Messages, Translate } from "./i18n";

const MessagesContext = createContext<Partial<Messages> | null>(null);

export function MessagesProvider({ messages, children }: { messages: Partial<Messages>; children: ReactNode }) {
  return <MessagesContext.Provider value={messages}>{children}</MessagesContext.Provider>;
}

/** Whether the page was given `key` (for words chosen from what the API answers, e.g. a plan's features). */
export function useHasMessage(): (key: string) => key is MessageKey {
  const messages = useContext(MessagesContext);
  return (key: string): key is MessageKey => Boolean(messages && key in messages);
}

export function useT(): Translate {
  const messages = useContext(MessagesContext);
  return useMemo(() => translate(messages), [messages]);
}

function translate(messages: Partial<Messages> | null): Translate {
  return (key, values) => {
    const message = messages?.[key];
    if (message !== undefined) return fill(message, values);
    // Its area is not among the page's <Words areas>.
    const complaint = `portal: missing message ${key}`;
    if (process.env.NODE_ENV !== "production") throw new Error(complaint);
    console.error(complaint);
    return key;
  };
}
