"use client";

/** The language picker, on every page of an app (its own entry: a page's first load carries nothing else of i18n). */

import { useRouter } from "next/navigation";

import type { Locale } from "./index";

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
