/**
 * The plan-change form against a local HTTP server that answers as the BFF's pass-through does: it checks the
 * choice before sending, asks for the prorated preview (`preview: true`) and shows it, changes the plan only on
 * confirmation, and shows the API's problems where they belong.
 */

import { createControlPlaneClient } from "@tenantry/api-client";
import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { PlanChange } from "@/app/stores/[slug]/billing/PlanChange";
import type { Plan, Subscription } from "@/app/stores/[slug]/billing/types";

import { json, type StandIn, startStandIn } from "../../packages/api-client/tests/stand-in";
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

let bff: StandIn;
let changed: Subscription[];

beforeAll(async () => {
  bff = await startStandIn();
});
afterAll(async () => {
  await bff.close();
});
beforeEach(() => {
  bff.requests.length = 0;
  changed = [];
});
afterEach(() => {
  cleanup();
});

function renderForm({ current = "starter", hasCard = true, locale = "en" as "en" | "de" } = {}) {
  const api = createControlPlaneClient(`${bff.url}/bff`, () => null);
  render(
    <PlanChange
      slug="acme"
      plans={PLANS}
      current={current}
      hasCard={hasCard}
      api={api}
      onChanged={(subscription) => changed.push(subscription)}
    />,
    { locale },
  );
  return userEvent.setup();
}

function problem(status: number, code: string, detail: string, errors: object[] = []) {
  return json(status, { type: "about:blank", title: "t", status, detail, code, errors }, "application/problem+json");
}

const PREVIEW = {
  plan: "growth",
  currency: "EUR",
  amount_due: "70.00",
  lines: [
    { description: "Unused time on Tenantry Starter", amount: "-29.00" },
    { description: "Remaining time on Tenantry Growth", amount: "99.00" },
  ],
};
const SUBSCRIPTION: Subscription = {
  tenant: "acme",
  plan: "growth",
  state: "ready",
  country: "",
  subscription: { id: "sub_1", status: "active", current_period_end: null, cancel_at_period_end: false },
  dunning: null,
};

describe("PlanChange", () => {
  it("refuses the current plan before sending anything", async () => {
    const user = renderForm();
    await user.click(screen.getByRole("button", { name: "Show the price" }));

    expect(await screen.findByText("Choose a plan other than your current one.")).toBeTruthy();
    expect(screen.getByRole("group", { name: "Choose a plan" }).getAttribute("aria-describedby")).toBe("plan-error");
    expect(bff.requests).toHaveLength(0);
  });

  it("shows the prorated preview, then changes the plan only once confirmed", async () => {
    bff.answer(json(200, PREVIEW));
    const user = renderForm();
    await user.click(screen.getByRole("radio", { name: /Growth/ }));
    await user.click(screen.getByRole("button", { name: "Show the price" }));

    expect(await screen.findByRole("heading", { name: "Moving to Growth" })).toBeTruthy();
    expect(screen.getByText("Unused time on Tenantry Starter")).toBeTruthy();
    expect(screen.getByText("-29.00 EUR")).toBeTruthy();
    expect(screen.getByRole("status").textContent).toBe("Due now: 70.00 EUR");
    expect(screen.getByText(/unused time of your current plan is credited/)).toBeTruthy();
    expect(bff.requests).toHaveLength(1);
    expect(bff.requests[0]!.method).toBe("POST");
    expect(bff.requests[0]!.url).toBe("/bff/api/v1/tenants/acme/subscription");
    expect(JSON.parse(bff.requests[0]!.body)).toEqual({ plan: "growth", preview: true });
    expect(changed).toEqual([]);

    bff.answer(json(200, SUBSCRIPTION));
    await user.click(screen.getByRole("button", { name: "Confirm the change to Growth" }));
    await waitFor(() => expect(changed).toEqual([SUBSCRIPTION]));
    expect(JSON.parse(bff.requests[1]!.body)).toEqual({ plan: "growth", preview: false });
    expect(screen.queryByRole("heading", { name: "Moving to Growth" })).toBeNull();
  });

  it("asks for a card before a paid plan can be confirmed", async () => {
    bff.answer(json(200, { plan: "starter", currency: "EUR", amount_due: "34.51", lines: [] }));
    const user = renderForm({ current: "free", hasCard: false });
    await user.click(screen.getByRole("radio", { name: /Starter/ }));
    await user.click(screen.getByRole("button", { name: "Show the price" }));

    expect(await screen.findByText("Add a card below first: paid plans are charged to it.")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Confirm the change to Starter" }).hasAttribute("disabled")).toBe(true);
  });

  it("shows a declined payment's detail and keeps the plan", async () => {
    bff.answer(json(200, PREVIEW), problem(402, "payment_failed", "Your card was declined."));
    const user = renderForm();
    await user.click(screen.getByRole("radio", { name: /Growth/ }));
    await user.click(screen.getByRole("button", { name: "Show the price" }));
    await user.click(await screen.findByRole("button", { name: "Confirm the change to Growth" }));

    expect((await screen.findByRole("alert")).textContent).toBe("Your card was declined.");
    expect(changed).toEqual([]);
  });

  it("puts a field error of the API at the plans, and says so when the portal cannot be reached", async () => {
    bff.answer(problem(400, "invalid", "The request is invalid.", [{ pointer: "/plan", detail: "Not a plan.", code: "invalid_choice" }]));
    const user = renderForm();
    await user.click(screen.getByRole("radio", { name: /Growth/ }));
    await user.click(screen.getByRole("button", { name: "Show the price" }));
    expect(await screen.findByText("Not a plan.")).toBeTruthy();

    cleanup();
    const api = createControlPlaneClient("http://127.0.0.1:9/bff", () => null);
    render(<PlanChange slug="acme" plans={PLANS} current="free" hasCard api={api} onChanged={() => {}} />, { locale: "de" });
    const again = userEvent.setup();
    await again.click(screen.getByRole("radio", { name: /Growth/ }));
    await again.click(screen.getByRole("button", { name: "Preis anzeigen" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/Tenantry/);
  });
});
