/**
 * The platform staff's console in a real browser, against `make up`'s stack that tests/test_portal_staff.py
 * started; that test signed up a store, and hands over its owner.
 *
 *   STEP=refused: PORTAL_URL, EMAIL, PASSWORD, SCREENSHOTS — the owner, not staff, signs in and opens /staff:
 *                 a refusal page sent with HTTP 403, not a console and not a crash.
 *   STEP=console: PORTAL_URL, EMAIL, PASSWORD, SLUG, TOTP_SECRET (base32), TOTP_SPENT (the last time step the
 *                 test used), SCREENSHOTS — the same person, now staff with an authenticator app, signs in through
 *                 the page with a TOTP code (RFC 6238, computed here with node:crypto), sees the tenants, filters
 *                 by state, suspends the store and resumes it through the confirmation dialog, and sees the charts.
 */

import { createHmac } from "node:crypto";

import { check, env, PORTAL, run, shoot } from "./support.mjs";

const STEP = env("STEP");
const EMAIL = env("EMAIL");
const PASSWORD = env("PASSWORD");

function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of text.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(Number.parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 (HMAC-SHA1, 30 s, 6 digits) at time step `step`. */
function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/** A code of a time step the server has not seen spent: waits for the next step when the test spent this one. */
async function freshCode() {
  const spent = Number(env("TOTP_SPENT"));
  let step = Math.floor(Date.now() / 30_000);
  while (step <= spent) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    step = Math.floor(Date.now() / 30_000);
  }
  return totp(env("TOTP_SECRET"), step);
}

async function signIn(page) {
  await page.goto(`${PORTAL}/staff`);
  check(new URL(page.url()).pathname === "/sign-in", `/staff without a session shows ${page.url()}`);
  await page.getByLabel("Email address").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function refused(page) {
  await signIn(page);
  await page.waitForURL(`${PORTAL}/staff`);
  await page.getByRole("heading", { name: "Staff only" }).waitFor();
  check((await page.locator("table").count()) === 0, "a non-staff user sees tenants");
  // The same page loaded afresh: its status is 403 (forbidden()), not a refusal sent with 200.
  const answer = await page.goto(`${PORTAL}/staff`);
  check(answer?.status() === 403, `/staff for a non-staff user answers ${answer?.status()}, not 403`);
  await page.getByRole("heading", { name: "Staff only" }).waitFor();
  await shoot(page, "staff-refused");
}

async function act(page, slug, action, done) {
  const row = page.getByRole("row", { name: new RegExp(`\\(${slug}\\)`) });
  await row.getByRole("button", { name: `${action} ${slug}` }).click();
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  await dialog.getByLabel(/^Reason/).fill(`e2e: ${action.toLowerCase()}`);
  if (action === "Suspend") await shoot(page, "staff-confirm");
  await dialog.getByRole("button", { name: "Yes, go ahead" }).click();
  await page.getByRole("status").filter({ hasText: done }).waitFor();
  await dialog.waitFor({ state: "hidden" });
}

async function console_(page) {
  const SLUG = env("SLUG");
  await signIn(page);
  await page.getByRole("heading", { name: "Two-step verification" }).waitFor();
  await page.getByLabel("Code").fill(await freshCode());
  await page.getByRole("button", { name: "Verify" }).click();
  await page.waitForURL(`${PORTAL}/staff`);
  await page.getByRole("heading", { name: "Staff console" }).waitFor();

  // -- tenants, with their conditions; a filter by state --------------------------------------------
  await page.getByLabel("State").selectOption("ready");
  const row = page.getByRole("row", { name: new RegExp(`\\(${SLUG}\\)`) });
  await row.waitFor();
  console.log(`the console lists: ${(await row.textContent())?.replace(/\s+/g, " ")}`);
  check(/Ready=True/.test((await row.textContent()) ?? ""), "the tenant's conditions are not shown");

  // -- the charts (Chart.js, loaded now) and the same figures as a table ------------------------------
  // Revenue is one chart per currency paid in ("revenue-EUR", …), or one empty "revenue" chart before any.
  const revenue = await page.locator(`canvas[data-chart^="revenue"]`).first().getAttribute("data-chart");
  for (const key of ["signups", "active", revenue]) {
    const canvas = page.locator(`canvas[data-chart="${key}"]`);
    await canvas.waitFor();
    await page.waitForFunction(
      (selector) => {
        const element = document.querySelector(selector);
        if (!element || element.width === 0) return false;
        const pixels = element.getContext("2d").getImageData(0, 0, element.width, element.height).data;
        return pixels.some((value) => value !== 0);
      },
      `canvas[data-chart="${key}"]`,
    );
  }
  await page.getByText(/as a table$/).click();
  const today = new Date().toISOString().slice(0, 10);
  const todayRow = await page.getByRole("row", { name: new RegExp(today) }).textContent();
  console.log(`today's figures: ${todayRow}`);
  await shoot(page, "staff-console");

  // -- suspend, then resume, each confirmed in a dialog ------------------------------------------------
  await act(page, SLUG, "Suspend", `${SLUG} is suspended.`);
  await page.getByLabel("State").selectOption("suspended");
  const suspended = page.getByRole("row", { name: new RegExp(`\\(${SLUG}\\)`) });
  await suspended.getByText("Suspended", { exact: true }).waitFor();
  await shoot(page, "staff-suspended");
  await act(page, SLUG, "Resume", `${SLUG} is ready again.`);
  await page.getByLabel("State").selectOption("ready");
  await page.getByRole("row", { name: new RegExp(`\\(${SLUG}\\)`) }).getByText("Ready", { exact: true }).waitFor();

  // -- German --------------------------------------------------------------------------------------
  await page.getByLabel("Language").selectOption("de");
  await page.getByRole("heading", { name: "Betriebskonsole" }).waitFor();
  await shoot(page, "staff-console-de");
  await page.getByLabel("Sprache").selectOption("en");
  await page.getByRole("heading", { name: "Staff console" }).waitFor();
}

run(`staff e2e (${STEP})`, async (page) => {
  if (STEP === "refused") await refused(page);
  else if (STEP === "console") await console_(page);
  else throw new Error(`STEP is refused or console, not ${STEP}`);
});
