import "../public.css";

import { ProblemError } from "@tenantry/api-client";
import type { Metadata } from "next";

import { controlPlane } from "@/lib/api";
import { publicBaseUrl } from "@/lib/public-url";
import { browserHeaders, requestContext } from "@/lib/request";

type Query = Promise<Record<string, string | string[] | undefined>>;

function cursorOf(link: string | null | undefined): string | null {
  if (!link) return null;
  return new URL(link).searchParams.get("cursor");
}

export async function generateMetadata({ searchParams }: { searchParams: Query }): Promise<Metadata> {
  const [{ t }, query, base] = await Promise.all([requestContext(), searchParams, publicBaseUrl()]);
  const title = t("directory.title");
  const description = t("directory.description");
  return {
    title,
    description,
    alternates: { canonical: `${base}/directory` },
    openGraph: { title, description, url: `${base}/directory`, siteName: "Tenantry", type: "website" },
    robots: query.cursor ? { index: false, follow: true } : undefined,
  };
}

/** /directory: every live store (ready, not suspended), a page at a time, rendered on the server. */
export default async function DirectoryPage({ searchParams }: { searchParams: Query }) {
  const [{ t }, query] = await Promise.all([requestContext(), searchParams]);
  const cursor = typeof query.cursor === "string" ? query.cursor : undefined;
  let page;
  try {
    const { data } = await controlPlane().GET("/api/v1/directory/", {
      params: { query: cursor ? { cursor } : {} },
      headers: await browserHeaders(),
    });
    page = data;
  } catch (error) {
    const said = error instanceof ProblemError && error.status < 500 && error.code !== "unexpected_response";
    return (
      <div className="public">
        <h1>{t("directory.title")}</h1>
        <p className="alert" role="alert">
          {said ? error.detail : t("directory.down")}
        </p>
      </div>
    );
  }
  const stores = page?.results ?? [];
  const next = cursorOf(page?.next);
  const previous = cursorOf(page?.previous);
  return (
    <div className="public">
      <h1>{t("directory.title")}</h1>
      <p className="lead">{t("directory.lead")}</p>
      {stores.length === 0 ? (
        <p className="empty">
          {t("directory.empty")} <a href="/sign-up">{t("public.signUp")}</a>
        </p>
      ) : (
        <ul className="directory" aria-label={t("directory.stores")}>
          {stores.map((store) => (
            <li key={store.slug}>
              <a href={store.url}>{store.name || store.slug}</a>
              <span className="muted url">{store.url}</span>
            </li>
          ))}
        </ul>
      )}
      <nav className="pager" aria-label={t("directory.pages")}>
        {previous ? <a href={`/directory?cursor=${encodeURIComponent(previous)}`}>{t("directory.previous")}</a> : null}
        {next ? <a href={`/directory?cursor=${encodeURIComponent(next)}`}>{t("directory.next")}</a> : null}
      </nav>
    </div>
  );
}
