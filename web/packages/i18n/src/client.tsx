"use client";

/**
 * @tenantry/i18n on the client: the words a page gives its client components (`<MessagesProvider>`, rendered by a
 * server component with `pickAreas(…)`) and `useT()` to say them. No dictionary here: only the words the provider
 * was given reach the browser. The language picker is `@tenantry/i18n/locale-select` (on every page, so kept apart).
 */

import { createContext, type ReactNode, useContext, useMemo } from "react";

import { type MessageKey, type Messages, type Translate, translator } from "./index";

/** The words given and the app's name (a pair rather than an object: fewer bytes on every page that says words). */
type Given = readonly [messages: Partial<Messages>, app: string | undefined];

const MessagesContext = createContext<Given | null>(null);

/** `app` names the app in the missing-key complaint (`<app>: missing message <key>`). */
export function MessagesProvider({
  messages,
  app,
  children,
}: {
  messages: Partial<Messages>;
  app?: string;
  children: ReactNode;
}) {
  // Rendered by a server component: its props change only with a new page, so no memo for the value.
  return <MessagesContext.Provider value={[messages, app]}>{children}</MessagesContext.Provider>;
}

/** Whether the page was given `key` (for words chosen from what an API answers, e.g. a plan's features). */
export function useHasMessage(): (key: string) => key is MessageKey {
  const given = useContext(MessagesContext);
  return (key: string): key is MessageKey => Boolean(given && key in given[0]);
}

/** `t(key, values)` over the words the page gave; a key it did not give is loud (see `missingMessage`). */
export function useT(): Translate {
  const given = useContext(MessagesContext);
  return useMemo(() => translator<MessageKey>(given?.[0], given?.[1]), [given]);
}
