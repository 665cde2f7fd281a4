/**
 * @tenantry/i18n on the server: the request's language from its cookie and Accept-Language (Next's request
 * APIs). "server-only" makes a client component that imports this fail the build.
 */

import "server-only";

import { cookies, headers } from "next/headers";

import { negotiateLocale } from "./index";

export async function requestLocale<L extends string>(options: { locales: readonly L[]; fallback: L; cookie: string }): Promise<L> {
  const [jar, list] = await Promise.all([cookies(), headers()]);
  return negotiateLocale({
    locales: options.locales,
    fallback: options.fallback,
    cookie: jar.get(options.cookie)?.value,
    acceptLanguage: list.get("accept-language"),
  });
}
