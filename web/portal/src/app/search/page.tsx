import "../public.css";

import { ProblemError, type ControlPlaneComponents } from "@tenantry/api-client";
import type { Metadata } from "next";

import { Queries } from "@/components/Queries";
import { Words } from "@/components/Words";
import { Marked } from "@/components/public/Marked";
import { searchHref } from "@/components/public/links";
import { SearchCombobox } from "@/components/public/SearchCombobox";
import { controlPlane } from "@/lib/api";
import { publicBaseUrl } from "@/lib/public-url";
import { browserHeaders, requestContext } from "@/lib/request";

type Query = Promise<Record<string, string | string[] | undefined>>;
type Hit = ControlPlaneComponents["schemas"]["Hit"];

function one(value: string | string[] | undefined): string {
  return (typeof value === "string" ? value : (value?.[0] ?? "")).trim().slice(0, 200);
}

/** The `cursor` of a page link of the API, to carry in this page's own query. */
function cursorOf(link: string | null | undefined): string | null {
  if (!link) return null;
  return new URL(link).searchParams.get("cursor");
}

export async function generateMetadata({ searchParams }: { searchParams: Query }): Promise<Metadata> {
  const [{ t }, query, base] = await Promise.all([requestContext(), searchParams, publicBaseUrl()]);
  const q = one(query.q);
  // One canonical address per query: the first page, without the cursor.
  const canonical = q ? `${base}${searchHref(q)}` : `${base}/search`;
  const title = q ? t("search.metaTitle", { q }) : t("search.title");
  const description = q ? t("search.metaDescription", { q }) : t("search.description");
  return {
    title,
    description,
    alternates: { canonical },
    openGraph: { title, description, url: canonical, siteName: "Tenantry", type: "website" },
    // A later page of results is worth following, not indexing.
    robots: query.cursor ? { index: false, follow: true } : undefined,
  };
}

/**
 * Currency formats by locale and currency, made once per process: building an Intl.NumberFormat costs far more
 * than formatting with one (it was ~2 ms of a 20-result page's render); null for a code Intl does not know.
 */
const CURRENCY_FORMATS = new Map<string, Intl.NumberFormat | null>();

function currencyFormat(locale: string, currency: string): Intl.NumberFormat | null {
  const key = `${locale} ${currency}`;
  let format = CURRENCY_FORMATS.get(key);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(locale, { style: "currency", currency });
    } catch {
      format = null; // an unknown currency code: the amount and code as they are
    }
    if (CURRENCY_FORMATS.size < 1000) CURRENCY_FORMATS.set(key, format); // the codes come from the API: bounded
  }
  return format;
}

function Price({ hit, locale }: { hit: Hit; locale: string }) {
  if (!hit.price) return null;
  const format = currencyFormat(locale, hit.price.currency);
  const text = format ? format.format(Number(hit.price.amount)) : `${hit.price.amount} ${hit.price.currency}`;
  return <span className="price">{text}</span>;
}

/** /search?q=…: the marketplace's results, rendered on the server (a shareable address; works without JavaScript). */
export default async function SearchPage({ searchParams }: { searchParams: Query }) {
  const [{ t, locale }, query] = await Promise.all([requestContext(), searchParams]);
  const q = one(query.q);
  const cursor = one(query.cursor);
  const box = (
    <Words areas={["public"]}>
      <Queries>
        <SearchCombobox initial={q} id="results-search" />
      </Queries>
    </Words>
  );

  if (!q) {
    return (
      <div className="public">
        <h1>{t("search.title")}</h1>
        {box}
        <p className="muted">{t("search.prompt")}</p>
      </div>
    );
  }

  let page;
  try {
    const { data } = await controlPlane().GET("/api/v1/search/", {
      params: { query: cursor ? { q, cursor } : { q } },
      headers: await browserHeaders(),
    });
    page = data;
  } catch (error) {
    // A problem the API explains (a bad cursor, too many searches) says what to do; anything else: it is down.
    const said = error instanceof ProblemError && error.status < 500 && error.code !== "unexpected_response";
    return (
      <div className="public">
        <h1>{t("search.resultsFor", { q })}</h1>
        {box}
        <p className="alert" role="alert">
          {said ? error.detail : t("search.down")}
        </p>
      </div>
    );
  }

  const hits = page?.results ?? [];
  const next = cursorOf(page?.next);
  const previous = cursorOf(page?.previous);
  const pageHref = (target: string) => `${searchHref(q)}&cursor=${encodeURIComponent(target)}`;
  return (
    <div className="public">
      <h1>{t("search.resultsFor", { q })}</h1>
      {box}
      {page?.match === "fuzzy" && page.corrected_query ? (
        <p className="muted">{t("search.corrected", { q: page.corrected_query })}</p>
      ) : null}
      {hits.length === 0 ? (
        <div className="empty">
          <p>{t("search.empty", { q })}</p>
          <p>
            <a href="/directory">{t("search.browse")}</a>
          </p>
        </div>
      ) : (
        <ol className="results" aria-label={t("search.results")}>
          {hits.map((hit) => (
            <li key={hit.kind === "product" ? `p-${hit.tenant.slug}-${hit.id}` : `t-${hit.tenant.slug}`} className="result">
              {hit.kind === "product" ? (
                <>
                  <h2>
                    <Marked html={hit.name_html} />
                  </h2>
                  <p className="meta">
                    <Price hit={hit} locale={locale} />{" "}
                    <span>
                      {t("search.at")} <a href={hit.tenant.url}>{hit.tenant.name}</a>
                    </span>
                  </p>
                </>
              ) : (
                <>
                  <h2>
                    <span className="tag">{t("search.store")}</span>{" "}
                    <a href={hit.tenant.url}>
                      <Marked html={hit.name_html} />
                    </a>
                  </h2>
                  <p className="meta muted">{hit.tenant.url}</p>
                </>
              )}
              {hit.snippet_html ? (
                <p className="snippet">
                  <Marked html={hit.snippet_html} />
                </p>
              ) : null}
            </li>
          ))}
        </ol>
      )}
      <nav className="pager" aria-label={t("search.pages")}>
        {previous ? <a href={pageHref(previous)}>{t("search.previous")}</a> : null}
        {next ? <a href={pageHref(next)}>{t("search.next")}</a> : null}
      </nav>
    </div>
  );
}
