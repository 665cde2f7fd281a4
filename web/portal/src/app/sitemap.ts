/**
 * /sitemap.xml: the public pages, and every live store of the directory (their storefronts are on hosts of
 * their own: search engines take those entries once each store's host is verified alongside the portal's).
 */

import type { ControlPlaneComponents } from "@tenantry/api-client";
import type { MetadataRoute } from "next";

import { controlPlane } from "@/lib/api";
import { publicBaseUrl } from "@/lib/public-url";

const MAX_DIRECTORY_PAGES = 20; // 50 stores a page: a thousand stores; past that, a sitemap index would be due

export default async function sitemap(): Promise<MetadataRoute.Sitemap> {
  const base = await publicBaseUrl();
  const entries: MetadataRoute.Sitemap = [
    { url: `${base}/`, changeFrequency: "weekly", priority: 1 },
    { url: `${base}/directory`, changeFrequency: "daily", priority: 0.8 },
    { url: `${base}/sign-up`, changeFrequency: "monthly", priority: 0.6 },
    { url: `${base}/sign-in`, changeFrequency: "monthly", priority: 0.3 },
  ];
  const api = controlPlane();
  let cursor: string | null = null;
  try {
    for (let page = 0; page < MAX_DIRECTORY_PAGES; page += 1) {
      const query: { cursor?: string } = cursor ? { cursor } : {};
      const { data }: { data?: ControlPlaneComponents["schemas"]["PaginatedDirectoryEntryList"] } = await api.GET("/api/v1/directory/", { params: { query } });
      for (const store of data?.results ?? []) entries.push({ url: store.url, changeFrequency: "daily", priority: 0.5 });
      cursor = data?.next ? new URL(data.next).searchParams.get("cursor") : null;
      if (!cursor) break;
    }
  } catch {
    // The directory is down: the portal's own pages are still worth listing.
  }
  return entries;
}

export const dynamic = "force-dynamic";
