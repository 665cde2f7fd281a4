"use client";

/**
 * The notices a long action leaves behind (`useNotices` of @tenantry/ui/notices), with the portal's word for closing
 * one. Rendered by the pages whose client components push notices (inside their `<Words>`), not by the root layout,
 * so the other pages' first load carries neither the store nor this list.
 */

import { useT } from "@tenantry/i18n/client";
import { NoticeList } from "@tenantry/ui/notices";

export function Notices() {
  const t = useT();
  return <NoticeList dismissLabel={t("app.dismiss")} />;
}
