import "../../../billing.css";

import { ProblemError } from "@tenantry/api-client";
import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";

import { Notices } from "@/components/Notices";
import { Queries } from "@/components/Queries";
import { Words } from "@/components/Words";
import { controlPlane } from "@/lib/api";
import { requestContext } from "@/lib/request";
import { heldAccess, REFRESH_COOKIE } from "@/lib/session";
import { stripeJsUrl } from "@/lib/stripe";

import { Billing } from "./Billing";
import type { UsageSeries } from "./chart-data";
import { CardList, DunningBanner, PlanList, PlanSummary } from "./Summary";
import { UsageCharts } from "./UsageCharts";
import { STRIPE_SCRIPT_ID } from "./stripe-script";

export const metadata: Metadata = { title: "Billing" };

/**
 * A store's billing: read on the server (plans, subscription, cards) and what needs no interaction rendered here
 * (./Summary), the rest run in the browser (see Billing, which asks for this page again after a change).
 */
export default async function BillingPage({ params }: { params: Promise<{ slug: string }> }) {
  const [{ t, locale, nonce }, { slug }, jar] = await Promise.all([requestContext(), params, cookies()]);
  const here = `/stores/${encodeURIComponent(slug)}/billing`;
  const heading = <h1>{t("billing.title", { store: slug })}</h1>;
  const failed = (detail: string) => (
    <>
      {heading}
      <p className="alert" role="alert">
        {detail}
      </p>
      <p>
        <a href="/stores">{t("billing.back")}</a>
      </p>
    </>
  );
  const access = heldAccess(jar.get(REFRESH_COOKIE)?.value);
  if (!access) return failed(t("error.network"));
  const api = controlPlane(access);
  // The usage on its own: the rest of the page works without it, which then says what went wrong.
  const usage = api
    .GET("/api/v1/tenants/{slug}/usage", { params: { path: { slug } } })
    .then((answer) => ({ series: answer.data as UsageSeries }))
    .catch((error: unknown) => ({
      failure: error instanceof ProblemError && error.code !== "unexpected_response" ? error.detail : t("error.network"),
    }));
  let subscription, plans, methods;
  try {
    [subscription, plans, methods] = await Promise.all([
      api.GET("/api/v1/tenants/{slug}/subscription", { params: { path: { slug } } }).then((answer) => answer.data!),
      api.GET("/api/v1/plans/").then((answer) => answer.data!.results),
      api.GET("/api/v1/tenants/{slug}/payment-methods", { params: { path: { slug } } }).then((answer) => answer.data!.results),
    ]);
  } catch (error) {
    if (error instanceof ProblemError && error.status === 401) redirect(`/sign-in?next=${encodeURIComponent(here)}`);
    if (error instanceof ProblemError && error.status === 403) return failed(t("billing.notAllowed"));
    return failed(error instanceof ProblemError && error.code !== "unexpected_response" ? error.detail : t("error.network"));
  }
  return (
    <>
      {/* Stripe.js (or localstripe's stand-in, see STRIPE_JS_URL): loaded from its own origin, as Stripe requires. */}
      <script id={STRIPE_SCRIPT_ID} src={stripeJsUrl()} nonce={nonce} async />
      <p>
        <a href="/stores">{t("billing.back")}</a>
      </p>
      {heading}
      <Words areas={["base", "billing"]}>
        <Queries>
          <DunningBanner t={t} locale={locale} subscription={subscription} />
          <Billing
            locale={locale}
            slug={slug}
            plans={plans}
            current={subscription.plan}
            hasCard={methods.length > 0}
            summary={<PlanSummary t={t} locale={locale} plans={plans} subscription={subscription} />}
            planList={<PlanList t={t} plans={plans} current={subscription.plan} />}
            cards={<CardList t={t} methods={methods} />}
          />
          <section className="billing-section" aria-labelledby="usage-heading">
            <h2 id="usage-heading">{t("billing.usage.heading")}</h2>
            <UsageCharts t={t} locale={locale} usage={await usage} here={here} />
          </section>
        </Queries>
        <Notices />
      </Words>
    </>
  );
}
