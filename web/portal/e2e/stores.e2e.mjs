/**
 * A store's page, its members and invitations, in a real browser (Debian's chromium through playwright-core,
 * headless) against `make up`'s stack that tests/test_portal_stores.py started; that test signed the owner up
 * through the API, waited for the store, and answers the script's "MAIL?" with the mailed invitation link.
 *
 *   PORTAL_URL, EMAIL, PASSWORD, SLUG, MEMBER_EMAIL, SCREENSHOTS (a folder), CHROMIUM (optional)
 *
 * The owner signs in, opens the store's page and its members (the last-owner rule shown), invites MEMBER_EMAIL as
 * an admin (an invalid address refused first); a new person, in a second browser profile, creates their account
 * from the mailed link (a short password refused first) and accepts; the used link then says so; the owner makes
 * the member billing (the last-owner rule still in force). "Open store" and deleting with the typed slug are the
 * journey's (journey.e2e.mjs), which takes one owner through them.
 *
 * Every page: axe-core (0 serious or critical), no CSP violation or page error, screenshots stores-* in light
 * and dark. Exits non-zero with the reason on failure.
 */

import { check, env, PORTAL, run, shoot } from "./support.mjs";
import { acceptAsNewPerson, inviteMember, mailedLink, openInviteForm, signInWithPassword } from "./steps.mjs";

const SLUG = env("SLUG");
const PASSWORD = env("PASSWORD");
const MEMBER_EMAIL = env("MEMBER_EMAIL");

async function signIn(page, email) {
  await page.goto(`${PORTAL}/sign-in?next=/stores`);
  await signInWithPassword(page, email, PASSWORD);
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

async function invite(page, email) {
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

  // The form loads on "Invite someone…" and takes the focus; it checks before sending, then invites.
  check((await page.getByLabel("Their email address").count()) === 0, "the invitation form is there before it is asked for");
  await openInviteForm(page);
  await page.getByLabel("Their email address").fill("not-an-address");
  await page.getByRole("button", { name: "Send the invitation" }).click();
  await page.locator("#invite-email-error").waitFor();
  await inviteMember(page, MEMBER_EMAIL, "admin");
  await shoot(page, "stores-members-invited");
}

async function accept(page, link) {
  check(link.startsWith(`${PORTAL}/accept-invitation?token=`), `the mailed link leads elsewhere: ${link}`);
  await page.goto(link);
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByRole("button", { name: "Create my account and accept" }).click();
  await page.locator("#password-error").waitFor();
  await shoot(page, "stores-accept");
  await acceptAsNewPerson(page, link, SLUG, PASSWORD, "Admin", { afterAccepting: () => shoot(page, "stores-accept-done") });

  // The same link again (signed in now): the API's reason, and what to do.
  await page.goto(link);
  await page.getByRole("button", { name: "Accept the invitation" }).click();
  const alert = page.locator("main").getByRole("alert");
  await alert.waitFor();
  const refused = await alert.textContent();
  check(refused?.includes("cannot be accepted") && refused.includes("new invitation"), `a used link says: ${refused}`);
  await shoot(page, "stores-accept-used");
}

async function manage(page, email) {
  await page.goto(`${PORTAL}/stores/${SLUG}/members`);
  const member = memberRow(page, MEMBER_EMAIL);
  await member.waitFor();
  await member.getByRole("combobox").selectOption("billing");
  await page.getByRole("status").filter({ hasText: `${MEMBER_EMAIL} is now Billing` }).waitFor();
  // Still the only owner: the rule stays in force and explained.
  check(await memberRow(page, email).getByRole("combobox").isDisabled(), "the last owner's role became changeable");
  await shoot(page, "stores-members-roles");
}

run("stores e2e", async (page, context, { profile }) => {
  const email = env("EMAIL");
  await invite(page, email);
  const member = await profile();
  await accept(member.page, await mailedLink(MEMBER_EMAIL));
  await member.close();
  await manage(page, email);
});
