import "@tenantry/theming/tokens.css";
import "@tenantry/ui/ui.css";
import "./globals.css";

import { LocaleSelect } from "@tenantry/i18n/locale-select";
import { themeClass } from "@tenantry/theming";
import { ThemeSelect } from "@tenantry/theming/client";
import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";

import { Providers } from "@/components/Providers";
import { LOCALE_COOKIE, LOCALES, type Locale } from "@/lib/locales";
import { requestContext } from "@/lib/request";
import { REFRESH_COOKIE } from "@/lib/session";
import { cookies } from "next/headers";

export const metadata: Metadata = {
  title: { default: "Tenantry", template: "%s · Tenantry" },
  description: "Tenantry's self-service portal: your online stores, their plans and their people.",
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  colorScheme: "light dark",
};

/** Each language's name in itself, for the language picker. */
const LANGUAGE_NAMES: Record<Locale, string> = { en: "English", de: "Deutsch" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const [{ locale, t, theme }, jar] = await Promise.all([requestContext(), cookies()]);
  // A session cookie decides the links: its owner's pages, or "Sign in" (pages still check the session itself).
  const signedIn = Boolean(jar.get(REFRESH_COOKIE)?.value);
  return (
    // The server renders the chosen scheme's class: no flash; "system" follows prefers-color-scheme in CSS.
    <html lang={locale} className={themeClass(theme)}>
      <body>
        <a className="skip" href="#main">
          {t("app.skip")}
        </a>
        <header className="top">
          <a className="brand" href="/">
            {t("app.name")}
          </a>
          <nav aria-label={t("nav.label")}>
            <a href="/directory">{t("nav.directory")}</a>
            {signedIn ? (
              <>
                <a href="/stores">{t("nav.stores")}</a>
                <a href="/account/security">{t("security.nav")}</a>
              </>
            ) : (
              <a href="/sign-in">{t("nav.signIn")}</a>
            )}
          </nav>
          <div className="controls">
            <ThemeSelect
              theme={theme}
              label={t("theme.label")}
              names={{ system: t("theme.system"), light: t("theme.light"), dark: t("theme.dark") }}
            />
            <LocaleSelect
              locale={locale}
              locales={LOCALES}
              names={LANGUAGE_NAMES}
              label={t("locale.label")}
              cookie={LOCALE_COOKIE}
            />
          </div>
        </header>
        <main id="main">
          <Providers>{children}</Providers>
        </main>
      </body>
    </html>
  );
}
