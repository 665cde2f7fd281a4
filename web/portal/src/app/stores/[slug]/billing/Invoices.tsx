"use client";

/** The store's invoices, newest first, a cursor page at a time; each PDF comes through the BFF as an attachment. */

import { type ControlPlaneClient, ProblemError } from "@tenantry/api-client";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { BFF_BASE } from "@/lib/browser-api";
import type { Locale } from "@/lib/i18n";
import { useT } from "@tenantry/i18n/client";

/** The `cursor` of a page link of the API. */
function cursorOf(link: string | null | undefined): string | null {
  if (!link) return null;
  return new URL(link, "http://localhost").searchParams.get("cursor");
}

export interface InvoicesProps {
  locale: Locale;
  slug: string;
  api: ControlPlaneClient;
  /** Ask again every few seconds (an invoice is expected: Stripe sends it by webhook). */
  polling: boolean;
}

export function Invoices({ locale, slug, api, polling }: InvoicesProps) {
  const t = useT();
  const [cursor, setCursor] = useState<string | null>(null);
  const invoices = useQuery({
    queryKey: ["billing", slug, "invoices", cursor],
    queryFn: async () =>
      (await api.GET("/api/v1/tenants/{slug}/invoices/", { params: { path: { slug }, query: cursor ? { cursor } : {} } })).data!,
    refetchInterval: polling ? 3000 : false,
  });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });

  if (invoices.isPending) return <p className="muted skeleton">{t("billing.loading")}</p>;
  if (invoices.isError) {
    const error = invoices.error;
    return (
      <div className="alert" role="alert">
        <p className="error">
          {error instanceof ProblemError && error.code !== "unexpected_response" ? error.detail : t("error.network")}
        </p>
        <button type="button" className="link" onClick={() => invoices.refetch()}>
          {t("billing.retry")}
        </button>
      </div>
    );
  }
  const page = invoices.data;
  const next = cursorOf(page.next);
  const previous = cursorOf(page.previous);
  return (
    <>
      {page.results.length === 0 ? (
        <p className="muted">{t("billing.invoices.none")}</p>
      ) : (
        <div className="table-wrap" role="region" aria-label={t("billing.invoices.heading")} tabIndex={0}>
          <table className="cards">
            <thead>
              <tr>
                <th scope="col">{t("billing.invoices.number")}</th>
                <th scope="col">{t("billing.invoices.date")}</th>
                <th scope="col">{t("billing.invoices.status")}</th>
                <th scope="col">{t("billing.invoices.total")}</th>
                <th scope="col">{t("billing.invoices.pdf")}</th>
              </tr>
            </thead>
            <tbody>
              {page.results.map((invoice) => (
                <tr key={invoice.number}>
                  <td data-label={t("billing.invoices.number")}>{invoice.number}</td>
                  <td data-label={t("billing.invoices.date")}>{date.format(new Date(invoice.issued_at))}</td>
                  <td data-label={t("billing.invoices.status")}>
                    {invoice.status ? t(`billing.invoices.status.${invoice.status}`) : ""}
                  </td>
                  <td data-label={t("billing.invoices.total")}>
                    {invoice.total} {invoice.currency}
                  </td>
                  <td data-label={t("billing.invoices.pdf")}>
                    <a
                      href={`${BFF_BASE}/api/v1/tenants/${encodeURIComponent(slug)}/invoices/${encodeURIComponent(invoice.number)}/pdf`}
                      download={`${invoice.number}.pdf`}
                      aria-label={t("billing.invoices.download", { number: invoice.number })}
                    >
                      {t("billing.invoices.pdf")}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next || previous ? (
        <nav className="pager" aria-label={t("billing.invoices.pages")}>
          {previous ? (
            <button type="button" className="link" onClick={() => setCursor(previous)}>
              {t("billing.invoices.previous")}
            </button>
          ) : null}
          {next ? (
            <button type="button" className="link" onClick={() => setCursor(next)}>
              {t("billing.invoices.next")}
            </button>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}
