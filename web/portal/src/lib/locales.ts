/** The portal's languages and the cookie that keeps the choice: no words here, so client code may import it. */

export const LOCALES = ["en", "de"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";
export const LOCALE_COOKIE = "tenantry_locale";
