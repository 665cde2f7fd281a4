import type { Metadata } from "next";

import { Words } from "@/components/Words";
import { SignInForm } from "@/components/SignInForm";
import { requestContext } from "@/lib/request";

export const metadata: Metadata = { title: "Sign in" };

/** Only a path on this site: never an open redirect. */
function safeNext(value: string | string[] | undefined): string {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") ? value : "/stores";
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const [{ locale, t }, query] = await Promise.all([requestContext(), searchParams]);
  return (
    <>
      <h1>{t("signIn.title")}</h1>
      <Words areas={["base", "security"]}>
        <SignInForm locale={locale} next={safeNext(query.next)} />
      </Words>
      <p>
        <a href="/forgot-password">{t("signIn.forgot")}</a>
      </p>
      <p>
        {t("signup.noAccount")} <a href="/sign-up">{t("signup.link")}</a>
      </p>
    </>
  );
}
