/**
 * The portal's words in English and German, wired into @tenantry/i18n (web/packages/i18n: negotiation, the
 * translator, words per page on the client). A typed dictionary rather than next-intl (see the README). German must
 * have every key English has, which the compiler checks (`Translation<typeof en>`).
 *
 * Each area of the portal keeps its words in its own file under src/messages/. Only server modules import this file
 * for its values (tests/messages.test.tsx checks it); client code takes types from it and words from `useT()`.
 */

import { pickAreas, type Translation, translator as translatorOver } from "@tenantry/i18n";

import * as app from "@/messages/app";
import * as base from "@/messages/base";
import * as billing from "@/messages/billing";
import * as publicPages from "@/messages/public";
import * as security from "@/messages/security";
import * as signup from "@/messages/signup";
import * as staff from "@/messages/staff";
import * as stores from "@/messages/stores";

import type { Locale, Locale as PortalLocale } from "./locales";

export { DEFAULT_LOCALE, LOCALE_COOKIE, LOCALES, type Locale } from "./locales";
export type { MessageKey, Messages, Translate } from "@tenantry/i18n";

const en = {
  ...base.en,
  ...signup.en,
  ...security.en,
  ...billing.en,
  ...stores.en,
  ...staff.en,
  ...publicPages.en,
  ...app.en,
} as const;

// The portal's languages and keys type every function and hook of @tenantry/i18n (`useT()`, `Translate`, …).
declare module "@tenantry/i18n" {
  interface Register {
    locale: PortalLocale; // (inside this block, `Locale` would name the package's own)
    messages: typeof en;
  }
}

const de: Translation<typeof en> = {
  ...base.de,
  ...signup.de,
  ...security.de,
  ...billing.de,
  ...stores.de,
  ...staff.de,
  ...publicPages.de,
  ...app.de,
};

export const MESSAGES: Record<Locale, Translation<typeof en>> = { en, de };

/** The areas' dictionaries by name: a page gives its client components only the areas they use. */
const AREAS = { base, signup, security, billing, stores, staff, public: publicPages, app } as const;
export type Area = keyof typeof AREAS;

/**
 * The words of `areas` in `locale`, for a page's client components (`<Words areas={…}>`, `useT()` of
 * @tenantry/i18n/client): only these travel to the browser, not the whole dictionary.
 */
export function messagesFor(locale: Locale, areas: readonly Area[]) {
  return pickAreas(AREAS, locale, areas);
}

/** `t(key, values)` in `locale`, over the whole dictionary (server components: `requestContext()`'s `t`). */
export function translator(locale: Locale) {
  return translatorOver(MESSAGES[locale], "portal");
}
