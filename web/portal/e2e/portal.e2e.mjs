/**
 * The portal in a real browser (Debian's /usr/bin/chromium through playwright-core, headless),
 * against `make up`'s stack that tests/test_portal.py started; that test signed up through the API
 * and answers the script's "MAIL?" with the links of the real mail.
 *
 *   PORTAL_URL, EMAIL, PASSWORD, NEW_PASSWORD, SLUG, SCREENSHOTS (a folder), CHROMIUM (optional)
 *
 * Opens the verification link in the portal, signs in through the page (an empty form and a wrong
 * password refused first), sees the store on /stores, the theme and German, signs out; asks for a reset
 * mail from the sign-in page's "Forgot your password?"; sets a new password from the mailed reset link,
 * sees the spent link refused, and signs in with the new password.
 * On every page it runs axe-core (0 serious or critical violations), fails on any CSP violation or
 * page error, and writes screenshots in light and dark. Exits non-zero with the reason on failure.
 */

import { check, env, PORTAL, run, shoot } from "./support.mjs";
import { mailedLink } from "./steps.mjs";

const EMAIL = env("EMAIL");
const SLUG = env("SLUG");

async function signIn(page, password) {
  await page.getByLabel("Email address").fill(EMAIL);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${PORTAL}/stores`);
  await page.getByRole("row", { name: new RegExp(`\\(${SLUG}\\)`) }).waitFor();
}

/** The mailed reset link: a new password (checked in the page first), the spent link refused, then sign in with it. */
async function resetPassword(page) {
  const link = await mailedLink(EMAIL, 2);
  const password = env("NEW_PASSWORD");
  check(link.startsWith(`${PORTAL}/reset-password?`), `the mailed link leads elsewhere: ${link}`);
  await page.goto(link);
  await page.getByLabel("New password", { exact: true }).fill("short");
  await page.getByLabel("New password again").fill("different");
  await page.getByRole("button", { name: "Set the new password" }).click();
  check((await page.locator("#password-error").textContent()) === "Use at least 10 characters.", "a short password passes");
  check((await page.locator("#confirm-error").textContent()) === "The two passwords differ.", "differing passwords pass");
  await shoot(page, "reset-password");
  await page.getByLabel("New password", { exact: true }).fill(password);
  await page.getByLabel("New password again").fill(password);
  await page.getByRole("button", { name: "Set the new password" }).click();
  const done = await page.locator("main").getByRole("status").textContent();
  check(done?.includes("Your password is changed"), `reset-password says: ${done}`);
  await shoot(page, "reset-password-done");

  // The link died with the old password: the API's answer is shown, not a blank page.
  await page.goto(link);
  await page.getByLabel("New password", { exact: true }).fill(password);
  await page.getByLabel("New password again").fill(password);
  await page.getByRole("button", { name: "Set the new password" }).click();
  await page.locator("main").getByRole("alert").waitFor();
  console.log(`a spent reset link says: ${await page.locator("main").getByRole("alert").textContent()}`);
  await shoot(page, "reset-password-spent");

  await page.goto(`${PORTAL}/sign-in`);
  await signIn(page, password);
}

async function verifyAndSignIn(page, context) {
  const VERIFY_LINK = await mailedLink(EMAIL, 1);
  const PASSWORD = env("PASSWORD");
  // -- the verification link from the mail, opened in the portal ------------------------------------
  check(VERIFY_LINK.startsWith(`${PORTAL}/verify-email?`), `the mailed link leads elsewhere: ${VERIFY_LINK}`);
  await page.goto(VERIFY_LINK);
  const confirmed = await page.locator("main").getByRole("status").textContent();
  check(confirmed?.includes(EMAIL) && confirmed.includes("is confirmed"), `verify-email says: ${confirmed}`);
  await shoot(page, "verify-email");

  // -- sign in through the page ---------------------------------------------------------------------
  await page.goto(`${PORTAL}/stores`);
  check(new URL(page.url()).pathname === "/sign-in", `/stores without a session shows ${page.url()}`);
  await shoot(page, "sign-in");
  await page.getByRole("button", { name: "Sign in" }).click();
  check(
    (await page.locator("#email-error").textContent()) === "Please fill in this field.",
    "an empty sign-in shows no error at the email field",
  );
  await page.getByLabel("Email address").fill(EMAIL);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("main").getByRole("alert").waitFor();
  console.log(`a wrong password says: ${await page.locator("main").getByRole("alert").textContent()}`);
  await shoot(page, "sign-in-error");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${PORTAL}/stores`);

  // -- my stores ------------------------------------------------------------------------------------
  await page.getByRole("heading", { name: "My stores" }).waitFor();
  const row = page.getByRole("row", { name: new RegExp(`\\(${SLUG}\\)`) });
  await row.waitFor();
  console.log(`stores lists: ${(await row.textContent())?.replace(/\s+/g, " ")}`);
  check((await page.getByText(`Signed in as ${EMAIL}`).count()) === 1, "the stores page does not name the user");
  await shoot(page, "stores");

  // The session: the refresh token only in an httpOnly, SameSite=Lax cookie; nothing for scripts.
  const cookies = await context.cookies(PORTAL);
  const refresh = cookies.find((cookie) => cookie.name === "tenantry_refresh");
  check(refresh?.httpOnly === true && refresh.sameSite === "Lax", `the refresh cookie: ${JSON.stringify(refresh)}`);
  const visible = await page.evaluate(() => ({ cookies: document.cookie, storage: { ...localStorage, ...sessionStorage } }));
  check(!visible.cookies.includes("tenantry_refresh"), "scripts can read the refresh cookie");
  check(Object.keys(visible.storage).length === 0, `web storage holds ${JSON.stringify(visible.storage)}`);

  // -- the theme toggle and German, rendered by the server from their cookies -------------------------
  await page.getByLabel("Colour scheme").selectOption("dark");
  await page.reload();
  check((await page.locator("html").getAttribute("class")) === "dark", "the chosen dark scheme is not rendered");
  await page.getByLabel("Colour scheme").selectOption("system");
  await page.getByLabel("Language").selectOption("de");
  await page.getByRole("heading", { name: "Meine Shops" }).waitFor();
  check((await page.locator("html").getAttribute("lang")) === "de", "German pages are not lang=de");
  await shoot(page, "stores-de");
  await page.getByLabel("Sprache").selectOption("en");
  await page.getByRole("heading", { name: "My stores" }).waitFor();

  // -- sign out: the session ends, /stores asks to sign in again --------------------------------------
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(`${PORTAL}/sign-in`);
  check(!(await context.cookies(PORTAL)).some((cookie) => cookie.name === "tenantry_refresh"), "sign-out kept the cookie");
  await page.goto(`${PORTAL}/stores`);
  check(new URL(page.url()).pathname === "/sign-in", "after sign-out /stores still shows");

  // -- the reset-password page from an incomplete link ------------------------------------------------
  await page.goto(`${PORTAL}/reset-password`);
  await page.locator("main").getByRole("alert").waitFor();
  await shoot(page, "reset-password-incomplete");
}

/** The sign-in page's link to ask for a reset mail: the address checked, then the neutral answer. */
async function forgotPassword(page) {
  await page.goto(`${PORTAL}/sign-in`);
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.waitForURL(`${PORTAL}/forgot-password`);
  await page.getByLabel("Email address").fill("not an address");
  await page.getByRole("button", { name: "Send the link" }).click();
  await page.locator("#email-error").waitFor();
  await page.getByLabel("Email address").fill(EMAIL);
  await shoot(page, "forgot-password");
  await page.getByRole("button", { name: "Send the link" }).click();
  const sent = await page.locator("main").getByRole("status").textContent();
  check(sent?.includes(`If ${EMAIL} has an account`), `forgot-password says: ${sent}`);
  await shoot(page, "forgot-password-sent");
}

run("portal e2e", async (page, context) => {
  await verifyAndSignIn(page, context);
  await forgotPassword(page);
  await resetPassword(page);
});
