/**
 * The sign-in form against a local HTTP server that answers as the portal's BFF does (the same
 * stand-in as the API client's tests): what it sends, and what it shows for each answer.
 */

import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { SignInForm } from "@/components/SignInForm";

import { json, type StandIn, startStandIn } from "../../packages/api-client/tests/stand-in";
import { render } from "./render";

let bff: StandIn;
let signedIn: string[];

beforeAll(async () => {
  bff = await startStandIn();
});
afterAll(async () => {
  await bff.close();
});
beforeEach(() => {
  bff.requests.length = 0;
  signedIn = [];
});
afterEach(() => {
  cleanup();
});

function renderForm(locale: "en" | "de" = "en", bffUrl = bff.url) {
  render(<SignInForm locale={locale} next="/stores" bffUrl={bffUrl} onSignedIn={(next) => signedIn.push(next)} />, { locale });
  return userEvent.setup();
}

async function fillAndSubmit(user: ReturnType<typeof userEvent.setup>, email: string, password: string) {
  if (email) await user.type(screen.getByLabelText("Email address"), email);
  if (password) await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

function problem(status: number, code: string, detail: string, errors: object[] = [], extra: object = {}) {
  return json(status, { type: "about:blank", title: "t", status, detail, code, errors, ...extra }, "application/problem+json");
}

describe("SignInForm", () => {
  it("checks the fields before sending anything", async () => {
    const user = renderForm();
    await fillAndSubmit(user, "not-an-address", "");

    expect(await screen.findByText("Please enter an email address such as name@example.com.")).toBeTruthy();
    expect(screen.getByText("Please fill in this field.")).toBeTruthy();
    expect(screen.getByLabelText("Email address").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByLabelText("Email address").getAttribute("aria-describedby")).toBe("email-error");
    expect(bff.requests).toHaveLength(0);
  });

  it("posts the email and password as JSON and goes on once signed in", async () => {
    bff.answer(json(200, { status: "signed_in" }));
    const user = renderForm();
    await fillAndSubmit(user, "olive@example.test", "correct horse");

    await waitFor(() => expect(signedIn).toEqual(["/stores"]));
    expect(bff.requests).toHaveLength(1);
    const [request] = bff.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/bff/sign-in");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request?.body ?? "")).toEqual({ email: "olive@example.test", password: "correct horse" });
  });

  it("shows the API's field errors at their fields and the others above the form", async () => {
    bff.answer(
      problem(400, "invalid", "Some of the input is invalid.", [
        { pointer: "/email", detail: "Enter a valid email address.", code: "invalid" },
        { pointer: "", detail: "Something about the whole input.", code: "invalid" },
      ]),
    );
    const user = renderForm();
    await fillAndSubmit(user, "olive@example.test", "x");

    const error = await screen.findByText("Enter a valid email address.");
    expect(error.id).toBe("email-error");
    expect(screen.getByLabelText("Email address").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByRole("alert").textContent).toContain("Something about the whole input.");
    expect(signedIn).toEqual([]);
  });

  it("says why the sign-in failed when the problem names no field", async () => {
    bff.answer(problem(401, "invalid_credentials", "The email address or the password is wrong."));
    const user = renderForm();
    await fillAndSubmit(user, "olive@example.test", "wrong");

    expect((await screen.findByRole("alert")).textContent).toContain("The email address or the password is wrong.");
    expect(signedIn).toEqual([]);
  });

  it("asks for the code when the API answers two_factor_required, and sends it with the challenge", async () => {
    bff.answer(json(200, { status: "two_factor_required", challenge: "ch-1", methods: ["totp"], expires_in: 300 }));
    const user = renderForm();
    await fillAndSubmit(user, "olive@example.test", "correct horse");

    const code = await screen.findByLabelText("Code");
    bff.answer(problem(400, "invalid_code", "The code is wrong or expired."), json(200, { status: "signed_in" }));
    await user.type(code, "000000");
    await user.click(screen.getByRole("button", { name: "Verify" }));
    expect((await screen.findByRole("alert")).textContent).toContain("The code is wrong or expired.");
    expect(signedIn).toEqual([]);

    await user.clear(screen.getByLabelText("Code"));
    await user.type(screen.getByLabelText("Code"), "123456");
    await user.click(screen.getByRole("button", { name: "Verify" }));
    await waitFor(() => expect(signedIn).toEqual(["/stores"]));
    expect(bff.requests.map((request) => request.url)).toEqual([
      "/bff/sign-in",
      "/bff/sign-in/challenge",
      "/bff/sign-in/challenge",
    ]);
    expect(JSON.parse(bff.requests[2]?.body ?? "")).toEqual({ challenge: "ch-1", code: "123456" });
  });

  it("quotes the request id of a server error", async () => {
    bff.answer(problem(500, "server_error", "Something broke on our side.", [], { request_id: "req-42" }));
    const user = renderForm();
    await fillAndSubmit(user, "olive@example.test", "x");

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Something broke on our side.");
    expect(alert.textContent).toContain("req-42");
  });

  it("says so when the portal cannot be reached", async () => {
    const gone = await startStandIn();
    await gone.close();
    const user = renderForm("en", gone.url);
    await fillAndSubmit(user, "olive@example.test", "x");

    expect((await screen.findByRole("alert")).textContent).toContain("cannot reach Tenantry");
  });

  it("speaks German", async () => {
    render(<SignInForm locale="de" bffUrl={bff.url} />, { locale: "de" });
    expect(screen.getByLabelText("E-Mail-Adresse")).toBeTruthy();
    expect(screen.getByLabelText("Passwort")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Anmelden" })).toBeTruthy();
  });
});
