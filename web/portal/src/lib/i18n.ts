/**
 * The portal's words in English and German: a typed dictionary rather than next-intl (see the
 * README). German must have every key English has, which the compiler checks.
 *
 * Each area of the portal keeps its words in its own file under src/messages/.
 */

import * as base from "@/messages/base";
import * as signup from "@/messages/signup";
import * as security from "@/messages/security";
import * as billing from "@/messages/billing";
import * as stores from "@/messages/stores";
import * as staff from "@/messages/staff";
import * as publicPages from "@/messages/public";
import * as app from "@/messages/app";

import { fill } from "./fill";
import { DEFAULT_LOCALE, LOCALES, type Locale } from "./locales";

export { DEFAULT_LOCALE, LOCALE_COOKIE, LOCALES, type Locale } from "./locales";

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

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;

const de: Messages = {
  ...base.de,
  ...signup.de,
  ...security.de,
  ...billing.de,
  ...stores.de,
  ...staff.de,
  ...publicPages.de,
  ...app.de,
};

export const MESSAGES: Record<Locale, Messages> = { en, de };

/** The areas' dictionaries by name: a page gives its client components only the areas they use. */
const AREAS = { base, signup, security, billing, stores, staff, public: publicPages, app } as const;
export type Area = keyof typeof AREAS;

/**
 * The words of `areas` in `locale`, for a page's client components (`<Words areas={…}>`, `useT()` in
 * src/lib/messages-client.tsx): only these travel to the browser, not the whole dictionary.
 */
export function messagesFor(locale: Locale, areas: readonly Area[]): Partial<Messages> {
  return Object.assign({}, ...areas.map((area) => AREAS[area][locale])) as Partial<Messages>;
}

export function isLocale(value: string | undefined | null): value is Locale {
  return (LOCALES as readonly string[]).includes(value ?? "");
}

/** The locale from the cookie, else the first supported one in Accept-Language, else English. */
export function pickLocale(cookie: string | undefined, acceptLanguage: string | null): Locale {
  if (isLocale(cookie)) return cookie;
  for (const part of (acceptLanguage ?? "").split(",")) {
    const tag = part.split(";")[0]?.trim().toLowerCase().split("-")[0];
    if (isLocale(tag)) return tag;
  }
  return DEFAULT_LOCALE;
}

export type Translate = (key: MessageKey, values?: Record<string, string>) => string;

export function translator(locale: Locale): Translate {
  const messages = MESSAGES[locale];
  return (key, values) => fill(messages[key], values);
}
