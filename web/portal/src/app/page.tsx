import { requestContext } from "@/lib/request";

export default async function Home() {
  const { t } = await requestContext();
  return (
    <>
      <h1>{t("home.title")}</h1>
      <p>{t("home.lead")}</p>
      <p>
        <a className="button" href="/sign-in">
          {t("nav.signIn")}
        </a>{" "}
        <a href="/sign-up">{t("signup.link")}</a>
      </p>
    </>
  );
}
