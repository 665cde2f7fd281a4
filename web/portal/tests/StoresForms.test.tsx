/**
 * The stores area's forms against a local HTTP server answering as the portal's BFF pass-through does: the
 * delete confirmation (its button works only once the slug is typed; the policy goes with the request) and
 * the invite form (checks before sending, what it sends, the API's errors at their fields).
 */

import { createControlPlaneClient } from "@tenantry/api-client";
import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { DeleteStore, type DeletionPolicy } from "@/components/stores/DeleteStore";
import { InviteForm } from "@/components/stores/InviteForm";

import { json, type StandIn, startStandIn } from "../../packages/api-client/tests/stand-in";
import { render } from "./render";

let bff: StandIn;

beforeAll(async () => {
  bff = await startStandIn();
});
afterAll(async () => {
  await bff.close();
});
beforeEach(() => {
  bff.requests.length = 0;
});
afterEach(() => {
  cleanup();
});

function api() {
  return createControlPlaneClient(`${bff.url}/bff`, () => null);
}

function problem(status: number, code: string, detail: string, errors: object[] = []) {
  return json(status, { type: "about:blank", title: "t", status, detail, code, errors }, "application/problem+json");
}

const STORE = {
  id: "5f0c9a4e-2b7d-4c1e-9f3a-8d6b1e2c4a70",
  slug: "acme",
  name: "Acme",
  plan: "starter",
  tier: "shared",
  region: "local",
  state: "deleting",
  state_reason: "",
  state_changed_at: "2026-03-02T09:14:05Z",
  url: "",
  created_at: "2026-03-02T09:13:58Z",
};

describe("DeleteStore", () => {
  function renderDialog(locale: "en" | "de" = "en") {
    const deleted: DeletionPolicy[] = [];
    render(<DeleteStore slug="acme" api={api()} onDeleted={(policy) => deleted.push(policy)} />, { locale });
    return { user: userEvent.setup(), deleted };
  }

  it("enables its button only once the slug is typed exactly", async () => {
    const { user } = renderDialog();
    await user.click(screen.getByRole("button", { name: "Delete this store…" }));
    const submit = await screen.findByRole("button", { name: "Delete the store" }); // the dialog loads on the click
    expect((submit as HTMLButtonElement).disabled).toBe(true);
    const confirm = screen.getByLabelText("To confirm, type the store's slug acme");
    await user.type(confirm, "acm");
    expect((submit as HTMLButtonElement).disabled).toBe(true);
    await user.type(confirm, "e");
    expect((submit as HTMLButtonElement).disabled).toBe(false);
    await user.type(confirm, "x");
    expect((submit as HTMLButtonElement).disabled).toBe(true);
    await user.click(submit);
    expect(bff.requests).toHaveLength(0);
  });

  it("sends the chosen deletion policy and reports the deletion", async () => {
    const { user, deleted } = renderDialog();
    await user.click(screen.getByRole("button", { name: "Delete this store…" }));
    await user.click(await screen.findByLabelText("Retain the data"));
    await user.type(screen.getByLabelText("To confirm, type the store's slug acme"), "acme");
    bff.answer(json(202, STORE));
    await user.click(screen.getByRole("button", { name: "Delete the store" }));
    await waitFor(() => expect(deleted).toEqual(["Retain"]));
    expect(bff.requests[0]?.method).toBe("DELETE");
    expect(bff.requests[0]?.url).toBe("/bff/api/v1/tenants/acme/?deletion_policy=Retain");
  });

  it("shows the API's detail when it refuses", async () => {
    const { user, deleted } = renderDialog("de");
    await user.click(screen.getByRole("button", { name: "Diesen Shop löschen…" }));
    await user.type(await screen.findByLabelText("Geben Sie zur Bestätigung die Kennung des Shops ein: acme"), "acme");
    bff.answer(problem(403, "permission_denied", "Only an owner can delete the store."));
    await user.click(screen.getByRole("button", { name: "Shop löschen" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Only an owner can delete the store.");
    expect(deleted).toEqual([]);
  });
});

describe("InviteForm", () => {
  function renderForm(canInviteOwners = true) {
    const invited: string[] = [];
    render(
      <InviteForm slug="acme" api={api()} canInviteOwners={canInviteOwners} onInvited={(email) => invited.push(email)} />,
    );
    return { user: userEvent.setup(), invited };
  }

  it("takes the focus when opened (the members page loads it on \"Invite someone…\")", async () => {
    render(<InviteForm slug="acme" api={api()} canInviteOwners autoFocus labelledBy="invite-title" />);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText("Their email address")));
  });

  it("checks the address before sending anything", async () => {
    const { user } = renderForm();
    await user.type(screen.getByLabelText("Their email address"), "not-an-address");
    await user.click(screen.getByRole("button", { name: "Send the invitation" }));
    expect(await screen.findByText("Please enter an email address such as name@example.com.")).toBeTruthy();
    expect(screen.getByLabelText("Their email address").getAttribute("aria-invalid")).toBe("true");
    expect(bff.requests).toHaveLength(0);
  });

  it("sends the address and the role, then clears the address", async () => {
    const { user, invited } = renderForm();
    await user.type(screen.getByLabelText("Their email address"), "sam@example.com");
    await user.selectOptions(screen.getByLabelText("Role"), "billing");
    bff.answer(
      json(201, { id: 7, email: "sam@example.com", role: "billing", invited_by: "o@example.com", created_at: "2026-03-05T08:00:00Z", expires_at: "2026-03-12T08:00:00Z" }),
    );
    await user.click(screen.getByRole("button", { name: "Send the invitation" }));
    await waitFor(() => expect(invited).toEqual(["sam@example.com"]));
    expect(bff.requests[0]?.url).toBe("/bff/api/v1/tenants/acme/invitations/");
    expect(JSON.parse(bff.requests[0]?.body ?? "")).toEqual({ email: "sam@example.com", role: "billing" });
    await waitFor(() => expect((screen.getByLabelText("Their email address") as HTMLInputElement).value).toBe(""));
  });

  it("offers no owner role to an admin", () => {
    renderForm(false);
    const options = Array.from(screen.getByLabelText("Role").querySelectorAll("option")).map((option) => option.value);
    expect(options).toEqual(["admin", "billing"]);
  });

  it("puts the API's errors at their fields and shows the others", async () => {
    const { user, invited } = renderForm();
    await user.type(screen.getByLabelText("Their email address"), "sam@example.com");
    bff.answer(problem(409, "already_member", "sam@example.com is already a member of acme."));
    await user.click(screen.getByRole("button", { name: "Send the invitation" }));
    expect((await screen.findByRole("alert")).textContent).toContain("sam@example.com is already a member of acme.");
    bff.answer(problem(400, "invalid", "Some of the input is invalid.", [{ pointer: "/email", detail: "Enter a valid email address.", code: "invalid" }]));
    await user.click(screen.getByRole("button", { name: "Send the invitation" }));
    expect(await screen.findByText("Enter a valid email address.")).toBeTruthy();
    expect(invited).toEqual([]);
  });
});
