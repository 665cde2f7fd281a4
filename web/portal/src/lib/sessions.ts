/**
 * What the security page's panels need as they load: problems as details, and the session list's devices, dates
 * and cursors. Apart from ./security (codes, QR codes, backup-code files), which the forms bring when opened.
 */

import { type Problem, ProblemError } from "@tenantry/api-client";

import type { Translate } from "./i18n";

/** A rejected call as problem details, or null for a network failure (fetch's TypeError). */
export function problemOf(error: unknown): Problem | null {
  if (error instanceof ProblemError) {
    return error.code === "unexpected_response" && error.status >= 500 ? null : error;
  }
  return null;
}

const BROWSERS: [RegExp, string][] = [
  [/Edg\//, "Edge"],
  [/OPR\//, "Opera"],
  [/Firefox\//, "Firefox"],
  [/(Chrome|Chromium|CriOS)\//, "Chrome"],
  [/Safari\//, "Safari"],
];
const SYSTEMS: [RegExp, string][] = [
  [/Android/, "Android"],
  [/iPhone|iPad|iPod/, "iOS"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

/** "Firefox on Linux" for a browser's user agent; other clients as they name themselves, shortened. */
export function describeAgent(userAgent: string, t: Translate): string {
  const agent = userAgent.trim();
  if (!agent) return t("security.sessions.unknownDevice");
  const browser = BROWSERS.find(([pattern]) => pattern.test(agent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(agent))?.[1];
  if (browser && system) return t("security.sessions.on", { browser, system });
  return agent.length > 60 ? `${agent.slice(0, 57)}…` : agent;
}

/** A date and time in the reader's locale. */
export function formatWhen(iso: string, locale: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** The `cursor` of a page link of the API. */
export function cursorOf(link: string | null | undefined): string | undefined {
  if (!link) return undefined;
  return new URL(link, "http://localhost").searchParams.get("cursor") ?? undefined;
}
