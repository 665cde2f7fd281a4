/** What the security page and the sign-in's enrolment step share: code checks, QR codes, backup-code files, devices. */

import { type Problem, ProblemError } from "@tenantry/api-client";

import type { Translate } from "./i18n";

/** An app code: 6 digits (spaces a user copies along are dropped). */
export const APP_CODE = /^[0-9]{6}$/;
/** A backup code as the API hands it out: 10 base32 letters, shown as "xxxxx-xxxxx". */
export const BACKUP_CODE = /^[a-z2-7]{5}-?[a-z2-7]{5}$/i;

/** The code as typed, without spaces. */
export function normalizeCode(value: string): string {
  return value.replace(/\s+/g, "");
}

export type { CodeInput, CodeOutput } from "./schemas";

/** Problem codes that are about the code typed in: their detail belongs at the code field. */
const CODE_PROBLEMS = new Set(["two_factor_code_invalid", "two_factor_locked"]);

/** The message for the code field from a problem (a field error at /code, or a wrong or locked code). */
export function codeMessage(problem: Problem): string | undefined {
  const at = (problem.errors ?? []).filter((error) => error.pointer === "/code").map((error) => error.detail);
  if (at.length) return at.join(" ");
  return CODE_PROBLEMS.has(problem.code) ? problem.detail || problem.title : undefined;
}

/** A rejected call as problem details, or null for a network failure (fetch's TypeError). */
export function problemOf(error: unknown): Problem | null {
  if (error instanceof ProblemError) {
    return error.code === "unexpected_response" && error.status >= 500 ? null : error;
  }
  return null;
}

/**
 * The otpauth URI as an SVG QR code in a data URL, for an <img> (the CSP allows img-src data:). `qrcode` is
 * loaded only when a QR code is shown, so it is on no page's first load.
 */
export async function qrDataUrl(uri: string): Promise<string> {
  const { default: QRCode } = await import("qrcode");
  const svg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** The base32 secret in groups of four, easier to type into an app. */
export function groupSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}

/** The text of the downloaded backup-codes file: a title, when, the codes one a line, what they are for. */
export function backupCodesText(codes: readonly string[], t: Translate, created: string): string {
  return [
    t("security.backup.fileTitle"),
    t("security.backup.fileCreated", { date: created }),
    "",
    ...codes,
    "",
    t("security.backup.fileNote"),
    "",
  ].join("\n");
}

export const BACKUP_FILE_NAME = "tenantry-backup-codes.txt";

/** Offer the backup codes as a .txt download (a Blob, no round trip). */
export function downloadText(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
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
