import "../staff.css";

import type { Metadata } from "next";

import { requestContext } from "@/lib/request";

export const metadata: Metadata = { title: "Offline", robots: { index: false } };

/**
 * What the service worker (/sw.js, src/sw/worker.js) shows when a page cannot be loaded: it fetches this page when it installs
 * and keeps it, with the styles it links. Nothing here depends on the session, so the copy is safe to keep.
 */
export default async function OfflinePage() {
  const { t } = await requestContext();
  return (
    <section className="offline" aria-labelledby="offline-title">
      <h1 id="offline-title">{t("offline.title")}</h1>
      <p>{t("offline.lead")}</p>
      <p>
        <a className="button" href="/stores">
          {t("offline.retry")}
        </a>
      </p>
    </section>
  );
}
