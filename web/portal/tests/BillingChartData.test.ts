/** The usage endpoint's series mapped for Chart.js, and the totals shown beside the charts. */

import { describe, expect, it } from "vitest";

import {
  dayLabel,
  hasUsage,
  PALETTES,
  spendChart,
  spendTotals,
  usageChart,
  usageTotals,
  type UsageSeries,
} from "@/app/stores/[slug]/billing/chart-data";

const SERIES: UsageSeries = {
  from: "2026-03-01",
  to: "2026-03-03",
  metrics: ["api_requests", "orders"],
  currencies: ["EUR"],
  days: [
    { date: "2026-03-01", usage: { api_requests: 1200, orders: 3 }, charged: { EUR: "0.10" }, paid: { EUR: "0.00" } },
    { date: "2026-03-02", usage: { api_requests: 0, orders: 0 }, charged: { EUR: "0.20" }, paid: { EUR: "0.30" } },
    { date: "2026-03-03", usage: { orders: 5 }, charged: {}, paid: { EUR: "34.51" } },
  ],
};

describe("chart data", () => {
  it("draws a line per metric with a point per day, a missing figure as 0", () => {
    const chart = usageChart(SERIES, PALETTES.light, "en", (metric) => metric.toUpperCase());
    expect(chart.labels).toEqual(["Mar 1", "Mar 2", "Mar 3"]);
    expect(chart.datasets.map((set) => [set.label, set.data])).toEqual([
      ["API_REQUESTS", [1200, 0, 0]],
      ["ORDERS", [3, 0, 5]],
    ]);
    expect(chart.datasets.map((set) => set.borderColor)).toEqual(PALETTES.light.series.slice(0, 2));
  });

  it("takes the dark palette's colours in dark mode and writes the days as the locale does", () => {
    const chart = usageChart(SERIES, PALETTES.dark, "de", (metric) => metric);
    expect(chart.labels[0]).toBe("1. März");
    expect(chart.datasets[0]!.backgroundColor).toBe(PALETTES.dark.series[0]);
    expect(PALETTES.dark.series).not.toEqual(PALETTES.light.series);
  });

  it("draws what was charged and paid per day in one currency", () => {
    const chart = spendChart(SERIES, "EUR", PALETTES.light, "en", { charged: "Charged", paid: "Paid" });
    expect(chart.datasets.map((set) => [set.label, set.data])).toEqual([
      ["Charged", [0.1, 0.2, 0]],
      ["Paid", [0, 0.3, 34.51]],
    ]);
  });

  it("sums the totals exactly, in cents", () => {
    expect(usageTotals(SERIES)).toEqual({ api_requests: 1200, orders: 8 });
    expect(spendTotals(SERIES, "EUR")).toEqual({ charged: "0.30", paid: "34.81" });
    expect(spendTotals(SERIES, "USD")).toEqual({ charged: "0.00", paid: "0.00" });
  });

  it("knows a series with nothing but zeros", () => {
    expect(hasUsage(SERIES)).toBe(true);
    const quiet = { ...SERIES, days: SERIES.days.map((day) => ({ ...day, usage: { orders: 0 } })) };
    expect(hasUsage(quiet)).toBe(false);
    expect(dayLabel("2026-12-31", "en")).toBe("Dec 31");
  });
});
