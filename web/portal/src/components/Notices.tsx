/**
 * The notices a long action leaves behind (`useNotices` and `NoticeList` of @tenantry/ui/notices), with the portal's
 * word for closing one. A server component: the word comes with the page, and the list is the only client code.
 * Rendered by the pages whose client components push notices, not by the root layout, so the other pages' first load
 * carries neither the store nor the list.
 */

import { NoticeList } from "@tenantry/ui/notices";

import { requestContext } from "@/lib/request";

export async function Notices() {
  const { t } = await requestContext();
  return <NoticeList dismissLabel={t("app.dismiss")} />;
}
