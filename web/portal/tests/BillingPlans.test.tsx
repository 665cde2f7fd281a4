/**
 * The billing page's plans before and after "Change the plan…": a list (the free plan named once, its price
 * "No charge"), then the plan change's form, loaded on the click, with the focus on the current plan.
 * The invoices' query gets no answer from the stand-in here: it is not what is tested.
 */

import { createControlPlaneClient } from "@tenantry/api-client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import { Billing } from "@/app/stores/[slug]/billing/Billing";
import { CardList, PlanList, PlanSummary } from "@/app/stores/[slug]/billing/Summary";
import type { Plan, Subscription } from "@/app/stores/[slug]/billing/types";
import { translator } from "@/lib/i18n";

import { type StandIn, startStandIn } from "../../packages/api-client/tests/stand-in";
import { render } from "./render";

const plan = (name: Plan["name"], title: string, amount: string): Plan => ({
  name,
  title,
  price: { amount, currency: "EUR", interval: "month" },
  features: [],
  limits: { max_products: null, max_members: null, api_requests_per_minute: 60 },
  resources: { replicas_max: 1, storage: "1Gi", db_connection_limit: 5 },
});
const PLANS = [plan("free", "Free", "0.00"), plan("starter", "Starter", "29.00"), plan("growth", "Growth", "99.00")];
const FREE: Subscription = { tenant: "acme", plan: "free", state: "ready", country: "", subscription: null, dunning: null };

// Billing asks for the page again after a change; no App Router here.
vi.mock("next/navigation", () => ({ useRouter: () => ({ refresh: () => undefined }) }));

let bff: StandIn;
beforeAll(async () => {
  bff = await startStandIn();
});
afterAll(async () => {
  await bff.close();
});
afterEach(() => {
  cleanup();
});

function renderBilling(locale: "en" | "de" = "en") {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  const api = createControlPlaneClient(`${bff.url}/bff`, () => null);
  const t = translator(locale);
  render(
    <QueryClientProvider client={client}>
      <Billing
        locale={locale}
        slug="acme"
        plans={PLANS}
        current={FREE.plan}
        hasCard={false}
        summary={<PlanSummary t={t} locale={locale} plans={PLANS} subscription={FREE} />}
        planList={<PlanList t={t} plans={PLANS} current={FREE.plan} />}
        cards={<CardList t={t} methods={[]} />}
        api={api}
      />
    </QueryClientProvider>,
    { locale },
  );
  return userEvent.setup();
}

describe("Billing's plans", () => {
  it("lists the plans with the current one marked and the free plan named once, without the form", () => {
    // (PlanList is a server component on the page; rendered here as the page hands it to Billing.)
    renderBilling();
    const plans = within(screen.getByRole("list", { name: "Plans" })).getAllByRole("listitem");
    expect(plans.map((item) => item.textContent)).toEqual(["Free (your plan)No charge", "Starter 29.00 EUR a month", "Growth 99.00 EUR a month"]);
    expect(plans[0]?.textContent?.match(/Free/g)).toHaveLength(1); // the name, not the price as well
    expect(screen.queryByRole("radio")).toBeNull();
    expect(screen.queryByRole("button", { name: "Show the price" })).toBeNull();
  });

  it("loads the plan change's form on the click and focuses the current plan", async () => {
    const user = renderBilling();
    await user.click(screen.getByRole("button", { name: "Change the plan…" }));
    const free = await screen.findByRole("radio", { name: /^Free/ }, { timeout: 3000 }); // loaded on the click
    expect((free as HTMLInputElement).checked).toBe(true);
    expect(document.activeElement).toBe(free);
    expect(free.closest("label")?.textContent).toBe("Free (your plan)No charge");
    expect(screen.queryByRole("list", { name: "Plans" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Change the plan…" })).toBeNull();
    // The form checks before sending: the current plan is no change.
    await user.click(screen.getByRole("button", { name: "Show the price" }));
    expect((await screen.findByText("Choose a plan other than your current one.")).textContent).toBe("Choose a plan other than your current one.");
    expect(bff.requests.filter((request) => request.method === "POST")).toEqual([]);
  });

  it("says it in German", async () => {
    const user = renderBilling("de");
    const plans = within(screen.getByRole("list", { name: "Tarife" })).getAllByRole("listitem");
    expect(plans[0]?.textContent).toBe("Free (Ihr Tarif)Kostenlos");
    await user.click(screen.getByRole("button", { name: "Tarif wechseln…" }));
    expect(document.activeElement).toBe(await screen.findByRole("radio", { name: /^Free/ }, { timeout: 3000 }));
  });
});
