"use client";

/**
 * A store's billing in the browser: the dunning banner, the plan (with the price of a change before it is
 * made), the cards, the invoices and the usage charts. Server state is TanStack Query's, seeded with what
 * the page read on the server; every call goes through the BFF.
 */

import { type ControlPlaneClient, ProblemError } from "@tenantry/api-client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { portalApi } from "@/lib/browser-api";
import type { Locale } from "@/lib/i18n";
import { useT } from "@tenantry/i18n/client";
import { useNotices } from "@tenantry/ui/notices";

import { CardForm } from "./CardForm";
import { Invoices } from "./Invoices";
import { PlanChange } from "./PlanChange";
import type { PaymentMethod, Plan, Subscription } from "./types";
import { UsageCharts } from "./UsageCharts";

export interface BillingProps {
  locale: Locale;
  slug: string;
  plans: Plan[];
  subscription: Subscription;
  methods: PaymentMethod[];
  api?: ControlPlaneClient;
}

export function DunningBanner({ locale, subscription }: { locale: Locale; subscription: Subscription }) {
  const t = useT();
  const dunning = subscription.dunning;
  if (!dunning) return null;
  const date = dunning.grace_ends_at
    ? new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "short", timeZone: "UTC" }).format(new Date(dunning.grace_ends_at)) +
      " UTC"
    : null;
  return (
    <div className="dunning" role="alert">
      <p>
        <strong>{t("billing.dunning.title")}</strong>
      </p>
      <p>
        {dunning.suspended
          ? t("billing.dunning.suspended")
          : date
            ? t("billing.dunning.grace", { date })
            : t("billing.dunning.noDate")}
      </p>
    </div>
  );
}

export function Billing({ locale, slug, plans, subscription: initialSubscription, methods: initialMethods, api = portalApi }: BillingProps) {
  const t = useT();
  const client = useQueryClient();
  const push = useNotices((state) => state.push);
  const [adding, setAdding] = useState(false);
  const [awaitingInvoice, setAwaitingInvoice] = useState(false);

  const subscription = useQuery({
    queryKey: ["billing", slug, "subscription"],
    queryFn: async () => (await api.GET("/api/v1/tenants/{slug}/subscription", { params: { path: { slug } } })).data!,
    initialData: initialSubscription,
  });
  const methods = useQuery({
    queryKey: ["billing", slug, "payment-methods"],
    queryFn: async () =>
      (await api.GET("/api/v1/tenants/{slug}/payment-methods", { params: { path: { slug } } })).data!.results,
    initialData: initialMethods,
  });
  const current = subscription.data;
  const title = (name: string) => plans.find((plan) => plan.name === name)?.title ?? name;
  const day = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" });
  const periodEnd = current.subscription?.current_period_end ? day.format(new Date(current.subscription.current_period_end)) : null;

  function changed(next: Subscription) {
    client.setQueryData(["billing", slug, "subscription"], next);
    push("success", t("billing.plan.changed", { plan: title(next.plan) }));
    setAwaitingInvoice(true);
    window.setTimeout(() => setAwaitingInvoice(false), 60_000);
    void client.invalidateQueries({ queryKey: ["billing", slug, "usage"] });
  }

  function saved() {
    setAdding(false);
    push("success", t("billing.card.saved"));
    void client.invalidateQueries({ queryKey: ["billing", slug, "payment-methods"] });
  }

  return (
    <>
      <DunningBanner locale={locale} subscription={current} />

      <section className="billing-section" aria-labelledby="plan-heading">
        <h2 id="plan-heading">{t("billing.plan.heading")}</h2>
        <p>
          <strong>{t("billing.plan.current", { plan: title(current.plan) })}</strong>
          {current.subscription ? (
            <>
              {" "}
              <span className="muted">{t("billing.plan.status", { status: current.subscription.status })}</span>
            </>
          ) : null}
        </p>
        {periodEnd ? (
          <p className="muted">
            {current.subscription?.cancel_at_period_end ? t("billing.plan.ends", { date: periodEnd }) : t("billing.plan.renews", { date: periodEnd })}
          </p>
        ) : null}
        <PlanChange
          key={current.plan}
          slug={slug}
          plans={plans}
          current={current.plan}
          hasCard={methods.data.length > 0}
          api={api}
          onChanged={changed}
        />
      </section>

      <section className="billing-section" aria-labelledby="cards-heading">
        <h2 id="cards-heading">{t("billing.card.heading")}</h2>
        {methods.isError ? (
          <p className="alert error" role="alert">
            {methods.error instanceof ProblemError ? methods.error.detail : t("error.network")}
          </p>
        ) : methods.data.length === 0 ? (
          <p className="muted">{t("billing.card.none")}</p>
        ) : (
          <ul className="cards-list">
            {methods.data.map((method) => (
              <li key={method.id}>
                <span className="card-brand">{method.brand || method.type}</span> •••• {method.last4}{" "}
                {method.exp_month && method.exp_year ? (
                  <span className="muted">
                    {t("billing.card.expires", { month: String(method.exp_month).padStart(2, "0"), year: String(method.exp_year) })}
                  </span>
                ) : null}{" "}
                {method.default ? <span className="tag">{t("billing.card.default")}</span> : null}
              </li>
            ))}
          </ul>
        )}
        {adding ? (
          <CardForm slug={slug} api={api} onSaved={saved} />
        ) : (
          <button type="button" onClick={() => setAdding(true)}>
            {t("billing.card.add")}
          </button>
        )}
      </section>

      <section className="billing-section" aria-labelledby="invoices-heading">
        <h2 id="invoices-heading">{t("billing.invoices.heading")}</h2>
        <Invoices locale={locale} slug={slug} api={api} polling={awaitingInvoice} />
      </section>

      <section className="billing-section" aria-labelledby="usage-heading">
        <h2 id="usage-heading">{t("billing.usage.heading")}</h2>
        <UsageCharts locale={locale} slug={slug} api={api} />
      </section>
    </>
  );
}
