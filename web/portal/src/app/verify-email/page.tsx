import { ProblemError } from "@tenantry/api-client";
import type { Metadata } from "next";

import { NewVerificationLink } from "@/components/ForgotPasswordForm";
import { Words } from "@/components/Words";
import { controlPlane } from "@/lib/api";
import { browserHeaders, requestContext } from "@/lib/request";


export const metadata: Metadata = { title: "Confirm your email address" };

/** ok; the link no longer works (the API's `link_expired`: too old; `link_invalid`: used, or not a whole link); or
 * another reason. */
type Result =
  | { ok: true; email: string }
  | { ok: false; spent: "expired" | "used" }
  | { ok: false; spent: false; message: string };

async function verify(uid: string, token: string, networkMessage: string): Promise<Result> {
  try {
    const { data } = await controlPlane().POST("/api/v1/auth/email/verify/", {
      body: { uid, token },
      headers: await browserHeaders(),
    });
    return { ok: true, email: data?.email ?? "" };
  } catch (error) {
    if (error instanceof ProblemError && error.code !== "unexpected_response") {
      if (error.errors.some((item) => item.code === "link_expired")) return { ok: false, spent: "expired" };
      if (error.errors.some((item) => item.code === "link_invalid")) return { ok: false, spent: "used" };
      return { ok: false, spent: false, message: error.errors.map((e) => e.detail).join(" ") || error.detail };
    }
    return { ok: false, spent: false, message: networkMessage };
  }
}

/** Where the platform's verification mail leads: confirms the address with the link's uid and token. A link that has
 * expired, or was used, says which and offers a new one. */
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const [{ t }, query] = await Promise.all([requestContext(), searchParams]);
  const { uid, token } = query;
  let title = t("verify.title");
  let body;
  if (typeof uid !== "string" || typeof token !== "string" || !uid || !token) {
    body = (
      <p className="alert" role="alert">
        {t("verify.missing")}
      </p>
    );
  } else {
    const result = await verify(uid, token, t("error.network"));
    if (result.ok) {
      body = (
        <>
          <p className="success" role="status">
            {t("verify.ok", { email: result.email })}
          </p>
          <p>
            <a className="button" href="/sign-in">
              {t("verify.continue")}
            </a>
          </p>
        </>
      );
    } else if (result.spent) {
      title = t(result.spent === "expired" ? "verify.expiredTitle" : "verify.usedTitle");
      body = (
        <>
          <p className="alert" role="alert">
            {t(result.spent === "expired" ? "verify.expired" : "verify.used")}
          </p>
          <section className="stack" aria-labelledby="new-link-heading">
            <h2 id="new-link-heading">{t("verify.newTitle")}</h2>
            <Words areas={["base"]}>
              <NewVerificationLink />
            </Words>
          </section>
          <p>
            <a href="/sign-in">{t("verify.signIn")}</a>
          </p>
        </>
      );
    } else {
      body = (
        <div className="alert" role="alert">
          <p className="error">
            {t("verify.failed")} {result.message}
          </p>
        </div>
      );
    }
  }
  return (
    <>
      <h1>{title}</h1>
      {body}
    </>
  );
}
