/** The dunning banner: nothing while payments go through; during the grace period its end; once suspended, so. */

import { cleanup, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { DunningBanner } from "@/app/stores/[slug]/billing/Summary";
import type { Subscription } from "@/app/stores/[slug]/billing/types";
import { translator } from "@/lib/i18n";
import { render } from "./render";

const PAID: Subscription = {
  tenant: "acme",
  plan: "starter",
  state: "ready",
  country: "DE",
  subscription: { id: "sub_1", status: "active", current_period_end: "2026-04-02T09:14:05Z", cancel_at_period_end: false },
  dunning: null,
};

afterEach(() => cleanup());

describe("DunningBanner", () => {
  it("says nothing while payments go through", () => {
    const { container } = render(<DunningBanner t={translator("en")} locale="en" subscription={PAID} />);
    expect(container.innerHTML).toBe("");
  });

  it("names the end of the grace period and what to do", () => {
    const pastDue: Subscription = {
      ...PAID,
      subscription: { ...PAID.subscription!, status: "past_due" },
      dunning: { payment_failed_at: "2026-03-02T09:00:00Z", grace_ends_at: "2026-03-09T09:00:00Z", suspended: false },
    };
    render(<DunningBanner t={translator("en")} locale="en" subscription={pastDue} />);
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("A payment failed");
    expect(alert.textContent).toContain("keeps working until March 9, 2026 at 9:00 AM UTC");
    expect(alert.textContent).toContain("Add a working card below");
  });

  it("says the store is suspended, in German too", () => {
    const suspended: Subscription = {
      ...PAID,
      state: "suspended",
      dunning: { payment_failed_at: "2026-03-02T09:00:00Z", grace_ends_at: "2026-03-09T09:00:00Z", suspended: true },
    };
    render(<DunningBanner t={translator("de")} locale="de" subscription={suspended} />, { locale: "de" });
    expect(screen.getByRole("alert").textContent).toContain("Der Shop ist gesperrt");
  });
});
