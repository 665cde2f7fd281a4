/** What the security page and the sign-in's enrolment step share: code checks, QR codes, backup-code files, devices. */

import type { Problem } from "@tenantry/api-client";

import type { Translate } from "./i18n";

// What the security page needs as it loads (its sessions, problems as details) is in ./sessions, kept small.
export { cursorOf, describeAgent, formatWhen, problemOf } from "./sessions";

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
