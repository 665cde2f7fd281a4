/**
 * Asking for a reset link, against a local HTTP server answering as the BFF's pass-through does: the address
 * checked before sending, the same neutral answer whatever the address, the API's field error at the field and
 * its rate-limit detail shown as it is.
 */

import { cleanup, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { ForgotPasswordForm } from "@/components/ForgotPasswordForm";

import { type RoutingStandIn, send, startRoutingStandIn } from "./routing-stand-in";
import { render } from "./render";

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

describe("the forgot-password form", () => {
  it("checks the address before sending, then sends it and says where the link goes, whatever the account", async () => {
    bff.handle((request, response) => send(response, 202, {}));
    const user = userEvent.setup();
    render(<ForgotPasswordForm bffUrl={bff.url} />);
    await user.click(screen.getByRole("button", { name: "Send the link" }));
    expect(await screen.findByText("Please fill in this field.")).toBeTruthy();
    await user.type(screen.getByLabelText("Email address"), "not an address");
    await user.click(screen.getByRole("button", { name: "Send the link" }));
    expect(await screen.findByText("Please enter an email address such as name@example.com.")).toBeTruthy();
    expect(bff.requests).toHaveLength(0);

    await user.clear(screen.getByLabelText("Email address"));
    await user.type(screen.getByLabelText("Email address"), "  owner@example.test ");
    await user.click(screen.getByRole("button", { name: "Send the link" }));
    const status = await screen.findByRole("status");
    expect(status.textContent).toContain("If owner@example.test has an account");
    expect(bff.requests.map((request) => [request.method, request.path, JSON.parse(request.body)])).toEqual([
      ["POST", "/bff/api/v1/auth/password/reset/", { email: "owner@example.test" }],
    ]);
  }, 20_000);

  it("shows the API's field error at the field and its rate limit as it says it", async () => {
    const answers = [
      problem(400, "invalid", "Some of the input is invalid.", [{ pointer: "/email", detail: "Too long.", code: "max_length" }]),
      problem(429, "throttled", "Too many requests: try again in 60 seconds."),
    ];
    bff.handle((request, response) => {
      const answer = answers.shift();
      send(response, answer?.status ?? 599, answer, "application/problem+json");
    });
    const user = userEvent.setup();
    render(<ForgotPasswordForm bffUrl={bff.url} />, { locale: "de" });
    await user.type(screen.getByLabelText("E-Mail-Adresse"), "owner@example.test");
    await user.click(screen.getByRole("button", { name: "Link senden" }));
    expect((await screen.findByText("Too long.")).id).toBe("email-error");
    await user.click(screen.getByRole("button", { name: "Link senden" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Too many requests: try again in 60 seconds.");
  }, 20_000);
});
