"use client";

/** @tenantry/theming on the client: the colour-scheme picker and the hook behind it. */

import { useState } from "react";

import { THEME_COOKIE, THEMES, type Theme } from "./scheme";

const YEAR = 60 * 60 * 24 * 365;

/**
 * The scheme in force and a way to change it: the choice goes into the cookie (a preference, readable by scripts on
 * purpose) that the server renders `<html class>` from, and onto `<html>` at once.
 */
export function useTheme(initial: Theme, cookie: string = THEME_COOKIE): [Theme, (next: Theme) => void] {
  const [theme, setTheme] = useState(initial);
  return [
    theme,
    (next: Theme) => {
      setTheme(next);
      document.cookie = `${cookie}=${next}; Path=/; Max-Age=${YEAR}; SameSite=Lax`;
      const root = document.documentElement.classList;
      root.remove(...THEMES);
      if (next !== "system") root.add(next); // themeClass(next), spelt out: a few bytes less on every page
    },
  ];
}

/** The scheme picker: `names` are the words for system, light and dark in the page's language. */
export function ThemeSelect(props: { theme: Theme; label: string; names: Readonly<Record<Theme, string>>; cookie?: string }) {
  const [theme, choose] = useTheme(props.theme, props.cookie);
  return (
    <label>
      <span className="muted">{props.label} </span>
      <select value={theme} onChange={(event) => choose(event.target.value as Theme)}>
        {THEMES.map((name) => (
          <option key={name} value={name}>
            {props.names[name]}
          </option>
        ))}
      </select>
    </label>
  );
}
