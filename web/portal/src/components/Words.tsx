/**
 * Gives the client components below it the words of `areas` in the request's locale (a server component: the
 * dictionary stays on the server, only these words go to the browser with the page; `useT()` of
 * @tenantry/i18n/client reads them).
 */

import { MessagesProvider } from "@tenantry/i18n/client";
import type { ReactNode } from "react";

import { type Area, messagesFor } from "@/lib/i18n";
import { requestContext } from "@/lib/request";

export async function Words({ areas, children }: { areas: readonly Area[]; children: ReactNode }) {
  const { locale } = await requestContext();
  return (
    <MessagesProvider messages={messagesFor(locale, areas)} app="portal">
      {children}
    </MessagesProvider>
  );
}
