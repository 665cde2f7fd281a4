import { ProblemError } from "@tenantry/api-client";
import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";

import { controlPlane } from "@/lib/api";
import { requestContext } from "@/lib/request";
import { heldAccess, REFRESH_COOKIE } from "@/lib/session";

export const metadata: Metadata = { title: "My stores" };

/** The `cursor` of a page link of the API, to carry in this page's own query. */
function cursorOf(link: string | null | undefined): string | null {
  if (!link) return null;
  return new URL(link).searchParams.get("cursor");
}

/** My stores, a page at a time (the proxy has made sure the session's access token is fresh). */
export default async function StoresPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const [{ t }, query, jar] = await Promise.all([requestContext(), searchParams, cookies()]);
  const access = heldAccess(jar.get(REFRESH_COOKIE)?.value);
  if (!access) {
    return (
      <>
        <h1>{t("stores.title")}</h1>
        <p className="alert" role="alert">
          {t("error.network")}
        </p>
      </>
    );
  }
  const api = controlPlane(access);
  const cursor = typeof query.cursor === "string" ? query.cursor : undefined;
  let me, page;
  try {
    [me, page] = await Promise.all([
      api.GET("/api/v1/auth/me/").then((response) => response.data),
      api.GET("/api/v1/tenants/", { params: { query: cursor ? { cursor } : {} } }).then((response) => response.data),
    ]);
  } catch (error) {
    if (error instanceof ProblemError && error.status === 401) redirect("/sign-in?next=/stores");
    const detail = error instanceof ProblemError && error.code !== "unexpected_response" ? error.detail : t("error.network");
    return (
      <>
        <h1>{t("stores.title")}</h1>
        <p className="alert" role="alert">
          {detail}
        </p>
      </>
    );
  }
  const stores = page?.results ?? [];
  const next = cursorOf(page?.next);
  const previous = cursorOf(page?.previous);
  return (
    <>
      <h1>{t("stores.title")}</h1>
      <div className="controls">
        <p className="muted">{t("stores.signedInAs", { email: me?.email ?? "" })}</p>
        <form method="post" action="/bff/sign-out">
          <button type="submit" className="link">
            {t("nav.signOut")}
          </button>
        </form>
      </div>
      {stores.length === 0 ? (
        <p>{t("stores.empty")}</p>
      ) : (
        // Focusable, named region: on a narrow screen the table may scroll sideways, by keyboard too.
        <div className="table-wrap" role="region" aria-label={t("stores.title")} tabIndex={0}>
          <table className="cards">
            <thead>
              <tr>
                <th scope="col">{t("stores.name")}</th>
                <th scope="col">{t("stores.state")}</th>
                <th scope="col">{t("stores.plan")}</th>
                <th scope="col">{t("stores.url")}</th>
              </tr>
            </thead>
            <tbody>
              {stores.map((store) => (
                <tr key={store.id}>
                  <td data-label={t("stores.name")}>
                    <a href={`/stores/${store.slug}`}>{store.name}</a> <span className="muted">({store.slug})</span>
                  </td>
                  <td data-label={t("stores.state")}>{store.state}</td>
                  <td data-label={t("stores.plan")}>{store.plan}</td>
                  <td data-label={t("stores.url")}>
                    {store.url ? <a href={store.url}>{store.url}</a> : <span className="muted">{t("stores.noUrl")}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label={t("stores.pages")}>
        {previous ? <a href={`/stores?cursor=${encodeURIComponent(previous)}`}>{t("stores.previous")}</a> : null}
        {next ? <a href={`/stores?cursor=${encodeURIComponent(next)}`}>{t("stores.next")}</a> : null}
      </nav>
    </>
  );
}
