/**
 * Emailed links that have expired by time, in a real browser (Debian's chromium through playwright-core, headless)
 * against a `make up` stack that tests/test_portal_links.py started with a short PASSWORD_RESET_TIMEOUT (LINK_SECONDS);
 * that test signed up through the API and waited until the verification link was older than that.
 *
 *   PORTAL_URL, EMAIL, NEW_PASSWORD, LINK_SECONDS, SCREENSHOTS (a folder), CHROMIUM (optional)
 *
 * The expired verification link says it expired and what to do; the new link asked for there (from the real mail)
 * confirms the address, and opened again says it was used (not that it expired). A reset link asked for on /forgot-password and opened after it expired refuses the new
 * password, says so, and leads to asking for a new one. axe on every page, screenshots links-* in light and dark.
 */

import { check, env, PORTAL, run, shoot } from "./support.mjs";
import { mailedLink } from "./steps.mjs";

const EMAIL = env("EMAIL");
const NEW_PASSWORD = env("NEW_PASSWORD");
const LINK_SECONDS = Number(env("LINK_SECONDS"));

run("links e2e", async (page, context) => {
  // -- the verification link of the signup, expired by now --------------------------------------------------------
  const expired = await mailedLink(EMAIL, 1);
  check(expired.startsWith(`${PORTAL}/verify-email?`), `the mailed link leads elsewhere: ${expired}`);
  await page.goto(expired);
  await page.getByRole("heading", { name: "This link has expired", level: 1 }).waitFor();
  const said = await page.locator("main").getByRole("alert").textContent();
  check(said?.includes("has expired") && said.includes("ask for a new link"), `the expired link says: ${said}`);
  await shoot(page, "links-verify-expired");

  await context.addCookies([{ name: "tenantry_locale", value: "de", url: PORTAL }]);
  await page.reload();
  await page.getByRole("heading", { name: "Dieser Link ist abgelaufen", level: 1 }).waitFor();
  await page.getByRole("button", { name: "Neuen Link senden" }).waitFor();
  await shoot(page, "links-verify-expired-de");
  await context.addCookies([{ name: "tenantry_locale", value: "en", url: PORTAL }]);
  await page.reload();

  // -- what to do: a new link, asked for right there, from the real mail ---------------------------------------------
  await page.getByRole("button", { name: "Send a new link" }).click();
  await page.locator("#new-link-email-error").waitFor();
  await page.getByLabel("Email address").fill(EMAIL);
  await page.getByRole("button", { name: "Send a new link" }).click();
  const sent = await page.locator("main").getByRole("status").textContent();
  check(sent?.includes(`If ${EMAIL} has an account`), `asking for a new link says: ${sent}`);
  await shoot(page, "links-verify-sent");
  const fresh = await mailedLink(EMAIL, 2);
  check(fresh !== expired, "the new mail holds the old link");
  await page.goto(fresh);
  const confirmed = await page.locator("main").getByRole("status").textContent();
  check(confirmed?.includes(EMAIL) && confirmed.includes("is confirmed"), `the new link says: ${confirmed}`);
  // The same link again: used, not expired, and the page says so.
  await page.goto(fresh);
  await page.getByRole("heading", { name: "This link no longer works", level: 1 }).waitFor();
  const used = await page.locator("main").getByRole("alert").first().textContent();
  check(used?.includes("was used already") && used.includes("sign in"), `the used link says: ${used}`);
  await shoot(page, "links-verify-used", { schemes: ["light"] });

  // -- a password-reset link opened after it expired ------------------------------------------------------------
  await page.goto(`${PORTAL}/forgot-password`);
  await page.getByLabel("Email address").fill(EMAIL);
  await page.getByRole("button", { name: "Send the link" }).click();
  await page.locator("main").getByRole("status").waitFor();
  const reset = await mailedLink(EMAIL, 3);
  check(reset.startsWith(`${PORTAL}/reset-password?`), `the mailed link leads elsewhere: ${reset}`);
  const asked = Date.now();
  console.log(`waiting ${LINK_SECONDS + 2} s for the reset link to expire`);
  await page.waitForTimeout(Math.max(0, (LINK_SECONDS + 2) * 1000 - (Date.now() - asked)));
  await page.goto(reset);
  await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel("New password again").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Set the new password" }).click();
  const alert = page.locator("main").getByRole("alert");
  await alert.waitFor();
  const refused = await alert.textContent();
  check(/expired/.test(refused ?? "") && /new one/.test(refused ?? ""), `the expired reset link says: ${refused}`);
  await shoot(page, "links-reset-expired");
  await page.getByRole("link", { name: "Ask for a new link" }).click();
  await page.waitForURL(`${PORTAL}/forgot-password`);
  await page.getByRole("button", { name: "Send the link" }).waitFor();
});
