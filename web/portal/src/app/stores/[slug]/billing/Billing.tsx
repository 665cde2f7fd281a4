"use client";

/**
 * A store's billing in the browser: the plan (with the price of a change before it is made), the cards and the
 * invoices. What needs no interaction (the current plan, the plans, the cards, the dunning banner, the usage)
 * comes rendered from the server (./Summary, ./UsageCharts; here as `summary`, `planList` and `cards`); after a
 * change the page is asked for again (`router.refresh()`), which brings them and the props anew while this keeps
 * its state. The invoices are TanStack Query's (polled while one is expected); every call goes through the BFF. The plan change's form and
 * the card form load when asked for ("Change the plan…", "Add a card"): most visits only look.
 */

import type { ControlPlaneClient } from "@tenantry/api-client";
import { useRouter } from "next/navigation";
import { lazy, type ReactNode, Suspense, useState } from "react";

import { portalApi } from "@/lib/browser-api";
import type { Locale } from "@/lib/i18n";
import { useT } from "@tenantry/i18n/client";
import { useNotices } from "@tenantry/ui/notices";

import { Invoices } from "./Invoices";
import type { Plan, Subscription } from "./types";

const forms = () => import("./forms");
const CardForm = lazy(() => forms().then((module) => ({ default: module.CardForm })));
const PlanChange = lazy(() => forms().then((module) => ({ default: module.PlanChange })));

export interface BillingProps {
  locale: Locale;
  slug: string;
  plans: Plan[];
  /** The plan the store is on. */
  current: string;
  /** Whether a card is saved (a paid plan needs one). */
  hasCard: boolean;
  /** The current plan (./Summary's PlanSummary), its plans (PlanList) and the cards (CardList), from the server. */
  summary: ReactNode;
  planList: ReactNode;
  cards: ReactNode;
  api?: ControlPlaneClient;
}

export function Billing({ locale, slug, plans, current, hasCard, summary, planList, cards, api = portalApi }: BillingProps) {
  const t = useT();
  const router = useRouter();
  const push = useNotices((state) => state.push);
  const [adding, setAdding] = useState(false);
  const [changing, setChanging] = useState(false);
  const [awaitingInvoice, setAwaitingInvoice] = useState(false);
  const loading = (
    <p className="muted" role="status">
      {t("billing.loading")}
    </p>
  );

  function changed(next: Subscription) {
    setChanging(false);
    push("success", t("billing.plan.changed", { plan: plans.find((plan) => plan.name === next.plan)?.title ?? next.plan }));
    setAwaitingInvoice(true);
    window.setTimeout(() => setAwaitingInvoice(false), 60_000);
    router.refresh();
  }

  function saved() {
    setAdding(false);
    push("success", t("billing.card.saved"));
    router.refresh();
  }

  return (
    <>
      <section className="billing-section" aria-labelledby="plan-heading">
        <h2 id="plan-heading">{t("billing.plan.heading")}</h2>
        {summary}
        {changing ? (
          <Suspense fallback={loading}>
            <PlanChange key={current} slug={slug} plans={plans} current={current} hasCard={hasCard} api={api} onChanged={changed} autoFocus />
          </Suspense>
        ) : (
          <>
            {planList}
            <div>
              <button type="button" onClick={() => setChanging(true)}>
                {t("billing.plan.open")}
              </button>
            </div>
          </>
        )}
      </section>

      <section className="billing-section" aria-labelledby="cards-heading">
        <h2 id="cards-heading">{t("billing.card.heading")}</h2>
        {cards}
        {adding ? (
          <Suspense fallback={loading}>
            <CardForm slug={slug} api={api} onSaved={saved} />
          </Suspense>
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

    </>
  );
}
