/**
 * The usage series' totals, which the page shows in words beside each chart as soon as the figures arrive; the
 * charts' datasets (./chart-data) come with Chart.js, when a chart is drawn (./draw).
 */

import type { UsageDay, UsageSeries } from "./chart-data";

/** Each metric's total over the series. */
export function usageTotals(series: UsageSeries): Record<string, number> {
  return Object.fromEntries(
    series.metrics.map((metric) => [metric, series.days.reduce((sum, day) => sum + (day.usage[metric] ?? 0), 0)]),
  );
}

/** What was charged and paid in `currency` over the series, as fixed-point text with two decimals. */
export function spendTotals(series: UsageSeries, currency: string): { charged: string; paid: string } {
  // Summed in cents: adding decimal text as floats drifts (0.1 + 0.2).
  const cents = (pick: (day: UsageDay) => Record<string, string>) =>
    series.days.reduce((sum, day) => sum + Math.round(Number(pick(day)[currency] ?? "0") * 100), 0);
  const text = (value: number) => (value / 100).toFixed(2);
  return { charged: text(cents((day) => day.charged)), paid: text(cents((day) => day.paid)) };
}

/** Whether any day has a figure other than zero. */
export function hasUsage(series: UsageSeries): boolean {
  return series.days.some((day) => Object.values(day.usage).some((quantity) => quantity !== 0));
}
