import "../stores.css";

import type { Metadata } from "next";
import { cookies } from "next/headers";

import { Words } from "@/components/Words";
import { AcceptInvitation } from "@/components/stores/AcceptInvitation";
import { requestContext } from "@/lib/request";
import { REFRESH_COOKIE } from "@/lib/session";

export const metadata: Metadata = { title: "Accept the invitation" };

/** Where a store's invitation mail leads (`?token=`): accept it signed in, or create the invited account. */
export default async function AcceptInvitationPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const [{ t, locale }, query, jar] = await Promise.all([requestContext(), searchParams, cookies()]);
  const token = typeof query.token === "string" ? query.token : "";
  return (
    <>
      <h1>{t("stores.accept.title")}</h1>
      {token ? (
        <Words areas={["base", "stores", "signup"]}>
          <AcceptInvitation token={token} signedIn={Boolean(jar.get(REFRESH_COOKIE)?.value)} />
        </Words>
      ) : (
        <p className="alert" role="alert">
          {t("stores.accept.missing")}
        </p>
      )}
    </>
  );
}
