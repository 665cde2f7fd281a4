"use client";

/**
 * The platform's figures over time (signups, active stores, revenue) as line charts, with the same figures in a
 * table beside them for screen readers and keyboards. Chart.js is imported when the figures have arrived, so it is
 * loaded on /staff only and is no part of any page's first-load JavaScript; its colours come from the page's CSS
 * variables and follow the colour scheme when it changes.
 */

import type { ControlPlaneComponents } from "@tenantry/api-client";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";

import { portalApi } from "@/lib/browser-api";
import type { Translate } from "@/lib/i18n";
import { useT } from "@tenantry/i18n/client";

import { problemText } from "./StaffTenants";

type Stats = ControlPlaneComponents["schemas"]["Stats"];

export interface Series {
  key: string;
  title: string;
  values: number[];
}

/**
 * The series of the figures: signups, active stores, and revenue one series per currency the platform was paid in
 * (the API's figures are per currency, and euros are never added to dollars), or one empty revenue series when
 * nothing was paid yet.
 */
export function seriesOf(stats: Stats, t: Translate): Series[] {
  const revenue: Series[] = stats.currencies.map((currency) => ({
    key: `revenue-${currency}`,
    title: t("staff.revenue", { currency }),
    values: stats.series.map((day) => Number(day.revenue.find((item) => item.currency === currency)?.amount ?? 0)),
  }));
  return [
    { key: "signups", title: t("staff.signups"), values: stats.series.map((day) => day.signups) },
    { key: "active", title: t("staff.activeStores"), values: stats.series.map((day) => day.active_stores) },
    ...(revenue.length ? revenue : [{ key: "revenue", title: t("staff.noRevenue"), values: stats.series.map(() => 0) }]),
  ];
}

/** The scheme in force: the html element's class, else the system preference. */
function useScheme(): string {
  const [scheme, setScheme] = useState("light");
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

function LineChart({ series, labels, scheme, alt }: { series: Series; labels: string[]; scheme: string; alt: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    let chart: { destroy(): void } | null = null;
    let cancelled = false;
    void import("chart.js").then(({ Chart, LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Filler }) => {
      if (cancelled || !canvas.current) return;
      Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Filler);
      const css = getComputedStyle(document.documentElement);
      const colour = (name: string) => css.getPropertyValue(name).trim();
      chart = new Chart(canvas.current, {
        type: "line",
        data: {
          labels,
          datasets: [
            {
              label: series.title,
              data: series.values,
              borderColor: colour("--accent"),
              backgroundColor: `${colour("--accent")}33`,
              fill: true,
              tension: 0.25,
              pointRadius: 0,
            },
          ],
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          color: colour("--fg"),
          scales: {
            x: { ticks: { color: colour("--muted"), maxTicksLimit: 6 }, grid: { color: colour("--border") } },
            y: { beginAtZero: true, ticks: { color: colour("--muted"), precision: 0 }, grid: { color: colour("--border") } },
          },
          plugins: { legend: { display: false } },
        },
      });
    });
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [series, labels, scheme]);
  return (
    <figure className="staff-chart">
      <figcaption>{series.title}</figcaption>
      <div className="staff-canvas">
        <canvas ref={canvas} role="img" aria-label={alt} data-chart={series.key} />
      </div>
    </figure>
  );
}

export function StaffCharts({ days }: { days: number }) {
  const t = useT();
  const scheme = useScheme();
  const stats = useQuery({
    queryKey: ["ops", "stats", days],
    queryFn: async () => (await portalApi.GET("/api/v1/ops/stats/", { params: { query: { days } } })).data as Stats,
  });
  const title = t("staff.charts", { days: String(days) });
  if (stats.isError) {
    return (
      <section className="staff-section" aria-labelledby="staff-charts">
        <h2 id="staff-charts">{title}</h2>
        <p className="alert" role="alert">
          {problemText(stats.error, t("staff.apiDown"))}
        </p>
      </section>
    );
  }
  if (!stats.data) {
    return (
      <section className="staff-section" aria-labelledby="staff-charts">
        <h2 id="staff-charts">{title}</h2>
        <div className="staff-skeleton staff-skeleton-charts" role="status">
          <span className="sr-only">{t("staff.chartsLoading")}</span>
          <span aria-hidden="true" />
        </div>
      </section>
    );
  }
  const labels = stats.data.series.map((day) => day.date.slice(5));
  const all = seriesOf(stats.data, t);
  return (
    <section className="staff-section" aria-labelledby="staff-charts">
      <h2 id="staff-charts">{title}</h2>
      <div className="staff-charts">
        {all.map((series) => (
          <LineChart
            key={series.key}
            series={series}
            labels={labels}
            scheme={scheme}
            alt={t("staff.chartAlt", { title: series.title, count: String(labels.length) })}
          />
        ))}
      </div>
      <details className="staff-figures">
        <summary>{t("staff.asTable", { title })}</summary>
        <div className="table-wrap" role="region" aria-label={t("staff.asTable", { title })} tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("staff.date")}</th>
                {all.map((series) => (
                  <th scope="col" key={series.key}>
                    {series.title}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {stats.data.series.map((day, index) => (
                <tr key={day.date}>
                  <th scope="row">{day.date}</th>
                  {all.map((series) => (
                    <td key={series.key}>{series.values[index]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
