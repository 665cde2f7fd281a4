"use client";

/**
 * Usage and spend per day, from the billing ledger's projections (GET …/usage): Chart.js draws them (loaded
 * on demand, so no other page carries it), in the colours of the current scheme; beside each canvas a summary
 * and the figures as a table, for whoever does not see the chart.
 */

import { type ControlPlaneClient, ProblemError } from "@tenantry/api-client";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";

import type { Locale } from "@/lib/i18n";
import { useHasMessage, useT } from "@tenantry/i18n/client";

import {
  type ChartData,
  hasUsage,
  type Palette,
  PALETTES,
  spendChart,
  spendTotals,
  usageChart,
  usageTotals,
  type UsageSeries,
} from "./chart-data";

/** The palette of the scheme the page shows (the html class, else the system's), kept current. */
function useScheme(): "light" | "dark" {
  const [scheme, setScheme] = useState<"light" | "dark">("light");
  useEffect(() => {
    const media = window.matchMedia("(prefers-color-scheme: dark)");
    const read = () => {
      const root = document.documentElement.classList;
      setScheme(root.contains("dark") ? "dark" : root.contains("light") ? "light" : media.matches ? "dark" : "light");
    };
    read();
    media.addEventListener("change", read);
    const observer = new MutationObserver(read);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
    return () => {
      media.removeEventListener("change", read);
      observer.disconnect();
    };
  }, []);
  return scheme;
}

function Chart({ kind, data, palette, label }: { kind: "line" | "bar"; data: ChartData; palette: Palette; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    let chart: { destroy(): void } | null = null;
    let cancelled = false;
    import("chart.js/auto").then(({ default: ChartJs }) => {
      if (cancelled || !canvas.current) return;
      chart = new ChartJs(canvas.current, {
        type: kind,
        data,
        options: {
          animation: false,
          maintainAspectRatio: false,
          color: palette.text,
          scales: {
            x: { ticks: { color: palette.text, maxRotation: 0, autoSkipPadding: 12 }, grid: { color: palette.grid } },
            y: { beginAtZero: true, ticks: { color: palette.text }, grid: { color: palette.grid } },
          },
          plugins: { legend: { labels: { color: palette.text } } },
        },
      });
      canvas.current.dataset.rendered = "true";
    });
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [kind, data, palette]);
  return (
    <div className="chart-box">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}

export function UsageCharts({ locale, slug, api }: { locale: Locale; slug: string; api: ControlPlaneClient }) {
  const t = useT();
  const has = useHasMessage();
  const scheme = useScheme();
  const palette = PALETTES[scheme];
  const usage = useQuery({
    queryKey: ["billing", slug, "usage"],
    queryFn: async () => (await api.GET("/api/v1/tenants/{slug}/usage", { params: { path: { slug } } })).data as UsageSeries,
  });

  if (usage.isPending) return <p className="muted skeleton">{t("billing.loading")}</p>;
  if (usage.isError) {
    const error = usage.error;
    return (
      <div className="alert" role="alert">
        <p className="error">
          {error instanceof ProblemError && error.code !== "unexpected_response" ? error.detail : t("error.network")}
        </p>
        <button type="button" className="link" onClick={() => usage.refetch()}>
          {t("billing.retry")}
        </button>
      </div>
    );
  }
  const series = usage.data;
  const metricName = (metric: string) => {
    const key = `billing.usage.metric.${metric}`;
    return has(key) ? t(key) : metric;
  };
  const totals = usageTotals(series);
  const usageSummary = series.metrics
    .map((metric) => t("billing.usage.summaryUsage", { metric: metricName(metric), total: totals[metric]!.toLocaleString(locale) }))
    .join("; ");
  const currency = series.currencies[0];
  const spent = currency ? spendTotals(series, currency) : null;
  const spendSummary =
    currency && spent ? t("billing.usage.summarySpend", { charged: spent.charged, paid: spent.paid, currency }) : "";
  const charged = t("billing.usage.charged");
  const paid = t("billing.usage.paid");

  return (
    <>
      <p className="muted">{t("billing.usage.range")}</p>
      <div className="charts">
        <figure className="chart">
          <figcaption>{t("billing.usage.usageChart")}</figcaption>
          {hasUsage(series) ? (
            <>
              <Chart kind="line" data={usageChart(series, palette, locale, metricName)} palette={palette} label={usageSummary} />
              <p className="muted">{usageSummary}</p>
            </>
          ) : (
            <p className="muted">{t("billing.usage.noUsage")}</p>
          )}
        </figure>
        <figure className="chart">
          <figcaption>{t("billing.usage.spendChart", { currency: currency ?? "EUR" })}</figcaption>
          {currency ? (
            <>
              <Chart
                kind="bar"
                data={spendChart(series, currency, palette, locale, { charged, paid })}
                palette={palette}
                label={spendSummary}
              />
              <p className="muted">{spendSummary}</p>
            </>
          ) : (
            <p className="muted">{t("billing.usage.noSpend")}</p>
          )}
        </figure>
      </div>
      {series.metrics.length || currency ? (
        <details className="chart-table">
          <summary>{t("billing.usage.table")}</summary>
          <div className="table-wrap" role="region" aria-label={t("billing.usage.table")} tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("billing.usage.day")}</th>
                  {series.metrics.map((metric) => (
                    <th scope="col" key={metric}>
                      {metricName(metric)}
                    </th>
                  ))}
                  {currency ? (
                    <>
                      <th scope="col">{`${charged} (${currency})`}</th>
                      <th scope="col">{`${paid} (${currency})`}</th>
                    </>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {series.days.map((day) => (
                  <tr key={day.date}>
                    <th scope="row">{day.date}</th>
                    {series.metrics.map((metric) => (
                      <td key={metric}>{(day.usage[metric] ?? 0).toLocaleString(locale)}</td>
                    ))}
                    {currency ? (
                      <>
                        <td>{day.charged[currency] ?? "0.00"}</td>
                        <td>{day.paid[currency] ?? "0.00"}</td>
                      </>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      ) : null}
    </>
  );
}
