import "../staff.css";

import { requestContext } from "@/lib/request";

/**
 * What a signed-in user who is not platform staff sees at /staff, sent with HTTP 403: the page calls `forbidden()`
 * (next/navigation, `experimental.authInterrupts` in next.config.ts) when /auth/me/ says they are not staff.
 */
export default async function StaffForbidden() {
  const { t } = await requestContext();
  return (
    <section className="staff-refused" aria-labelledby="refused">
      <p className="staff-code" aria-hidden="true">
        403
      </p>
      <h1 id="refused">{t("staff.forbiddenTitle")}</h1>
      <p>{t("staff.forbidden")}</p>
      <p>
        <a className="button" href="/stores">
          {t("staff.backToStores")}
        </a>
      </p>
    </section>
  );
}
