/**
 * What every page has on the client: the service worker's registration. The rest is per page, so that a page's
 * first load carries only what it uses: TanStack Query in `<Queries>` (src/components/Queries.tsx), the notices
 * in `<Notices>` (src/components/Notices.tsx), the words in `<Words>` (src/components/Words.tsx). A server component:
 * only `<ServiceWorker>` is client code.
 */

import type { ReactNode } from "react";

import { ServiceWorker } from "@/components/ServiceWorker";

export function Providers({ children }: { children: ReactNode }) {
  return (
    <>
      {children}
      <ServiceWorker />
    </>
  );
}
