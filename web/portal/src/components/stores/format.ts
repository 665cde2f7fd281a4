/**
 * What the stores area's client components share without pulling each other in: dates as shown, and the roles.
 * A module of its own so that the members page does not load the store page's components (StoreView, its
 * deletion, "Open store") for one helper, nor the invitation form before it is opened.
 */

import type { Locale } from "@/lib/i18n";

export function formatDate(value: string, locale: Locale): string {
  // UTC on the server and in the browser alike, so the first render and hydration agree.
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(
    new Date(value),
  ) + " UTC";
}

export const ROLES = ["owner", "admin", "billing"] as const;
export type Role = (typeof ROLES)[number];
