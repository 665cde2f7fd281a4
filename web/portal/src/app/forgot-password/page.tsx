import type { Metadata } from "next";

import { Words } from "@/components/Words";
import { ForgotPasswordForm } from "@/components/ForgotPasswordForm";
import { requestContext } from "@/lib/request";

export const metadata: Metadata = { title: "Forgot your password?" };

/** Ask for the mail whose link leads to /reset-password. */
export default async function ForgotPasswordPage() {
  const { locale, t } = await requestContext();
  return (
    <>
      <h1>{t("forgot.title")}</h1>
      <Words areas={["base"]}>
        <ForgotPasswordForm />
      </Words>
      <p>
        <a href="/sign-in">{t("forgot.back")}</a>
      </p>
    </>
  );
}
