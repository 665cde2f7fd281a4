/** /robots.txt: the public pages may be crawled; the BFF and the signed-in pages may not. Points at the sitemap. */

import type { MetadataRoute } from "next";

import { publicBaseUrl } from "@/lib/public-url";

export default async function robots(): Promise<MetadataRoute.Robots> {
  const base = await publicBaseUrl();
  return {
    rules: { userAgent: "*", allow: "/", disallow: ["/bff/", "/stores", "/verify-email", "/reset-password"] },
    sitemap: `${base}/sitemap.xml`,
    host: base,
  };
}

export const dynamic = "force-dynamic";
