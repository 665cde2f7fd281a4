import "./public.css";

import type { Metadata } from "next";

import { Queries } from "@/components/Queries";
import { Words } from "@/components/Words";
import { SearchCombobox } from "@/components/public/SearchCombobox";
import { publicBaseUrl } from "@/lib/public-url";
import { requestContext } from "@/lib/request";

export async function generateMetadata(): Promise<Metadata> {
  const [{ t }, base] = await Promise.all([requestContext(), publicBaseUrl()]);
  return {
    title: { absolute: `Tenantry · ${t("public.title")}` },
    description: t("public.lead"),
    alternates: { canonical: `${base}/` },
    openGraph: { title: t("public.title"), description: t("public.lead"), url: `${base}/`, siteName: "Tenantry", type: "website" },
  };
}

/** The landing page: what Tenantry is, the marketplace search (with suggestions as one types), sign up or in. */
export default async function Home() {
  const { t, locale } = await requestContext();
  return (
    <div className="public">
      <section className="hero" aria-labelledby="hero-title">
        <h1 id="hero-title">{t("public.title")}</h1>
        <p className="lead">{t("public.lead")}</p>
        <p className="actions">
          <a className="button" href="/sign-up">
            {t("public.signUp")}
          </a>
          <span className="muted">
            {t("public.haveAccount")} <a href="/sign-in">{t("public.signIn")}</a>
          </span>
        </p>
      </section>
      <section aria-labelledby="marketplace-title">
        <h2 id="marketplace-title">{t("public.marketplace")}</h2>
        <Words areas={["public"]}>
          <Queries>
            <SearchCombobox id="landing-search" />
          </Queries>
        </Words>
        <p>
          <a href="/directory">{t("search.browse")}</a>
        </p>
      </section>
      <section aria-labelledby="features-title">
        <h2 id="features-title">{t("public.features")}</h2>
        <ul className="features">
          <li>{t("public.feature1")}</li>
          <li>{t("public.feature2")}</li>
          <li>{t("public.feature3")}</li>
        </ul>
      </section>
    </div>
  );
}
