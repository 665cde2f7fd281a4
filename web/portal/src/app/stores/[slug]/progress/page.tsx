import "../../../signup.css";

import { ProblemError } from "@tenantry/api-client";
import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";

import { Words } from "@/components/Words";
import { ProvisioningProgress } from "@/components/ProvisioningProgress";
import { controlPlane } from "@/lib/api";
import type { MessageKey } from "@/lib/i18n";
import { requestContext } from "@/lib/request";
import { heldAccess, REFRESH_COOKIE } from "@/lib/session";

export const metadata: Metadata = { title: "Setting up your store" };

const PAID = new Set(["starter", "growth", "enterprise"]);

/**
 * A store's set-up, followed live (the proxy made sure the session is fresh). The store as it is now is
 * rendered on the server, so the page shows something at once; the browser then follows its event stream.
 */
export default async function ProgressPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const [{ locale, t }, { slug }, query, jar] = await Promise.all([requestContext(), params, searchParams, cookies()]);
  const access = heldAccess(jar.get(REFRESH_COOKIE)?.value);
  const here = `/stores/${encodeURIComponent(slug)}/progress`;
  const failure = (message: string) => (
    <>
      <h1>{t("signup.progress.title", { name: slug })}</h1>
      <p className="alert" role="alert">
        {message}
      </p>
      <p>
        <a href="/stores">{t("signup.progress.toStores")}</a>
      </p>
    </>
  );
  if (!access) return failure(t("error.network"));
  let tenant;
  try {
    tenant = (await controlPlane(access).GET("/api/v1/tenants/{slug}/", { params: { path: { slug } } })).data;
  } catch (error) {
    if (error instanceof ProblemError && error.status === 401) redirect(`/sign-in?next=${encodeURIComponent(here)}`);
    if (error instanceof ProblemError && error.status === 404) return failure(t("signup.progress.notFound", { slug }));
    const detail = error instanceof ProblemError && error.code !== "unexpected_response" ? error.detail : t("error.network");
    return failure(detail);
  }
  if (!tenant) return failure(t("error.network"));
  const plan = typeof query.plan === "string" && PAID.has(query.plan) ? query.plan : null;
  const fresh = tenant.state === "pending" || tenant.state === "provisioning";
  return (
    <Words areas={["base", "signup"]}>
      <ProvisioningProgress
      slug={tenant.slug}
      name={tenant.name}
      initial={{ slug: tenant.slug, state: tenant.state, state_reason: tenant.state_reason, url: tenant.url || null, conditions: [] }}
    >
      {fresh ? <p>{t("signup.progress.lead")}</p> : null}
      {fresh ? <p className="muted">{t("signup.progress.signedUp")}</p> : null}
      {plan ? (
        <p className="muted">{t("signup.progress.paid", { plan: t(`signup.plan.${plan}` as MessageKey) })}</p>
      ) : null}
    </ProvisioningProgress>
    </Words>
  );
}
