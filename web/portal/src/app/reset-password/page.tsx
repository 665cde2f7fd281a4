import type { Metadata } from "next";

import { Words } from "@/components/Words";
import { ResetPasswordForm } from "@/components/ResetPasswordForm";
import { requestContext } from "@/lib/request";

export const metadata: Metadata = { title: "Choose a new password" };

/** Where the platform's reset mail leads: a new password for the link's uid and token. A link that has expired (or
 * was used) is refused when the password is sent; the way to a new link is always at hand. */
export default async function ResetPasswordPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const [{ locale, t }, query] = await Promise.all([requestContext(), searchParams]);
  const { uid, token } = query;
  return (
    <>
      <h1>{t("reset.title")}</h1>
      {typeof uid === "string" && typeof token === "string" && uid && token ? (
        <Words areas={["base", "signup"]}>
          <ResetPasswordForm uid={uid} token={token} />
        </Words>
      ) : (
        <p className="alert" role="alert">
          {t("reset.missing")}
        </p>
      )}
      <p>
        {t("reset.expiredHint")}{" "}
        <a href="/forgot-password">{t("reset.newLink")}</a>
      </p>
    </>
  );
}
