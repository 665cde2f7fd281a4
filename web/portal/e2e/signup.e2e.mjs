/**
 * Sign-up in a real browser (Debian's chromium through playwright-core, headless) against `make up`'s stack that
 * tests/test_portal_signup.py started; that test made a store TAKEN beforehand and checks the database after.
 *
 *   PORTAL_URL, SLUG, TAKEN, EMAIL, PASSWORD, SCREENSHOTS (a folder), CHROMIUM (optional)
 *
 * From the sign-in page's link to /sign-up; the address derived from the name and checked as one types; TAKEN
 * shown taken with suggestions, and the API's field error at the address when sent anyway; then SLUG on the
 * Starter plan, whose first answer is dropped (the store is made, the page sees a network error), sent again after
 * a reload with a double click (the same Idempotency-Key: the API answers the same signup); the progress page follows the store's set-up live (through the BFF's
 * event stream) until its address appears. axe on every page, screenshots signup-* in light and dark.
 */

import { check, env, PORTAL, run, shoot } from "./support.mjs";

const SLUG = env("SLUG");
const TAKEN = env("TAKEN");
const EMAIL = env("EMAIL");
const PASSWORD = env("PASSWORD");

run("signup e2e", async (page, context) => {
  // -- from sign-in to sign-up ----------------------------------------------------------------------
  await page.goto(`${PORTAL}/sign-in`);
  await page.getByRole("link", { name: "Create a store" }).click();
  await page.waitForURL(`${PORTAL}/sign-up`);
  await page.getByRole("radio", { name: /^Starter/ }).waitFor();
  await shoot(page, "signup-form");

  // -- checks before sending -------------------------------------------------------------------------
  await page.getByLabel("Password").fill("1234567890");
  await page.getByRole("button", { name: "Create my store" }).click();
  check((await page.locator("#password-error").textContent()) === "Use more than digits.", "a numeric password passes");
  check((await page.locator("#store_name-error").textContent()) === "Please fill in this field.", "no name passes");

  // -- the address: derived from the name, then a taken one with suggestions ------------------------
  await page.getByLabel("Store name").fill("Café Müller");
  check((await page.getByLabel("Store address").inputValue()) === "cafe-muller", "the address is not derived from the name");
  await page.getByLabel("Store address").fill(TAKEN);
  const status = page.locator("#slug-status");
  await status.getByText("is taken").waitFor();
  const suggestions = await status.getByRole("button").allTextContents();
  check(suggestions.length > 0 && suggestions.every((s) => s.startsWith(TAKEN)), `suggestions: ${suggestions}`);
  await page.getByLabel("Email address").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.locator("#password-strength").getByText("Password strength:").waitFor();
  await shoot(page, "signup-slug-taken");

  // Sent anyway: the API's answer shows at the address field.
  await page.getByRole("button", { name: "Create my store" }).click();
  const slugError = page.locator("#slug-error");
  await slugError.waitFor();
  check((await slugError.textContent()).includes(TAKEN), `the address field says: ${await slugError.textContent()}`);
  check((await page.getByLabel("Store address").getAttribute("aria-invalid")) === "true", "the address is not marked invalid");
  check(new URL(page.url()).pathname === "/sign-up", "a refused signup left the page");
  await shoot(page, "signup-field-error");

  // -- the real one: SLUG on Starter. Its first answer is lost on the way back (the request reached the API
  // and made the store; the browser sees a network error), the page is reloaded and the same form sent again,
  // with a double click: the Idempotency-Key kept for that content makes the API answer the same signup.
  await page.getByLabel("Store address").fill(SLUG);
  await status.getByText(`“${SLUG}” is free.`).waitFor();
  await page.getByRole("radio", { name: /^Starter/ }).check();
  const sentKeys = [];
  page.on("request", (request) => {
    if (request.url().endsWith("/bff/signup")) sentKeys.push(request.headers()["idempotency-key"]);
  });
  await page.route(
    "**/bff/signup",
    async (route) => {
      const answer = await route.fetch();
      console.log(`the first signup reached the API (${answer.status()}); its answer is dropped`);
      await route.abort("connectionfailed");
    },
    { times: 1 },
  );
  await page.getByRole("button", { name: "Create my store" }).click();
  await page.getByRole("alert").getByText("The portal cannot reach Tenantry right now").waitFor();
  await page.reload();
  await page.getByLabel("Store name").fill("Café Müller");
  await page.getByLabel("Store address").fill(SLUG);
  await page.getByLabel("Email address").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("radio", { name: /^Starter/ }).check();
  const streams = [];
  page.on("response", (response) => {
    if (response.url().includes(`/bff/api/v1/tenants/${SLUG}/events/`)) streams.push(response);
  });
  await page.getByRole("button", { name: "Create my store" }).dblclick();
  await page.waitForURL(`${PORTAL}/stores/${SLUG}/progress?plan=starter`);
  check(sentKeys.length >= 2 && new Set(sentKeys).size === 1, `the signups after the reload sent other keys: ${sentKeys}`);
  const first = await page.locator(".progress-state").textContent();
  console.log(`the progress page opened with: ${first}`);
  await page.getByText("You chose the Starter plan").waitFor();

  // -- the set-up, live ------------------------------------------------------------------------------
  if (first !== "Your store is ready.") {
    // The store's set-up is under way: shown as it goes, from the event stream through the BFF, no reload.
    await page.locator(".live, .progress-summary").first().waitFor();
    await shoot(page, "signup-progress");
  }
  const open = page.getByRole("link", { name: "Open your store" });
  await open.waitFor({ timeout: 120_000 });
  const href = await open.getAttribute("href");
  check(href?.includes(`${SLUG}.`), `the store's link leads to ${href}`);
  check((await page.locator("progress").getAttribute("value")) === "100", "the bar is not full once ready");
  const steps = await page.locator("ol.steps li").evaluateAll((items) => items.map((item) => item.dataset.state));
  check(steps.length >= 6 && steps.every((state) => state === "done"), `steps once ready: ${steps}`);
  if (first !== "Your store is ready.") {
    check(streams.length >= 1, "the page did not open the store's event stream");
    const response = streams[0];
    check(response.status() === 200, `the event stream answered ${response.status()}`);
    check(response.headers()["content-type"]?.startsWith("text/event-stream"), "the event stream is not text/event-stream");
    console.log(`followed live: ${first} → ready, over ${streams.length} stream(s)`);
  }
  check(new URL(page.url()).pathname === `/stores/${SLUG}/progress`, "the page was left");
  await shoot(page, "signup-ready");

  // The store is among mine, signed in by the signup itself.
  await page.goto(`${PORTAL}/stores`);
  await page.getByRole("row", { name: new RegExp(`\\(${SLUG}\\)`) }).waitFor();

  // In German.
  await context.addCookies([{ name: "tenantry_locale", value: "de", url: PORTAL }]);
  await page.goto(`${PORTAL}/sign-up`);
  await page.getByRole("heading", { name: "Ihren Shop anlegen" }).waitFor();
  await page.getByLabel("Adresse des Shops").fill(TAKEN);
  await page.locator("#slug-status").getByText(`Die Adresse „${TAKEN}“ ist vergeben; wählen Sie eine andere.`).waitFor();
  await page.locator("#slug-status").getByText("Stattdessen frei:").waitFor();
  await shoot(page, "signup-form-de");
});
