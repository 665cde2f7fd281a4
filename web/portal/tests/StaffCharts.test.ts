/** The staff console's figures as chart series: revenue one series per currency, never a sum across currencies. */

import type { ControlPlaneComponents } from "@tenantry/api-client";
import { describe, expect, it } from "vitest";

import { seriesOf } from "@/components/staff/StaffCharts";
import { translator } from "@/lib/i18n";

type Stats = ControlPlaneComponents["schemas"]["Stats"];

const t = translator("en");

const STATS: Stats = {
  days: 3,
  currencies: ["EUR", "USD"],
  series: [
    { date: "2026-03-01", signups: 2, active_stores: 10, revenue: [{ currency: "EUR", amount: "119.00" }] },
    {
      date: "2026-03-02",
      signups: 0,
      active_stores: 10,
      revenue: [
        { currency: "EUR", amount: "29.00" },
        { currency: "USD", amount: "49.00" },
      ],
    },
    { date: "2026-03-03", signups: 1, active_stores: 11, revenue: [] },
  ],
};

describe("the staff console's series", () => {
  it("draws revenue once per currency, each with its own figures and a day without any as 0", () => {
    const series = seriesOf(STATS, t);

    expect(series.map((line) => [line.key, line.title, line.values])).toEqual([
      ["signups", "Signups", [2, 0, 1]],
      ["active", "Active stores", [10, 10, 11]],
      ["revenue-EUR", "Revenue (EUR)", [119, 29, 0]],
      ["revenue-USD", "Revenue (USD)", [0, 49, 0]],
    ]);
  });

  it("shows one empty revenue series, saying so, before anything was paid", () => {
    const series = seriesOf({ ...STATS, currencies: [], series: STATS.series.map((day) => ({ ...day, revenue: [] })) }, t);

    expect(series.at(-1)).toEqual({ key: "revenue", title: "Revenue (no paid invoices yet)", values: [0, 0, 0] });
    expect(series.filter((line) => line.key.startsWith("revenue"))).toHaveLength(1);
  });

  it("names each currency's series in German too", () => {
    expect(seriesOf(STATS, translator("de")).map((line) => line.title).slice(2)).toEqual(["Umsatz (EUR)", "Umsatz (USD)"]);
  });
});
