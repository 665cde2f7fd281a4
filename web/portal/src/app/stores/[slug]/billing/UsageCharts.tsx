/**
 * Usage and spend per day, from the billing ledger's projections (GET …/usage, read by the page on the server):
 * a summary beside each chart and the figures as a table, for whoever does not see the charts, rendered here on
 * the server; the charts themselves are drawn in the browser (./Chart, Chart.js in the page's scheme's colours).
 * A plan change asks for the page again, these figures with it.
 */

import type { Locale, MessageKey, Translate } from "@/lib/i18n";
import { en as billingWords } from "@/messages/billing";

import { Chart } from "./Chart";
import type { UsageSeries } from "./chart-data";
import { hasUsage, spendTotals, usageTotals } from "./usage-totals";

export interface UsageChartsProps {
  t: Translate;
  locale: Locale;
  /** The series, or what went wrong reading it. */
  usage: { series: UsageSeries } | { failure: string };
  /** This page's address: "Try again" loads it anew. */
  here: string;
}

export function UsageCharts({ t, locale, usage, here }: UsageChartsProps) {
  if ("failure" in usage) {
    return (
      <div className="alert" role="alert">
        <p className="error">{usage.failure}</p>
        <a href={here}>{t("billing.retry")}</a>
      </div>
    );
  }
  const series = usage.series;
  const metricName = (metric: string) => {
    const key = `billing.usage.metric.${metric}`;
    return key in billingWords ? t(key as MessageKey) : metric; // a metric the words know (German has every key)
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
              <Chart
                drawing={{ kind: "line", series, locale, names: Object.fromEntries(series.metrics.map((metric) => [metric, metricName(metric)])) }}
                label={usageSummary}
              />
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
              <Chart drawing={{ kind: "bar", series, locale, currency, labels: { charged, paid } }} label={spendSummary} />
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
