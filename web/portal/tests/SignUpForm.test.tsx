/**
 * The sign-up form against a local HTTP server answering as the portal's BFF does: the checks before
 * sending, the store address derived from the name and checked as one types (with the API's
 * suggestions), the API's field errors at their fields, and one Idempotency-Key per form, however
 * often it is sent.
 */

import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { type PlanOffer, SignUpForm } from "@/components/SignUpForm";
import type { SignedUp } from "@/lib/signup";

import { type RoutingStandIn, type Seen, send, startRoutingStandIn } from "./routing-stand-in";
import { render } from "./render";

const PLANS: PlanOffer[] = [
  { name: "free", title: "Free", amount: "0.00", currency: "EUR", features: ["storefront", "orders"] },
  { name: "starter", title: "Starter", amount: "29.00", currency: "EUR", features: ["storefront", "orders", "custom_domain", "new_thing"] },
];
const TAKEN = new Set(["acme", "taken-shop"]);

let bff: RoutingStandIn;
let signedUp: SignedUp[];
let signupAnswers: ((request: Seen) => { status: number; body: unknown; delay?: number })[];

function problem(status: number, code: string, detail: string, errors: object[] = []) {
  return { type: "about:blank", title: "t", status, detail, code, errors };
}

const CREATED = { slug: "cafe-muller", name: "Café Müller", plan: "free", subscription_required: false, progress: "/stores/cafe-muller/progress" };

beforeAll(async () => {
  bff = await startRoutingStandIn();
});
afterAll(async () => {
  await bff.close();
});
beforeEach(() => {
  sessionStorage.clear();
  bff.requests.length = 0;
  signedUp = [];
  signupAnswers = [];
  bff.handle(async (request, response) => {
    if (request.path === "/bff/api/v1/signup/slug/") {
      const slug = request.query.get("slug") ?? "";
      if (TAKEN.has(slug)) {
        send(response, 200, {
          slug,
          available: false,
          code: "slug_taken",
          message: `The store address '${slug}' is taken; pick another.`,
          suggestions: [`${slug}-2`, `${slug}-store`],
        });
      } else {
        send(response, 200, { slug, available: true, code: "", message: "", suggestions: [] });
      }
      return;
    }
    if (request.path === "/bff/signup") {
      const next = signupAnswers.shift();
      const answer = next ? next(request) : { status: 202, body: CREATED };
      if (answer.delay) await new Promise((resolve) => setTimeout(resolve, answer.delay));
      send(response, answer.status, answer.body, answer.status >= 400 ? "application/problem+json" : "application/json");
      return;
    }
    send(response, 404, problem(404, "not_found", "no such path"), "application/problem+json");
  });
});
afterEach(() => {
  cleanup();
});

function renderForm(plans: PlanOffer[] | null = PLANS, bffUrl = bff.url) {
  render(<SignUpForm locale="en" plans={plans} bffUrl={bffUrl} debounceMs={20} onSignedUp={(result) => signedUp.push(result)} />);
  return userEvent.setup();
}

async function fill(user: ReturnType<typeof userEvent.setup>, values: { name?: string; email?: string; password?: string }) {
  if (values.name) await user.type(screen.getByLabelText("Store name"), values.name);
  if (values.email) await user.type(screen.getByLabelText("Email address"), values.email);
  if (values.password) await user.type(screen.getByLabelText("Password"), values.password);
}

const signups = () => bff.requests.filter((request) => request.path === "/bff/signup");

// userEvent types one key at a time: on a busy machine a test takes seconds.
describe("SignUpForm", { timeout: 20_000 }, () => {
  it("lists the plans with their prices and what each adds, the free one chosen", () => {
    renderForm();
    const free = screen.getByRole("radio", { name: /^Free/ }) as HTMLInputElement;
    expect(free.checked).toBe(true);
    expect(screen.getByText("Storefront · Orders")).toBeTruthy();
    expect(screen.getByText("€29.00 a month")).toBeTruthy();
    expect(screen.getByText("Everything in Free, and: Your own domain · new thing")).toBeTruthy();
  });

  it("checks the fields before sending anything", async () => {
    const user = renderForm();
    await user.type(screen.getByLabelText("Password"), "1234567890");
    await user.click(screen.getByRole("button", { name: "Create my store" }));

    expect(await screen.findAllByText("Please fill in this field.")).toHaveLength(3); // name, address, email
    expect(screen.getByText("Use more than digits.")).toBeTruthy();
    expect(screen.getByLabelText("Store name").getAttribute("aria-invalid")).toBe("true");

    await user.clear(screen.getByLabelText("Password"));
    await user.type(screen.getByLabelText("Password"), "short");
    await user.type(screen.getByLabelText("Store address"), "9lives--");
    await user.type(screen.getByLabelText("Email address"), "not-an-address");
    await user.click(screen.getByRole("button", { name: "Create my store" }));
    expect(await screen.findByText("Use at least 10 characters.")).toBeTruthy();
    expect(screen.getByText(/Use 3 to 40 lowercase letters/)).toBeTruthy();
    expect(screen.getByText("Please enter an email address such as name@example.com.")).toBeTruthy();
    expect(signups()).toHaveLength(0);
  });

  it("derives the address from the name until it is edited, and says it is free", async () => {
    const user = renderForm();
    await user.type(screen.getByLabelText("Store name"), "Café Müller");
    const slug = screen.getByLabelText("Store address") as HTMLInputElement;
    expect(slug.value).toBe("cafe-muller");
    expect(await screen.findByText("✓ “cafe-muller” is free.")).toBeTruthy();
    const checks = bff.requests.filter((request) => request.path === "/bff/api/v1/signup/slug/");
    // Debounced: not one check per keystroke.
    expect(checks.length).toBeLessThan("Café Müller".length);
    expect(checks.at(-1)?.query.get("slug")).toBe("cafe-muller");

    await user.clear(slug);
    await user.type(slug, "my-cafe");
    await user.type(screen.getByLabelText("Store name"), " and Bar");
    expect(slug.value).toBe("my-cafe");
  });

  it("shows a taken address with the API's suggestions, and takes one when clicked", async () => {
    const user = renderForm();
    await user.type(screen.getByLabelText("Store address"), "acme");
    expect(await screen.findByText("The store address “acme” is taken; pick another.")).toBeTruthy();
    expect(screen.getByLabelText("Store address").getAttribute("aria-invalid")).toBe("true");
    await user.click(screen.getByRole("button", { name: "acme-store" }));
    expect((screen.getByLabelText("Store address") as HTMLInputElement).value).toBe("acme-store");
    expect(await screen.findByText("✓ “acme-store” is free.")).toBeTruthy();
  });

  it("shows the API's field errors at their fields, and the rest above the form", async () => {
    signupAnswers.push(() => ({
      status: 400,
      body: problem(400, "invalid", "Some of the input is invalid.", [
        { pointer: "/slug", detail: "The store address 'taken-shop' is taken; pick another.", code: "slug_taken" },
        { pointer: "/password", detail: "This password is too common.", code: "password_weak" },
        { pointer: "/full_name", detail: "Something about the name.", code: "invalid" },
      ]),
    }));
    const user = renderForm();
    await fill(user, { name: "Taken Shop", email: "owner@example.test", password: "password1234" });
    await user.click(screen.getByRole("button", { name: "Create my store" }));

    const slugError = await screen.findByText("The store address “taken-shop” is taken; pick another.", { selector: "#slug-error" });
    expect(slugError).toBeTruthy();
    expect(screen.getByLabelText("Store address").getAttribute("aria-describedby")).toContain("slug-error");
    expect(screen.getByText("This password is too common.").id).toBe("password-error");
    expect(screen.getByLabelText("Password").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByRole("alert").textContent).toContain("Something about the name.");
    expect(signedUp).toHaveLength(0);
  });

  it("sends one Idempotency-Key per form: a double click makes one request, a retry sends the same key", async () => {
    signupAnswers.push(() => ({
      status: 503,
      body: problem(503, "unavailable", "Tenantry is busy; try again in a minute."),
      delay: 150,
    }));
    const user = renderForm();
    await fill(user, { name: "Café Müller", email: "owner@example.test", password: "a long enough passphrase" });
    await user.click(screen.getByLabelText(/Starter/));
    const button = screen.getByRole("button", { name: "Create my store" });
    fireEvent.click(button);
    fireEvent.click(button); // the second click of a double click, before the first is answered
    await waitFor(() => expect(screen.getByRole("button", { name: "Creating your store…" }).hasAttribute("disabled")).toBe(true));
    expect(await screen.findByText("Tenantry is busy; try again in a minute.")).toBeTruthy();
    expect(signups()).toHaveLength(1);

    await user.click(screen.getByRole("button", { name: "Create my store" })); // the retry: answered 202
    await waitFor(() => expect(signedUp).toHaveLength(1));
    const [first, second] = signups();
    expect(first?.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(first?.headers["accept-language"]).toBe("en");
    expect(second?.headers["idempotency-key"]).toBe(first?.headers["idempotency-key"]);
    expect(JSON.parse(second?.body ?? "{}")).toEqual({
      store_name: "Café Müller",
      slug: "cafe-muller",
      email: "owner@example.test",
      password: "a long enough passphrase",
      plan: "starter",
    });
    expect(signedUp[0]?.progress).toBe("/stores/cafe-muller/progress");
  });

  it("sends the same Idempotency-Key after a reload while the same content is sent, and a new one once a store is made", async () => {
    signupAnswers.push(() => ({ status: 503, body: problem(503, "unavailable", "Tenantry is busy; try again in a minute.") }));
    const content = { name: "Café Müller", email: "owner@example.test", password: "a long enough passphrase" };
    let user = renderForm();
    await fill(user, content);
    await user.click(screen.getByRole("button", { name: "Create my store" }));
    expect(await screen.findByText("Tenantry is busy; try again in a minute.")).toBeTruthy();
    expect(sessionStorage.length).toBe(1); // the key, by the content's digest (no content, no password)
    expect(Object.values(sessionStorage).join()).not.toContain("passphrase");

    cleanup(); // the page reloaded: a new form, filled in the same again
    user = renderForm();
    await fill(user, content);
    await user.click(screen.getByRole("button", { name: "Create my store" }));
    await waitFor(() => expect(signedUp).toHaveLength(1));
    const [lost, again] = signups();
    expect(again?.headers["idempotency-key"]).toBe(lost?.headers["idempotency-key"]);
    expect(sessionStorage.length).toBe(0); // the store is made: the key is done

    cleanup(); // another store with the same content is a new submission with a new key
    user = renderForm();
    await fill(user, content);
    await user.click(screen.getByRole("button", { name: "Create my store" }));
    await waitFor(() => expect(signedUp).toHaveLength(2));
    expect(signups()[2]?.headers["idempotency-key"]).not.toBe(lost?.headers["idempotency-key"]);
  });

  it("sends other content with another key, even before a reload", async () => {
    signupAnswers.push(() => ({ status: 503, body: problem(503, "unavailable", "Tenantry is busy; try again in a minute.") }));
    const user = renderForm();
    await fill(user, { name: "Café Müller", email: "owner@example.test", password: "a long enough passphrase" });
    await user.click(screen.getByRole("button", { name: "Create my store" }));
    expect(await screen.findByText("Tenantry is busy; try again in a minute.")).toBeTruthy();
    await user.click(screen.getByLabelText(/Starter/));
    await user.click(screen.getByRole("button", { name: "Create my store" }));
    await waitFor(() => expect(signedUp).toHaveLength(1));
    const [first, second] = signups();
    expect(JSON.parse(second?.body ?? "{}").plan).toBe("starter");
    expect(second?.headers["idempotency-key"]).not.toBe(first?.headers["idempotency-key"]);
  });

  it("says the network failed, and offers the free plan when the plans could not be loaded", async () => {
    const user = renderForm(null, "http://127.0.0.1:9");
    expect(screen.getByText(/The plans could not be loaded/)).toBeTruthy();
    expect((screen.getByRole("radio", { name: /Free/ }) as HTMLInputElement).checked).toBe(true);
    await fill(user, { name: "Offline Shop", email: "owner@example.test", password: "a long enough passphrase" });
    expect(await screen.findByText(/could not be checked now/)).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Create my store" }));
    expect((await screen.findByRole("alert")).textContent).toContain("cannot reach Tenantry");
  });
});
