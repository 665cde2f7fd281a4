/**
 * Drawing a chart: Chart.js and the datasets made for it (./chart-data), in one module that ./Chart imports
 * when it draws, so that neither is on the page's first load.
 */

import ChartJs from "chart.js/auto";

import { type ChartData, type Palette, PALETTES, spendChart, usageChart, type UsageSeries } from "./chart-data";

export type Drawing =
  | { kind: "line"; series: UsageSeries; locale: string; names: Record<string, string> }
  | { kind: "bar"; series: UsageSeries; locale: string; currency: string; labels: { charged: string; paid: string } };

/** The scheme the page shows: the html class (the chosen one), else the system's. */
function scheme(media: MediaQueryList): "light" | "dark" {
  const root = document.documentElement.classList;
  return root.contains("dark") ? "dark" : root.contains("light") ? "light" : media.matches ? "dark" : "light";
}

/**
 * Draws `drawing` on `canvas` in the colours of the page's scheme, and again whenever the scheme changes (the
 * chosen one, or the system's); returns what destroys the chart and stops following the scheme.
 */
export function draw(canvas: HTMLCanvasElement, drawing: Drawing): { destroy(): void } {
  const media = window.matchMedia("(prefers-color-scheme: dark)");
  let shown = scheme(media);
  let chart = make(canvas, drawing, shown);
  const follow = () => {
    if (scheme(media) === shown) return;
    shown = scheme(media);
    chart.destroy();
    chart = make(canvas, drawing, shown);
  };
  media.addEventListener("change", follow);
  const observer = new MutationObserver(follow);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
  return {
    destroy() {
      media.removeEventListener("change", follow);
      observer.disconnect();
      chart.destroy();
    },
  };
}

function make(canvas: HTMLCanvasElement, drawing: Drawing, scheme: "light" | "dark"): ChartJs {
  const palette: Palette = PALETTES[scheme];
  const data: ChartData =
    drawing.kind === "line"
      ? usageChart(drawing.series, palette, drawing.locale, (metric) => drawing.names[metric] ?? metric)
      : spendChart(drawing.series, drawing.currency, palette, drawing.locale, drawing.labels);
  return new ChartJs(canvas, {
    type: drawing.kind,
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
}
