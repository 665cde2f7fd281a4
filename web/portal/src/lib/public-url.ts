/** The portal's public address (for canonical links, the sitemap, robots.txt): PORTAL_PUBLIC_URL, else the request's. */

import { headers } from "next/headers";

export async function publicBaseUrl(): Promise<string> {
  const configured = process.env.PORTAL_PUBLIC_URL?.trim();
  if (configured) return configured.replace(/\/+$/, "");
  const list = await headers();
  const host = list.get("x-forwarded-host")?.split(",")[0]?.trim() || list.get("host") || "localhost:3000";
  const proto = list.get("x-forwarded-proto")?.split(",")[0]?.trim() || (/^(localhost|127\.0\.0\.1|\[::1\])(:|$)/.test(host) ? "http" : "https");
  return `${proto}://${host}`;
}
