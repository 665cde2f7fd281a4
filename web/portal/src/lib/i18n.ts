/**
 * The portal's words in English and German: a typed dictionary rather than next-intl (see the
 * README). German must have every key English has, which the compiler checks.
 */

export const LOCALES = ["en", "de"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";
export const LOCALE_COOKIE = "tenantry_locale";

const en = {
  "app.name": "Tenantry",
  "app.skip": "Skip to content",
  "nav.signIn": "Sign in",
  "nav.signOut": "Sign out",
  "nav.stores": "My stores",
  "nav.label": "Main",
  "theme.label": "Colour scheme",
  "theme.system": "System",
  "theme.light": "Light",
  "theme.dark": "Dark",
  "locale.label": "Language",
  "home.title": "Your store, running in minutes",
  "home.lead": "Tenantry runs online stores for you: sign in to see yours.",
  "signIn.title": "Sign in",
  "signIn.email": "Email address",
  "signIn.password": "Password",
  "signIn.submit": "Sign in",
  "signIn.submitting": "Signing in…",
  "signIn.codeTitle": "Two-step verification",
  "signIn.codeHelp": "Enter the 6-digit code your authenticator app shows, or one of your backup codes.",
  "signIn.code": "Code",
  "signIn.verify": "Verify",
  "signIn.startOver": "Use another account",
  "signIn.enrolmentRequired":
    "Your account must use two-step verification, which the portal cannot set up yet: set it up through the API, then sign in again.",
  "signIn.forgot": "Forgot your password?",
  "field.required": "Please fill in this field.",
  "field.email": "Please enter an email address such as name@example.com.",
  "field.passwordLength": "Use at least 8 characters.",
  "field.passwordsDiffer": "The two passwords differ.",
  "error.network": "The portal cannot reach Tenantry right now. Check your connection and try again in a minute.",
  "error.generic": "Something went wrong. Try again; if it keeps happening, quote this to support:",
  "verify.title": "Confirm your email address",
  "verify.ok": "Thank you: your email address {email} is confirmed.",
  "verify.missing": "This link is incomplete: open the link from the email again, or copy all of it.",
  "verify.failed": "This link cannot confirm your address:",
  "verify.continue": "Continue to sign in",
  "reset.title": "Choose a new password",
  "reset.password": "New password",
  "reset.confirm": "New password again",
  "reset.submit": "Set the new password",
  "reset.done": "Your password is changed: sign in with the new one.",
  "reset.missing": "This link is incomplete: open the link from the email again, or ask for a new one.",
  "stores.title": "My stores",
  "stores.empty": "You are not a member of any store yet.",
  "stores.name": "Store",
  "stores.state": "State",
  "stores.plan": "Plan",
  "stores.url": "Address",
  "stores.noUrl": "Not yet: the store is being set up.",
  "stores.next": "Next page",
  "stores.previous": "Previous page",
  "stores.pages": "Pages",
  "stores.signedInAs": "Signed in as {email}",
} as const;

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;

const de: Messages = {
  "app.name": "Tenantry",
  "app.skip": "Zum Inhalt springen",
  "nav.signIn": "Anmelden",
  "nav.signOut": "Abmelden",
  "nav.stores": "Meine Shops",
  "nav.label": "Hauptmenü",
  "theme.label": "Farbschema",
  "theme.system": "System",
  "theme.light": "Hell",
  "theme.dark": "Dunkel",
  "locale.label": "Sprache",
  "home.title": "Ihr Shop, in Minuten online",
  "home.lead": "Tenantry betreibt Online-Shops für Sie: Melden Sie sich an, um Ihre zu sehen.",
  "signIn.title": "Anmelden",
  "signIn.email": "E-Mail-Adresse",
  "signIn.password": "Passwort",
  "signIn.submit": "Anmelden",
  "signIn.submitting": "Anmeldung läuft…",
  "signIn.codeTitle": "Bestätigung in zwei Schritten",
  "signIn.codeHelp":
    "Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App oder einen Ihrer Backup-Codes ein.",
  "signIn.code": "Code",
  "signIn.verify": "Bestätigen",
  "signIn.startOver": "Anderes Konto verwenden",
  "signIn.enrolmentRequired":
    "Ihr Konto braucht die Bestätigung in zwei Schritten, die das Portal noch nicht einrichten kann: Richten Sie sie über die API ein und melden Sie sich erneut an.",
  "signIn.forgot": "Passwort vergessen?",
  "field.required": "Bitte füllen Sie dieses Feld aus.",
  "field.email": "Bitte geben Sie eine E-Mail-Adresse wie name@example.com ein.",
  "field.passwordLength": "Verwenden Sie mindestens 8 Zeichen.",
  "field.passwordsDiffer": "Die beiden Passwörter unterscheiden sich.",
  "error.network":
    "Das Portal erreicht Tenantry gerade nicht. Prüfen Sie Ihre Verbindung und versuchen Sie es in einer Minute erneut.",
  "error.generic":
    "Etwas ist schiefgegangen. Versuchen Sie es erneut; wenn es wieder passiert, nennen Sie dem Support dies:",
  "verify.title": "E-Mail-Adresse bestätigen",
  "verify.ok": "Danke: Ihre E-Mail-Adresse {email} ist bestätigt.",
  "verify.missing":
    "Dieser Link ist unvollständig: Öffnen Sie den Link aus der E-Mail erneut oder kopieren Sie ihn ganz.",
  "verify.failed": "Dieser Link kann Ihre Adresse nicht bestätigen:",
  "verify.continue": "Weiter zur Anmeldung",
  "reset.title": "Neues Passwort wählen",
  "reset.password": "Neues Passwort",
  "reset.confirm": "Neues Passwort wiederholen",
  "reset.submit": "Neues Passwort speichern",
  "reset.done": "Ihr Passwort ist geändert: Melden Sie sich mit dem neuen an.",
  "reset.missing": "Dieser Link ist unvollständig: Öffnen Sie den Link aus der E-Mail erneut oder fordern Sie einen neuen an.",
  "stores.title": "Meine Shops",
  "stores.empty": "Sie sind noch in keinem Shop Mitglied.",
  "stores.name": "Shop",
  "stores.state": "Status",
  "stores.plan": "Tarif",
  "stores.url": "Adresse",
  "stores.noUrl": "Noch keine: Der Shop wird eingerichtet.",
  "stores.next": "Nächste Seite",
  "stores.previous": "Vorherige Seite",
  "stores.pages": "Seiten",
  "stores.signedInAs": "Angemeldet als {email}",
};

export const MESSAGES: Record<Locale, Messages> = { en, de };

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
  return (key, values) => messages[key].replace(/\{(\w+)\}/g, (whole, name: string) => values?.[name] ?? whole);
}
