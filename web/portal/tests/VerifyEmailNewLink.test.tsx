/**
 * The form an expired (or used) verification link offers: a new link asked for by address, against a local HTTP
 * server answering as the BFF's pass-through does. The address checked before sending, the neutral answer, the
 * API's field error at the field and its other problems shown as it says them.
 */

import { cleanup, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { NewVerificationLink } from "@/components/ForgotPasswordForm";
import { de } from "@/messages/base";

import { render } from "./render";
import { type RoutingStandIn, send, startRoutingStandIn } from "./routing-stand-in";

let bff: RoutingStandIn;

beforeAll(async () => {
  bff = await startRoutingStandIn();
});
afterAll(async () => {
  await bff.close();
});
beforeEach(() => {
  bff.requests.length = 0;
});
afterEach(cleanup);

function problem(status: number, code: string, detail: string, errors: object[] = []) {
  return { type: "about:blank", title: "t", status, detail, code, errors };
}

describe("asking for a new verification link", () => {
  it("checks the address before sending, then asks for the link and answers the same whatever the account", async () => {
    bff.handle((request, response) => send(response, 202, {}));
    const user = userEvent.setup();
    render(<NewVerificationLink bffUrl={bff.url} />);
    await user.click(screen.getByRole("button", { name: "Send a new link" }));
    expect((await screen.findByText("Please fill in this field.")).id).toBe("new-link-email-error");
    await user.type(screen.getByLabelText("Email address"), "not an address");
    await user.click(screen.getByRole("button", { name: "Send a new link" }));
    expect(await screen.findByText("Please enter an email address such as name@example.com.")).toBeTruthy();
    expect(screen.getByLabelText("Email address").getAttribute("aria-invalid")).toBe("true");
    expect(bff.requests).toHaveLength(0);

    await user.clear(screen.getByLabelText("Email address"));
    await user.type(screen.getByLabelText("Email address"), " owner@example.test ");
    await user.click(screen.getByRole("button", { name: "Send a new link" }));
    const status = await screen.findByRole("status");
    expect(status.textContent).toBe(
      "If owner@example.test has an account whose address is not confirmed yet, a new link is on its way. Check your inbox (and the spam folder).",
    );
    expect(bff.requests.map((request) => [request.method, request.path, JSON.parse(request.body)])).toEqual([
      ["POST", "/bff/api/v1/auth/email/verification/", { email: "owner@example.test" }],
    ]);
  }, 20_000);

  it("shows the API's field error at the field, its rate limit as it says it, and a server failure as what to do", async () => {
    const answers = [
      problem(400, "invalid", "Some of the input is invalid.", [{ pointer: "/email", detail: "Zu lang.", code: "max_length" }]),
      problem(429, "throttled", "Zu viele Anfragen: Versuchen Sie es in 60 Sekunden erneut."),
      problem(502, "bad_gateway", "upstream"),
    ];
    bff.handle((request, response) => {
      const answer = answers.shift();
      send(response, answer?.status ?? 599, answer, "application/problem+json");
    });
    const user = userEvent.setup();
    render(<NewVerificationLink bffUrl={bff.url} />, { locale: "de" });
    await user.type(screen.getByLabelText("E-Mail-Adresse"), "owner@example.test");
    await user.click(screen.getByRole("button", { name: "Neuen Link senden" }));
    expect((await screen.findByText("Zu lang.")).id).toBe("new-link-email-error");
    await user.click(screen.getByRole("button", { name: "Neuen Link senden" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Zu viele Anfragen: Versuchen Sie es in 60 Sekunden erneut.");
    await user.click(screen.getByRole("button", { name: "Neuen Link senden" }));
    expect((await screen.findByRole("alert")).textContent).toBe(de["error.network"]);
    expect(screen.queryByRole("status")).toBeNull();
  }, 20_000);
});
