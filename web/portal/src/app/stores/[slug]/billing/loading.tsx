import "../../../billing.css";

import { requestContext } from "@/lib/request";

/** While the server reads the store's billing: the page's frame, with placeholders where its parts will be. */
export default async function Loading() {
  const { t } = await requestContext();
  return (
    <div aria-busy="true">
      <p className="muted" role="status">
        {t("billing.loading")}
      </p>
      <div className="skeleton-block" />
      <div className="skeleton-block" />
      <div className="skeleton-block" />
    </div>
  );
}
