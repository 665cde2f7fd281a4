/**
 * The usage endpoint's daily series as Chart.js wants it (labels and datasets), and the totals that the
 * page shows beside each chart for readers who do not see the canvas. Pure functions: unit-tested.
 */

export interface UsageDay {
  date: string;
  usage: Record<string, number>;
  charged: Record<string, string>;
  paid: Record<string, string>;
}

export interface UsageSeries {
  from: string;
  to: string;
  metrics: string[];
  currencies: string[];
  days: UsageDay[];
}

export interface Palette {
  text: string;
  grid: string;
  series: string[];
}

/** Colours with enough contrast on the portal's light and dark backgrounds (globals.css). */
export const PALETTES: Record<"light" | "dark", Palette> = {
  light: { text: "#1a1a1f", grid: "#c9c9d3", series: ["#3c2fd0", "#1b6e3a", "#b3261e", "#8a5a00"] },
  dark: { text: "#ececf1", grid: "#4a4a57", series: ["#a9a2ff", "#8fd9a8", "#ffb4ab", "#f2c36b"] },
};

export interface Dataset {
  label: string;
  data: number[];
  borderColor: string;
  backgroundColor: string;
}

export interface ChartData {
  labels: string[];
  datasets: Dataset[];
}

/** "2026-03-02" as the short day the reader's locale writes ("2 Mar", "2. März"), in UTC like the series. */
export function dayLabel(date: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(`${date}T00:00:00Z`));
}

function colour(palette: Palette, index: number): string {
  return palette.series[index % palette.series.length] ?? palette.text;
}

/** One line per metric, a point per day (a day without a figure is 0). */
export function usageChart(series: UsageSeries, palette: Palette, locale: string, name: (metric: string) => string): ChartData {
  return {
    labels: series.days.map((day) => dayLabel(day.date, locale)),
    datasets: series.metrics.map((metric, index) => ({
      label: name(metric),
      data: series.days.map((day) => day.usage[metric] ?? 0),
      borderColor: colour(palette, index),
      backgroundColor: colour(palette, index),
    })),
  };
}

/** Bars of what was charged and what was paid per day, in one currency. */
export function spendChart(
  series: UsageSeries,
  currency: string,
  palette: Palette,
  locale: string,
  labels: { charged: string; paid: string },
): ChartData {
  const amounts = (pick: (day: UsageDay) => Record<string, string>) =>
    series.days.map((day) => Number(pick(day)[currency] ?? "0"));
  return {
    labels: series.days.map((day) => dayLabel(day.date, locale)),
    datasets: [
      { label: labels.charged, data: amounts((day) => day.charged), borderColor: colour(palette, 0), backgroundColor: colour(palette, 0) },
      { label: labels.paid, data: amounts((day) => day.paid), borderColor: colour(palette, 1), backgroundColor: colour(palette, 1) },
    ],
  };
}

export { hasUsage, spendTotals, usageTotals } from "./usage-totals";
