/**
 * A store's page, its members and invitations, "Open store" and deleting it, in a real browser (Debian's
 * chromium through playwright-core, headless) against `make up`'s stack that tests/test_portal_stores.py
 * started; that test signed the owner up through the API, waited for the store, and passes the mailed
 * invitation link. Each STEP runs in a fresh browser profile (a second person is a second context).
 *
 *   STEP=invite:  EMAIL, PASSWORD, SLUG, MEMBER_EMAIL — the owner signs in, opens the store's page and its
 *                 members (the last-owner rule shown), invites MEMBER_EMAIL as an admin.
 *   STEP=accept:  INVITE_LINK, MEMBER_EMAIL, PASSWORD, SLUG — a new person creates their account from the
 *                 mailed link and accepts; the used link then says so.
 *   STEP=manage:  EMAIL, PASSWORD, SLUG, MEMBER_EMAIL — the owner makes the member billing, opens the store
 *                 (lands on the store's own page, signed in), then deletes it with the typed slug.
 *
 * Every page: axe-core (0 serious or critical), no CSP violation or page error, screenshots stores-* in light
 * and dark. Exits non-zero with the reason on failure.
 */

import { check, env, PORTAL, run, shoot } from "./support.mjs";

const STEP = env("STEP");
const SLUG = env("SLUG");
const PASSWORD = env("PASSWORD");
const MEMBER_EMAIL = env("MEMBER_EMAIL");

async function signIn(page, email) {
  await page.goto(`${PORTAL}/sign-in?next=/stores`);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${PORTAL}/stores`);
}

async function openStorePage(page) {
  const row = page.getByRole("row", { name: new RegExp(`\\(${SLUG}\\)`) });
  await row.getByRole("link").first().click();
  await page.waitForURL(`${PORTAL}/stores/${SLUG}`);
  await page.getByTestId("store-state").waitFor();
}

function memberRow(page, email) {
  return page.locator(`tr[data-email="${email}"]`);
}

async function invite(page) {
  const email = env("EMAIL");
  await signIn(page, email);
  await openStorePage(page);
  const state = await page.getByTestId("store-state").textContent();
  check(state === "Ready", `the store page says the store is ${state}`);
  check(await page.getByRole("link", { name: "Plan and billing" }).isVisible(), "no link to the store's billing");
  await shoot(page, "stores-store");

  await page.getByRole("link", { name: "Members and invitations" }).click();
  await page.waitForURL(`${PORTAL}/stores/${SLUG}/members`);
  const own = memberRow(page, email);
  await own.waitFor();
  // The only owner: its controls are disabled and the rule is explained.
  check(await own.getByRole("combobox").isDisabled(), "the last owner's role can be changed");
  check(await own.getByRole("button", { name: `Remove ${email}` }).isDisabled(), "the last owner can be removed");
  const rule = await page.locator("#last-owner-help").textContent();
  check(rule?.includes("at least one owner"), `the last-owner rule is not explained: ${rule}`);
  await shoot(page, "stores-members");

  // The form checks before sending, then invites.
  await page.getByLabel("Their email address").fill("not-an-address");
  await page.getByRole("button", { name: "Send the invitation" }).click();
  await page.locator("#invite-email-error").waitFor();
  await page.getByLabel("Their email address").fill(MEMBER_EMAIL);
  await page.getByLabel("Role", { exact: true }).selectOption("admin");
  await page.getByRole("button", { name: "Send the invitation" }).click();
  await page.getByRole("status").filter({ hasText: `An invitation was sent to ${MEMBER_EMAIL}` }).waitFor();
  await page.locator(".invitations li", { hasText: MEMBER_EMAIL }).waitFor();
  await shoot(page, "stores-members-invited");
}

async function accept(page) {
  const link = env("INVITE_LINK");
  check(link.startsWith(`${PORTAL}/accept-invitation?token=`), `the mailed link leads elsewhere: ${link}`);
  await page.goto(link);
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByRole("button", { name: "Create my account and accept" }).click();
  await page.locator("#password-error").waitFor();
  await shoot(page, "stores-accept");
  await page.getByLabel("Your name").fill("Mia Member");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create my account and accept" }).click();
  const done = page.locator("main").getByRole("status");
  await done.waitFor();
  const said = await done.textContent();
  check(said?.includes("you are now a member as Admin"), `accepting says: ${said}`);
  await shoot(page, "stores-accept-done");
  await page.getByRole("link", { name: "Go to the store" }).click();
  await page.waitForURL(`${PORTAL}/stores/${SLUG}`);
  check((await page.locator(".facts").textContent())?.includes("Admin"), "the member's store page shows no Admin role");

  // The same link again (signed in now): the API's reason, and what to do.
  await page.goto(link);
  await page.getByRole("button", { name: "Accept the invitation" }).click();
  const alert = page.locator("main").getByRole("alert");
  await alert.waitFor();
  const refused = await alert.textContent();
  check(refused?.includes("cannot be accepted") && refused.includes("new invitation"), `a used link says: ${refused}`);
  await shoot(page, "stores-accept-used");
}

async function manage(page) {
  const email = env("EMAIL");
  await signIn(page, email);
  await page.goto(`${PORTAL}/stores/${SLUG}/members`);
  const member = memberRow(page, MEMBER_EMAIL);
  await member.waitFor();
  await member.getByRole("combobox").selectOption("billing");
  await page.getByRole("status").filter({ hasText: `${MEMBER_EMAIL} is now Billing` }).waitFor();
  // Still the only owner: the rule stays in force and explained.
  check(await memberRow(page, email).getByRole("combobox").isDisabled(), "the last owner's role became changeable");
  await shoot(page, "stores-members-roles");

  // "Open store": through the platform's provider, onto the store's own page, signed in.
  await page.goto(`${PORTAL}/stores/${SLUG}`);
  await page.getByRole("button", { name: "Open store" }).click();
  await page.waitForURL((url) => url.hostname === `${SLUG}.localhost`, { timeout: 30_000 });
  const landing = await page.locator("main").textContent();
  check(landing?.includes(`Welcome to ${SLUG}`) && landing.includes(email), `the store's landing page says: ${landing}`);
  check(!landing.includes('"access"'), "the landing page is JSON");
  console.log(`Open store landed on ${page.url()}`);
  await shoot(page, "stores-open-landing");

  // Delete, with the typed slug.
  await page.goto(`${PORTAL}/stores/${SLUG}`);
  await page.getByRole("button", { name: "Delete this store…" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  const submit = dialog.getByRole("button", { name: "Delete the store" });
  check(await submit.isDisabled(), "deleting works before the slug is typed");
  await dialog.getByLabel(`To confirm, type the store's slug ${SLUG}`).fill(SLUG.slice(0, -1));
  check(await submit.isDisabled(), "deleting works with half the slug");
  await dialog.getByLabel(`To confirm, type the store's slug ${SLUG}`).fill(SLUG);
  check(await submit.isEnabled(), "the typed slug does not enable deleting");
  await shoot(page, "stores-delete-dialog");
  await submit.click();
  await page.getByRole("status").filter({ hasText: /is being deleted|store is deleted/ }).first().waitFor();
  await shoot(page, "stores-deleting");
  await page.getByText("The store is deleted.").waitFor({ timeout: 90_000 });
  console.log("the store page followed the deletion to its end");
}

run(`stores e2e (${STEP})`, async (page) => {
  if (STEP === "invite") await invite(page);
  else if (STEP === "accept") await accept(page);
  else if (STEP === "manage") await manage(page);
  else throw new Error(`unknown STEP ${STEP}`);
});
