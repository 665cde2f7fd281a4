"use client";

/** The colour scheme and language pickers: each choice goes into a cookie the server renders from. */

import { useRouter } from "next/navigation";
import { useState } from "react";

import { LOCALE_COOKIE, LOCALES, type Locale } from "@/lib/locales";
import { type Theme, THEME_COOKIE, THEMES } from "@/lib/theme";

const YEAR = 60 * 60 * 24 * 365;

function remember(name: string, value: string): void {
  // A preference, not a secret: readable by scripts on purpose.
  document.cookie = `${name}=${value}; Path=/; Max-Age=${YEAR}; SameSite=Lax`;
}

export function ThemeSelect(props: { theme: Theme; label: string; names: Record<Theme, string> }) {
  const [theme, setTheme] = useState(props.theme);
  return (
    <label>
      <span className="muted">{props.label} </span>
      <select
        value={theme}
        onChange={(event) => {
          const next = event.target.value as Theme;
          setTheme(next);
          remember(THEME_COOKIE, next);
          document.documentElement.classList.remove(...THEMES);
          if (next !== "system") document.documentElement.classList.add(next);
        }}
      >
        {THEMES.map((name) => (
          <option key={name} value={name}>
            {props.names[name]}
          </option>
        ))}
      </select>
    </label>
  );
}

const LANGUAGE_NAMES: Record<Locale, string> = { en: "English", de: "Deutsch" };

export function LocaleSelect(props: { locale: Locale; label: string }) {
  const router = useRouter();
  return (
    <label>
      <span className="muted">{props.label} </span>
      <select
        value={props.locale}
        onChange={(event) => {
          remember(LOCALE_COOKIE, event.target.value);
          router.refresh();
        }}
      >
        {LOCALES.map((locale) => (
          <option key={locale} value={locale} lang={locale}>
            {LANGUAGE_NAMES[locale]}
          </option>
        ))}
      </select>
    </label>
  );
}
