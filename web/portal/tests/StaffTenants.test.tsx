/**
 * The staff console's tenants against a local HTTP server that answers as the BFF's pass-through does: the list with
 * its conditions, the moves each state allows, and a suspension confirmed in the dialog, refused, then done.
 */

import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import { actionsFor, StaffTenants } from "@/components/staff/StaffTenants";
import { useNotices } from "@tenantry/ui/notices";

import { json, type StandIn, startStandIn } from "../../packages/api-client/tests/stand-in";
import { render } from "./render";

const standIn = vi.hoisted(() => ({ url: "" }));
vi.mock("@/lib/browser-api", async () => {
  const { createControlPlaneClient } = await import("@tenantry/api-client");
  const viaStandIn = (request: Request) => fetch(new Request(request.url.replace("http://bff", standIn.url), request));
  return { portalApi: createControlPlaneClient("http://bff", () => null, { fetch: viaStandIn }), idempotencyKey: () => "key" };
});

let bff: StandIn;

beforeAll(async () => {
  bff = await startStandIn();
  standIn.url = bff.url;
  // jsdom has no modal dialogs: open and close are enough here.
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.open = true;
  };
  HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
    this.open = false;
    this.dispatchEvent(new Event("close"));
  };
});
afterAll(async () => {
  await bff.close();
});
afterEach(() => {
  cleanup();
  bff.requests.length = 0;
});

const tenant = (slug: string, state: string) => ({
  id: `id-${slug}`, slug, name: `Shop ${slug}`, plan: "free", tier: "shared", region: "local", state,
  state_reason: "", state_changed_at: "2026-03-02T09:14:05Z", url: "", created_at: "2026-03-01T09:00:00Z",
  conditions: [{ type: "Ready", status: state === "ready" ? "True" : "False", reason: "Reconciled" }],
  observed_generation: 1, shard: "shard-local", provisioning_attempts: 1, deletion_policy: "Delete",
  updated_at: "2026-03-02T09:14:05Z",
});

function renderList() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <StaffTenants />
    </QueryClientProvider>,
  );
  return userEvent.setup();
}

describe("StaffTenants", () => {
  it("offers only the moves a state allows", () => {
    expect(actionsFor("ready")).toEqual(["suspend"]);
    expect(actionsFor("suspended")).toEqual(["resume"]);
    expect(actionsFor("failed")).toEqual(["retry"]);
    expect(actionsFor("provisioning")).toEqual([]);
  });

  it("lists tenants with their conditions, and suspends one once confirmed", async () => {
    bff.answer(json(200, { next: null, previous: null, results: [tenant("acme", "ready"), tenant("broken", "failed")] }));
    const user = renderList();
    const row = await screen.findByRole("row", { name: /\(acme\)/ });
    expect(within(row).getByText("Ready=True")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Retry provisioning broken" })).toBeTruthy();
    expect(bff.requests[0]?.url).toBe("/api/v1/ops/tenants/");

    await user.click(within(row).getByRole("button", { name: "Suspend acme" }));
    expect(screen.getByText(/^Suspend acme\?/)).toBeTruthy();
    await user.type(screen.getByLabelText(/^Reason/), "chargeback");
    const problem = { type: "about:blank", title: "t", status: 409, code: "invalid_transition", errors: [] };
    bff.answer(json(409, { ...problem, detail: "A suspended tenant cannot be suspended." }, "application/problem+json"));
    await user.click(screen.getByRole("button", { name: "Yes, go ahead" }));
    expect((await screen.findByRole("alert")).textContent).toBe("acme: A suspended tenant cannot be suspended.");
    expect(bff.requests[1]).toMatchObject({ method: "POST", url: "/api/v1/ops/tenants/acme/suspend/" });
    expect(JSON.parse(bff.requests[1]?.body ?? "")).toEqual({ reason: "chargeback" });

    bff.answer(
      json(202, tenant("acme", "suspended")),
      json(200, { next: null, previous: null, results: [tenant("acme", "suspended")] }),
    );
    await user.click(screen.getByRole("button", { name: "Yes, go ahead" }));
    await waitFor(() => expect(useNotices.getState().notices.at(-1)?.text).toBe("acme is suspended."));
    expect(await screen.findByRole("button", { name: "Resume acme" })).toBeTruthy();
  });

  it("filters by state and says so when none is in it", async () => {
    bff.answer(json(200, { next: null, previous: null, results: [] }));
    const user = renderList();
    expect(await screen.findByText("No tenant is in this state.")).toBeTruthy();
    bff.answer(json(200, { next: null, previous: null, results: [] }));
    await user.selectOptions(screen.getByLabelText("State"), "failed");
    await waitFor(() => expect(bff.requests[1]?.url).toBe("/api/v1/ops/tenants/?state=failed"));
  });
});
