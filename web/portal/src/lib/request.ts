import { negotiateLocale } from "@tenantry/i18n";
import { parseTheme, THEME_COOKIE, type Theme } from "@tenantry/theming";
import { cookies, headers } from "next/headers";
import { cache } from "react";

import { clientHeaders } from "./client";
import { DEFAULT_LOCALE, LOCALE_COOKIE, LOCALES, type Locale, type Translate, translator } from "./i18n";

/**
 * The locale, the translator and the theme of the request being rendered. Worked out once per request (React's
 * `cache`): the layout, the page, its metadata and <Words> all ask for it.
 */
export const requestContext = cache(async function requestContext(): Promise<{
  locale: Locale;
  t: Translate;
  theme: Theme;
  nonce: string;
}> {
  const [jar, list] = await Promise.all([cookies(), headers()]);
  const locale = negotiateLocale({
    locales: LOCALES,
    fallback: DEFAULT_LOCALE,
    cookie: jar.get(LOCALE_COOKIE)?.value,
    acceptLanguage: list.get("accept-language"),
  });
  return {
    locale,
    t: translator(locale),
    theme: parseTheme(jar.get(THEME_COOKIE)?.value),
    nonce: list.get("x-nonce") ?? "",
  };
});

/** The headers to call the control plane with on behalf of the browser being served (see lib/client.ts). */
export async function browserHeaders(): Promise<Record<string, string>> {
  return clientHeaders(await headers());
}
