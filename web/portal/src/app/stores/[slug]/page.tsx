import "../../stores.css";

import { ProblemError } from "@tenantry/api-client";
import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";

import { Notices } from "@/components/Notices";
import { Queries } from "@/components/Queries";
import { Words } from "@/components/Words";
import { StoreView } from "@/components/stores/StoreView";
import { controlPlane } from "@/lib/api";
import { requestContext } from "@/lib/request";
import { heldAccess, REFRESH_COOKIE } from "@/lib/session";

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }): Promise<Metadata> {
  return { title: (await params).slug };
}

/** One store (the proxy has made sure the session's access token is fresh). */
export default async function StorePage({
  params,
}: {
  params: Promise<{ slug: string }>;
}) {
  const [{ t, locale }, { slug }, jar] = await Promise.all([requestContext(), params, cookies()]);
  const access = heldAccess(jar.get(REFRESH_COOKIE)?.value);
  const failure = (message: string) => (
    <>
      <h1>{slug}</h1>
      <p className="alert" role="alert">
        {message}
      </p>
      <p>
        <a href="/stores">{t("stores.back")}</a>
      </p>
    </>
  );
  if (!access) return failure(t("error.network"));
  const api = controlPlane(access);
  let store, me;
  try {
    [store, me] = await Promise.all([
      api.GET("/api/v1/tenants/{slug}/", { params: { path: { slug } } }).then((response) => response.data),
      api.GET("/api/v1/auth/me/").then((response) => response.data),
    ]);
  } catch (error) {
    if (error instanceof ProblemError && error.status === 401) redirect(`/sign-in?next=/stores/${encodeURIComponent(slug)}`);
    if (error instanceof ProblemError && error.status === 404) return failure(t("stores.notFound", { slug }));
    return failure(error instanceof ProblemError && error.code !== "unexpected_response" ? error.detail : t("error.network"));
  }
  if (!store) return failure(t("error.network"));
  return (
    <Words areas={["base", "stores"]}>
      <Queries>
        <StoreView locale={locale} initial={store} email={me?.email ?? ""} />
      </Queries>
      <Notices />
    </Words>
  );
}
