/**
 * One owner's whole journey through the portal in one browser profile (Debian's chromium through playwright-core,
 * headless) against `make up`'s stack that tests/test_portal_journey.py started; that test answers the script's
 * "MAIL?" with the link of the real mail (steps.mjs's `mailedLink`) and checks the database after.
 *
 *   PORTAL_URL, SLUG, EMAIL, MEMBER_EMAIL, PASSWORD, SCREENSHOTS (a folder), CHROMIUM (optional)
 *
 * Sign-up on the page (sent with a double click) → the set-up followed on the progress page until the store is
 * ready → the address confirmed from the mailed link → an authenticator app set up (a wrong code refused) → signed
 * out and in again with the app's code (a wrong one refused) → a card through Stripe.js → Free to Starter with the
 * price first → the invoice's PDF downloaded → a member invited, who accepts in a second profile → "Open store"
 * lands on the store's own page → the store deleted with its typed slug, and gone from "My stores".
 * Screenshots journey-* in light of each main step (also dark for two, German for two), axe on each.
 */

import { check, env, PORTAL, run, shoot } from "./support.mjs";
import {
  acceptAsNewPerson,
  answerChallenge,
  deleteStore,
  downloadNewestInvoice,
  inviteMember,
  mailedLink,
  openStore,
  previewPlan,
  saveCard,
  setUpAuthenticator,
  signInWithPassword,
} from "./steps.mjs";

const SLUG = env("SLUG");
const EMAIL = env("EMAIL");
const MEMBER_EMAIL = env("MEMBER_EMAIL");
const PASSWORD = env("PASSWORD");
const LIGHT = { schemes: ["light"] };

/** The notices of what just happened, dismissed: they float over the page's content in a screenshot. */
async function dismissNotices(page) {
  const dismiss = page.getByRole("button", { name: "Dismiss" });
  while ((await dismiss.count()) > 0) await dismiss.first().click();
}

function storeRow(page) {
  return page.getByRole("row", { name: new RegExp(`\\(${SLUG}\\)`) });
}

async function inGerman(page, context, name, heading) {
  await context.addCookies([{ name: "tenantry_locale", value: "de", url: PORTAL }]);
  await page.reload();
  await page.getByRole("heading", heading).first().waitFor();
  check((await page.locator("html").getAttribute("lang")) === "de", `${name} in German is not lang=de`);
  await shoot(page, `${name}-de`, LIGHT);
  await context.addCookies([{ name: "tenantry_locale", value: "en", url: PORTAL }]);
  await page.reload();
}

run("journey e2e", async (page, context, { profile }) => {
  const started = Date.now();
  const lap = (step) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${step}`);

  // -- 1. sign up on the page, sent with a double click ------------------------------------------------------------
  await page.goto(`${PORTAL}/sign-up`);
  await page.getByLabel("Store name").fill(`Journey ${SLUG}`);
  await page.getByLabel("Store address").fill(SLUG);
  await page.locator("#slug-status").getByText(`“${SLUG}” is free.`).waitFor();
  await page.getByLabel("Email address").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("radio", { name: /^Free/ }).check();
  await shoot(page, "journey-sign-up", LIGHT);
  await page.getByRole("button", { name: "Create my store" }).dblclick();
  await page.waitForURL((url) => url.pathname === `/stores/${SLUG}/progress`);
  lap("signed up");

  // -- 2. the set-up followed live until the store is ready -----------------------------------------------------
  const first = await page.locator(".progress-state").textContent();
  console.log(`the progress page opened with: ${first}`);
  if (first !== "Your store is ready.") {
    await page.locator(".live, .progress-summary").first().waitFor();
    await shoot(page, "journey-progress", LIGHT);
  }
  await page.getByRole("link", { name: "Open your store" }).waitFor({ timeout: 120_000 });
  check((await page.locator("progress").getAttribute("value")) === "100", "the bar is not full once ready");
  await shoot(page, "journey-ready", LIGHT);
  lap("the store is ready");

  // -- 3. the address confirmed from the real mail --------------------------------------------------------------
  const verify = await mailedLink(EMAIL);
  check(verify.startsWith(`${PORTAL}/verify-email?`), `the mailed link leads elsewhere: ${verify}`);
  await page.goto(verify);
  const confirmed = await page.locator("main").getByRole("status").textContent();
  check(confirmed?.includes(EMAIL) && confirmed.includes("is confirmed"), `verify-email says: ${confirmed}`);
  await shoot(page, "journey-verified", LIGHT);
  lap("the address is confirmed");

  // -- 4. two-step verification: set up, then signed out and in again with the app's code -----------------------
  await page.goto(`${PORTAL}/account/security`);
  await page.getByRole("heading", { name: "Security", level: 1 }).waitFor();
  await page.getByText("Off: your password alone signs you in.", { exact: false }).waitFor();
  const { secret } = await setUpAuthenticator(page, { shootWrong: () => shoot(page, "journey-totp-wrong", LIGHT) });
  await page.getByRole("button", { name: "I have saved them" }).click();
  await page.getByText("On: signing in asks for a code", { exact: false }).waitFor();
  await dismissNotices(page);
  await shoot(page, "journey-totp-on"); // light and dark
  await page.goto(`${PORTAL}/stores`);
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.waitForURL((url) => url.pathname === "/sign-in");
  await page.goto(`${PORTAL}/stores`);
  check(new URL(page.url()).pathname === "/sign-in", `/stores after signing out shows ${page.url()}`);
  await signInWithPassword(page, EMAIL, PASSWORD);
  await answerChallenge(page, secret, { wrongFirst: true });
  await page.waitForURL(`${PORTAL}/stores`);
  await storeRow(page).waitFor();
  await shoot(page, "journey-stores", LIGHT);
  lap("signed in again with the app's code");

  // -- 5. billing: a card, Free → Starter with the price first, the invoice's PDF ---------------------------------
  await page.goto(`${PORTAL}/stores/${SLUG}/billing`);
  await page.getByRole("heading", { name: `Billing of ${SLUG}` }).waitFor();
  await page.getByText("Current plan: Free").waitFor();
  await saveCard(page);
  const preview = await previewPlan(page, "Starter", (due) => check(due === "Due now: 29.00 EUR", `Starter costs: ${due}`));
  await shoot(page, "journey-upgrade-price", LIGHT);
  await preview.getByRole("button", { name: "Confirm the change to Starter" }).click();
  await page.getByText("Current plan: Starter").waitFor();
  await downloadNewestInvoice(page);
  await dismissNotices(page);
  await shoot(page, "journey-billing"); // light and dark
  await inGerman(page, context, "journey-billing", { name: `Abrechnung von ${SLUG}` });
  await page.getByText("Current plan: Starter").waitFor();
  lap("upgraded, invoice downloaded");

  // -- 6. a member invited, who accepts in a second browser profile ----------------------------------------------
  await page.goto(`${PORTAL}/stores/${SLUG}/members`);
  await page.locator(`tr[data-email="${EMAIL}"]`).waitFor();
  await inviteMember(page, MEMBER_EMAIL, "admin");
  await shoot(page, "journey-invited", LIGHT);
  const invitation = await mailedLink(MEMBER_EMAIL);
  const member = await profile();
  await acceptAsNewPerson(member.page, invitation, SLUG, PASSWORD, "Admin", {
    afterAccepting: () => shoot(member.page, "journey-member-accepted", LIGHT),
  });
  await member.close();
  await page.reload();
  await page.locator(`tr[data-email="${MEMBER_EMAIL}"]`).waitFor();
  lap("the member accepted");

  // -- 7. "Open store": the platform's single sign-on onto the store's own page --------------------------------
  // The owner's role asks for the store's own second factor: the landing page says so (its state is logged).
  await openStore(page, SLUG, EMAIL);
  await shoot(page, "journey-open-store", LIGHT);
  lap("the store opened by single sign-on");

  // -- 8. deleted with the typed slug, and gone from "My stores" ----------------------------------------------
  await deleteStore(page, SLUG, { shootDialog: () => shoot(page, "journey-delete", LIGHT) });
  await page.getByText("The store is deleted.").waitFor({ timeout: 90_000 });
  await page.goto(`${PORTAL}/stores`);
  await page.getByRole("heading", { name: "My stores" }).waitFor();
  check((await storeRow(page).count()) === 0, `${SLUG} is still among my stores`);
  await shoot(page, "journey-deleted", LIGHT);
  await inGerman(page, context, "journey-deleted", { name: "Meine Shops" });
  lap("the store is deleted");
});
