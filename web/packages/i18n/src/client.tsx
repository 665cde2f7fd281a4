"use client";

/**
 * @tenantry/i18n on the client: the words a page gives its client components (`<MessagesProvider>`, rendered by a
 * server component with `pickAreas(…)`), `useT()` to say them, and the language picker. No dictionary here: only
 * the words the provider was given reach the browser.
 */

import { useRouter } from "next/navigation";
import { createContext, type ReactNode, useContext, useMemo } from "react";

import { type Locale, type MessageKey, type Messages, type Translate, translator } from "./index";

interface Given {
  messages: Partial<Messages>;
  app: string;
}

const MessagesContext = createContext<Given | null>(null);

/** `app` names the app in the missing-key complaint (`<app>: missing message <key>`). */
export function MessagesProvider({
  messages,
  app = "i18n",
  children,
}: {
  messages: Partial<Messages>;
  app?: string;
  children: ReactNode;
}) {
  const value = useMemo(() => ({ messages, app }), [messages, app]);
  return <MessagesContext.Provider value={value}>{children}</MessagesContext.Provider>;
}

/** Whether the page was given `key` (for words chosen from what an API answers, e.g. a plan's features). */
export function useHasMessage(): (key: string) => key is MessageKey {
  const given = useContext(MessagesContext);
  return (key: string): key is MessageKey => Boolean(given && key in given.messages);
}

/** `t(key, values)` over the words the page gave; a key it did not give is loud (see `missingMessage`). */
export function useT(): Translate {
  const given = useContext(MessagesContext);
  return useMemo(() => translator<MessageKey>(given?.messages, given?.app), [given]);
}

const YEAR = 60 * 60 * 24 * 365;

/** The language picker: the choice goes into `cookie` (a preference, readable by scripts on purpose), then the
 * server renders the page again in it. `names` are each language's name in itself ("Deutsch"). */
export function LocaleSelect<L extends string = Locale>(props: {
  locale: L;
  locales: readonly L[];
  names: Readonly<Record<L, string>>;
  label: string;
  cookie: string;
}) {
  const router = useRouter();
  return (
    <label>
      <span className="muted">{props.label} </span>
      <select
        value={props.locale}
        onChange={(event) => {
          document.cookie = `${props.cookie}=${event.target.value}; Path=/; Max-Age=${YEAR}; SameSite=Lax`;
          router.refresh();
        }}
      >
        {props.locales.map((locale) => (
          <option key={locale} value={locale} lang={locale}>
            {props.names[locale]}
          </option>
        ))}
      </select>
    </label>
  );
}
