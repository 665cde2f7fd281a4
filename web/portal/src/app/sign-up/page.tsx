import "../signup.css";

import type { Metadata } from "next";

import { Words } from "@/components/Words";
import { type PlanOffer, SignUpForm } from "@/components/SignUpForm";
import { controlPlane } from "@/lib/api";
import { requestContext } from "@/lib/request";

export const metadata: Metadata = { title: "Create your store" };
export const dynamic = "force-dynamic";

/** The plans and their prices, read on the server (public); null when the API cannot be reached. */
async function plans(): Promise<PlanOffer[] | null> {
  try {
    const { data } = await controlPlane().GET("/api/v1/plans/");
    return (data?.results ?? []).map((plan) => ({
      name: plan.name,
      title: plan.title,
      amount: plan.price.amount,
      currency: plan.price.currency,
      features: plan.features,
    }));
  } catch {
    return null;
  }
}

export default async function SignUpPage() {
  const [{ locale, t }, offers] = await Promise.all([requestContext(), plans()]);
  return (
    <>
      <h1>{t("signup.title")}</h1>
      <p>{t("signup.lead")}</p>
      <Words areas={["base", "signup"]}>
        <SignUpForm locale={locale} plans={offers && offers.length ? offers : null} />
      </Words>
      <p className="muted">{t("signup.terms")}</p>
      <p>
        {t("signup.haveAccount")} <a href="/sign-in">{t("nav.signIn")}</a>
      </p>
    </>
  );
}
