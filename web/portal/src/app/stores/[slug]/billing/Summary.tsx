/**
 * What the billing page shows without interaction, rendered on the server (no client code): the dunning banner,
 * the current plan, the plans with their prices, the saved cards. After a change (a new plan, a card) Billing asks
 * for the page again (`router.refresh()`), and these come back with the new figures.
 */

import type { Locale, Translate } from "@/lib/i18n";

import type { PaymentMethod, Plan, Subscription } from "./types";

/** A plan's price as its card shows it: "29.00 EUR a month", or "No charge" (the free plan is titled "Free" already). */
export function planPrice(plan: Plan, t: Translate): string {
  return Number(plan.price.amount) === 0
    ? t("billing.plan.free")
    : t("billing.plan.price", { amount: plan.price.amount, currency: plan.price.currency });
}

export function DunningBanner({ t, locale, subscription }: { t: Translate; locale: Locale; subscription: Subscription }) {
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

/** The plan the store is on, its subscription's status, and when it renews or ends. */
export function PlanSummary({ t, locale, plans, subscription }: { t: Translate; locale: Locale; plans: Plan[]; subscription: Subscription }) {
  const title = plans.find((plan) => plan.name === subscription.plan)?.title ?? subscription.plan;
  const end = subscription.subscription?.current_period_end;
  const periodEnd = end ? new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(new Date(end)) : null;
  return (
    <>
      <p>
        <strong>{t("billing.plan.current", { plan: title })}</strong>
        {subscription.subscription ? (
          <>
            {" "}
            <span className="muted">{t("billing.plan.status", { status: subscription.subscription.status })}</span>
          </>
        ) : null}
      </p>
      {periodEnd ? (
        <p className="muted">
          {subscription.subscription?.cancel_at_period_end ? t("billing.plan.ends", { date: periodEnd }) : t("billing.plan.renews", { date: periodEnd })}
        </p>
      ) : null}
    </>
  );
}

/** The plans with their prices, the current one marked (the free one's price reads "No charge": it is titled "Free"). */
export function PlanList({ t, plans, current }: { t: Translate; plans: Plan[]; current: string }) {
  return (
    <ul className="plan-options plan-list" aria-label={t("billing.plan.list")}>
      {plans.map((plan) => (
        <li key={plan.name} className={`plan-option${plan.name === current ? " chosen" : ""}`}>
          <span className="plan-name">
            {plan.title} {plan.name === current ? <span className="muted">{t("billing.plan.currentTag")}</span> : null}
          </span>
          <span className="muted">{planPrice(plan, t)}</span>
        </li>
      ))}
    </ul>
  );
}

/** The saved cards, the default one marked. */
export function CardList({ t, methods }: { t: Translate; methods: PaymentMethod[] }) {
  if (!methods.length) return <p className="muted">{t("billing.card.none")}</p>;
  return (
    <ul className="cards-list">
      {methods.map((method) => (
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
  );
}
