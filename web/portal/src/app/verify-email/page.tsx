import { ProblemError } from "@tenantry/api-client";
import type { Metadata } from "next";

import { controlPlane } from "@/lib/api";
import { browserHeaders, requestContext } from "@/lib/request";

export const metadata: Metadata = { title: "Confirm your email address" };

type Result = { ok: true; email: string } | { ok: false; message: string };

async function verify(uid: string, token: string, networkMessage: string): Promise<Result> {
  try {
    const { data } = await controlPlane().POST("/api/v1/auth/email/verify/", {
      body: { uid, token },
      headers: await browserHeaders(),
    });
    return { ok: true, email: data?.email ?? "" };
  } catch (error) {
    if (error instanceof ProblemError && error.code !== "unexpected_response") {
      return { ok: false, message: error.errors.map((e) => e.detail).join(" ") || error.detail };
    }
    return { ok: false, message: networkMessage };
  }
}

/** Where the platform's verification mail leads: confirms the address with the link's uid and token. */
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const [{ t }, query] = await Promise.all([requestContext(), searchParams]);
  const { uid, token } = query;
  let body;
  if (typeof uid !== "string" || typeof token !== "string" || !uid || !token) {
    body = (
      <p className="alert" role="alert">
        {t("verify.missing")}
      </p>
    );
  } else {
    const result = await verify(uid, token, t("error.network"));
    body = result.ok ? (
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
    ) : (
      <div className="alert" role="alert">
        <p className="error">
          {t("verify.failed")} {result.message}
        </p>
      </div>
    );
  }
  return (
    <>
      <h1>{t("verify.title")}</h1>
      {body}
    </>
  );
}
