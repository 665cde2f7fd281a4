import "../../security.css";

import { ProblemError } from "@tenantry/api-client";
import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";

import { Notices } from "@/components/Notices";
import { Queries } from "@/components/Queries";
import { Words } from "@/components/Words";
import { PasswordChange } from "@/components/security/PasswordChange";
import { SessionList } from "@/components/security/SessionList";
import { TwoFactorPanel } from "@/components/security/TwoFactorPanel";
import { controlPlane } from "@/lib/api";
import { requestContext } from "@/lib/request";
import { heldAccess, REFRESH_COOKIE } from "@/lib/session";

export const metadata: Metadata = { title: "Security" };

/**
 * The account's security (the proxy has made sure the session's access token is fresh): the two-step status is
 * read here and handed to its panel (TanStack Query's initial data); the sessions load in the browser.
 */
export default async function SecurityPage() {
  const [{ locale, t }, jar] = await Promise.all([requestContext(), cookies()]);
  const access = heldAccess(jar.get(REFRESH_COOKIE)?.value);
  let detail: string | null = access ? null : t("error.network");
  let email = "";
  let twoFactor;
  if (access) {
    const api = controlPlane(access);
    try {
      let me;
      [me, twoFactor] = await Promise.all([
        api.GET("/api/v1/auth/me/").then((answer) => answer.data),
        api.GET("/api/v1/auth/two-factor/").then((answer) => answer.data),
      ]);
      email = me?.email ?? "";
    } catch (error) {
      if (error instanceof ProblemError && error.status === 401) redirect("/sign-in?next=/account/security");
      detail = error instanceof ProblemError && error.code !== "unexpected_response" ? error.detail : t("error.network");
    }
  }
  return (
    <div className="security">
      <h1>{t("security.title")}</h1>
      {detail || !twoFactor ? (
        <p className="alert" role="alert">
          {detail ?? t("error.network")}
        </p>
      ) : (
        <>
          <div className="controls">
            <p className="muted">
              {t("security.intro")} {t("stores.signedInAs", { email })}
            </p>
          </div>
          <Words areas={["base", "security", "signup"]}>
            <Queries>
              <TwoFactorPanel locale={locale} initial={twoFactor} />
              <SessionList locale={locale} />
              <section className="card" aria-labelledby="password-title">
                <h2 id="password-title">{t("security.password.title")}</h2>
                <p className="muted">{t("security.password.help")}</p>
                <PasswordChange />
              </section>
            </Queries>
            <Notices />
          </Words>
        </>
      )}
    </div>
  );
}
