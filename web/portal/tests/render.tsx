/**
 * Testing Library's `render` with the page's words: the client components read them with `useT()` from the
 * MessagesProvider a page puts around them. Here that is the real dictionary, every area, in `locale`.
 */

import { render as renderPlain, type RenderOptions } from "@testing-library/react";
import type { ReactElement, ReactNode } from "react";

import { type Locale, MESSAGES } from "@/lib/i18n";
import { MessagesProvider } from "@tenantry/i18n/client";

export function render(ui: ReactElement, { locale = "en", ...options }: RenderOptions & { locale?: Locale } = {}) {
  const wrapper = ({ children }: { children: ReactNode }) => <MessagesProvider messages={MESSAGES[locale]} app="portal">{children}</MessagesProvider>;
  return renderPlain(ui, { wrapper, ...options });
}
