/**
 * @tenantry/i18n's core: no React, no server APIs, no words. Safe in server and client code alike.
 *
 * An app registers its languages and its English dictionary once (module augmentation), and every function and
 * hook of the package is then typed with its keys:
 *
 *     declare module "@tenantry/i18n" {
 *       interface Register { locale: "en" | "de"; messages: typeof en }
 *     }
 */

/** What an app tells the package about itself: `locale` (its languages), `messages` (its English dictionary). */
export interface Register {}

export type Locale = Register extends { locale: infer L extends string } ? L : string;
export type MessageKey = Register extends { messages: infer M } ? keyof M & string : string;
export type Messages = Record<MessageKey, string>;
export type Values = Record<string, string>;
export type Translate<Key extends string = MessageKey> = (key: Key, values?: Values) => string;

/** A translation of the English dictionary `En`: every key English has, each a string (the compiler checks it). */
export type Translation<En> = { readonly [Key in keyof En]: string };

/** A message's `{name}` placeholders filled from `values` (a name without a value stays as it is). */
export function fill(message: string, values?: Values): string {
  return values ? message.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole) : message;
}

/**
 * A key the dictionary at hand lacks is a bug of the app: in development and tests it throws; in production it
 * says so on the console (`<app>: missing message <key>`, which browser tests can fail on) and shows the key
 * rather than break the page.
 */
export function missingMessage(app: string, key: string): string {
  const complaint = `${app}: missing message ${key}`;
  if (process.env.NODE_ENV !== "production") throw new Error(complaint);
  console.error(complaint);
  return key;
}

/** A `t(key, values)` over `messages` (a whole dictionary or the part a page was given). */
export function translator<Key extends string = MessageKey>(
  messages: Partial<Record<Key, string>> | null | undefined,
  app = "i18n",
): Translate<Key> {
  return (key, values) => {
    const message = messages?.[key];
    return message === undefined ? missingMessage(app, key) : fill(message, values);
  };
}

export function isLocale<L extends string>(locales: readonly L[], value: string | undefined | null): value is L {
  return (locales as readonly string[]).includes(value ?? "");
}

/**
 * The request's language: the cookie's if it names one of `locales`, else the first of `locales` that
 * Accept-Language names (by its primary subtag, in the header's order), else `fallback`.
 */
export function negotiateLocale<L extends string>(options: {
  locales: readonly L[];
  fallback: L;
  cookie?: string | undefined | null;
  acceptLanguage?: string | undefined | null;
}): L {
  const { locales, fallback, cookie, acceptLanguage } = options;
  if (isLocale(locales, cookie)) return cookie;
  for (const part of (acceptLanguage ?? "").split(",")) {
    const tag = part.split(";")[0]?.trim().toLowerCase().split("-")[0];
    if (isLocale(locales, tag)) return tag;
  }
  return fallback;
}

/**
 * The words of the named `areas` in `locale`, from an app's dictionaries by area (`{ area: { en: {…}, de: {…} } }`):
 * what a page hands its client components (`<MessagesProvider>`), so that only those words travel to the browser.
 */
export function pickAreas<Area extends string, L extends string, Key extends string>(
  dictionaries: Readonly<Record<Area, Readonly<Record<L, Partial<Record<Key, string>>>>>>,
  locale: L,
  areas: readonly Area[],
): Partial<Record<Key, string>> {
  return Object.assign({}, ...areas.map((area) => dictionaries[area][locale])) as Partial<Record<Key, string>>;
}
