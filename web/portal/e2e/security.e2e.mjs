/**
 * The account's security in a real browser (Debian's chromium through playwright-core, headless) against
 * `make up`'s stack that tests/test_portal_security.py started; that test signed up and verified the address
 * through the API, and opened two more sessions through it ("security-e2e other device", "… second device").
 *
 *   PORTAL_URL, EMAIL, PASSWORD, NEW_PASSWORD, SCREENSHOTS (a folder), CHROMIUM (optional)
 *
 * Signs in through the page (redirected from /account/security), signs the other device out, sets up an
 * authenticator app (codes computed here from the key the page shows: RFC 6238 with node:crypto), sees a wrong
 * code refused at the field and the right one accepted, downloads the backup codes, signs out on the session
 * list, signs in again answering the code challenge with a backup code, and changes the password (a wrong current one refused at
 * its field first). axe-core on every page (0 serious or critical), screenshots light and dark (security-*).
 * Prints "BACKUP_CODES=<first code>" for the test to check.
 *
 * STEP=enrolment (the test has turned two-step verification off and made the account staff, which must have it):
 * signing in with NEW_PASSWORD asks to set up an app; a wrong code is refused, the right one signs in and shows
 * the backup codes; the security page then says it must stay on.
 */

import { readFileSync } from "node:fs";

import { check, env, PORTAL, run, shoot } from "./support.mjs";
import { freshCode, setUpAuthenticator, signInWithPassword as signInAs, wrongCode } from "./steps.mjs";

const EMAIL = env("EMAIL");
const PASSWORD = env("PASSWORD");
const NEW_PASSWORD = env("NEW_PASSWORD");

const signInWithPassword = (page, password) => signInAs(page, EMAIL, password);

async function securityPage(page) {
  await page.waitForURL(`${PORTAL}/account/security`);
  await page.getByRole("heading", { name: "Security", level: 1 }).waitFor();
  await page.locator("table.sessions").waitFor();
}

function sessionRow(page, text) {
  return page.locator("table.sessions tbody tr").filter({ hasText: text });
}

/** STEP=enrolment: an account that must have two-step verification (staff) sets it up while signing in. */
async function enrolWhileSigningIn(page) {
  await page.goto(`${PORTAL}/account/security`);
  await signInWithPassword(page, NEW_PASSWORD);
  const qr = page.getByRole("img", { name: /QR code/ });
  await qr.waitFor();
  check(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), "the QR code did not render");
  const secret = await page.locator("code.secret").getAttribute("data-secret");
  await page.getByLabel("Code").fill(wrongCode(secret));
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await page.locator("#enrol-error").filter({ hasText: "wrong" }).waitFor();
  await shoot(page, "security-sign-in-enrol");
  await page.getByLabel("Code").fill(await freshCode(secret));
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  const list = page.getByRole("list", { name: "Backup codes" });
  await list.waitFor();
  check((await list.getByRole("listitem").count()) === 10, "no 10 backup codes after enrolling while signing in");
  await page.getByText("You are signed in, and two-step verification is on.").waitFor();
  await shoot(page, "security-sign-in-codes");
  await page.getByRole("button", { name: "Continue" }).click();
  await securityPage(page);
  await page.getByText("Your account must keep two-step verification on.").waitFor();
  check(
    (await page.getByRole("button", { name: "Turn off two-step verification" }).count()) === 0,
    "an account that must keep two-step verification may turn it off",
  );
}

run(`security e2e (${process.env.STEP ?? "security"})`, async (page) => {
  if (process.env.STEP === "enrolment") {
    await enrolWhileSigningIn(page);
    return;
  }
  // -- signed-in only: the page sends a visitor to sign in and back -------------------------------------------
  await page.goto(`${PORTAL}/account/security`);
  check(new URL(page.url()).pathname === "/sign-in", `/account/security without a session shows ${page.url()}`);
  check(new URL(page.url()).searchParams.get("next") === "/account/security", `next is not kept: ${page.url()}`);
  await signInWithPassword(page, PASSWORD);
  await securityPage(page);
  await page.getByText("Off: your password alone signs you in.", { exact: false }).waitFor();
  check((await page.getByRole("link", { name: "Security" }).count()) === 1, "no Security link in the navigation");

  // -- sessions: this device marked, the other device signed out ------------------------------------------------
  const here = page.locator("table.sessions tbody tr[data-current]");
  check((await here.count()) === 1, `${await here.count()} sessions are marked as this device`);
  check((await here.textContent()).includes("This device"), "this device is not marked");
  check((await here.textContent()).includes("Chrome on Linux"), `this device reads ${await here.textContent()}`);
  await sessionRow(page, "security-e2e other device").waitFor();
  await sessionRow(page, "security-e2e second device").waitFor();
  await shoot(page, "security-page");
  await sessionRow(page, "security-e2e other device").getByRole("button", { name: /^Sign out security-e2e other device/ }).click();
  await page.getByText("That session is signed out.").waitFor();
  await sessionRow(page, "security-e2e other device").waitFor({ state: "detached" });
  check((await sessionRow(page, "security-e2e second device").count()) === 1, "the wrong session was signed out");

  // -- set up an authenticator app (the journey sets one up too; here: the key as shown, a code too short) ---------
  const { codes } = await setUpAuthenticator(page, {
    onKey: async (secret) => {
      const shown = (await page.locator("code.secret").textContent()).replace(/\s/g, "");
      check(shown === secret, "the key shown differs from the key");
      await shoot(page, "security-enrol");
      await page.getByLabel("Code").fill("12345");
      await page.getByRole("button", { name: "Turn on" }).click();
      check(
        (await page.locator("#enrol-error").textContent()) === "Enter the 6 digits your authenticator app shows, such as 123456.",
        "a 5-digit code passes the form",
      );
    },
    shootWrong: () => shoot(page, "security-wrong-code"),
  });
  await shoot(page, "security-backup-codes");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download (.txt)" }).click(),
  ]);
  check(download.suggestedFilename() === "tenantry-backup-codes.txt", `downloaded ${download.suggestedFilename()}`);
  const file = readFileSync(await download.path(), "utf8");
  check(file.startsWith("Tenantry backup codes\n"), `the file starts ${file.slice(0, 40)}`);
  for (const code of codes) check(file.includes(`\n${code}\n`), `the file lacks ${code}`);
  console.log(`BACKUP_CODES=${codes[0]}`);
  console.log(`BACKUP_CODE_2=${codes[1]}`);

  await page.getByRole("button", { name: "I have saved them" }).click();
  await page.getByText("On: signing in asks for a code", { exact: false }).waitFor();
  await page.getByText("Unused backup codes: 10").waitFor();
  await shoot(page, "security-on");

  // -- sign out on the session list, then sign in again: a wrong code, then a downloaded backup code (the journey
  // answers the challenge with the app's code) ------------------------------------------------------------------
  await here.getByRole("button", { name: "Sign out here" }).click();
  await page.waitForURL(`${PORTAL}/sign-in`);
  await page.goto(`${PORTAL}/account/security`);
  check(new URL(page.url()).pathname === "/sign-in", "after signing out the security page still shows");
  await signInWithPassword(page, PASSWORD);
  await page.getByRole("heading", { name: "Two-step verification" }).waitFor();
  await page.getByLabel("Code").fill("aaaaa-bbbbb");
  await page.getByRole("button", { name: "Verify" }).click();
  await page.locator("#code-error").waitFor();
  await shoot(page, "security-challenge");
  await page.getByLabel("Code").fill(codes[2]);
  await page.getByRole("button", { name: "Verify" }).click();
  await securityPage(page);
  await page.getByText("On: signing in asks for a code", { exact: false }).waitFor();
  await page.getByText("Unused backup codes: 9").waitFor();

  // -- change the password: the form loads on "Change the password…" and takes the focus; a wrong current one
  // refused at its field, then the change -------------------------------------------------------------------------
  check((await page.getByLabel("Current password").count()) === 0, "the password form is there before it is asked for");
  await page.getByRole("button", { name: "Change the password…" }).click();
  await page.getByLabel("Current password").waitFor();
  check(await page.getByLabel("Current password").evaluate((input) => input === document.activeElement), "the password form did not take the focus");
  await page.getByLabel("Current password").fill("not my password");
  await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel("New password again").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Change the password", exact: true }).click();
  await page.locator("#pw-current_password-error").waitFor();
  console.log(`a wrong current password says: ${await page.locator("#pw-current_password-error").textContent()}`);
  await shoot(page, "security-password-error");
  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByRole("button", { name: "Change the password", exact: true }).click();
  await page.locator("p.success[role=status]").filter({ hasText: "Your password is changed" }).waitFor();
  // Every other session is signed out: only this device is left.
  await sessionRow(page, "security-e2e second device").waitFor({ state: "detached" });
  check((await page.locator("table.sessions tbody tr").count()) === 1, "other sessions outlived the password change");
  await shoot(page, "security-password-changed");

  // -- this session stayed, and German --------------------------------------------------------------------------
  await page.reload();
  await securityPage(page);
  await page.getByLabel("Language").selectOption("de");
  await page.getByRole("heading", { name: "Sicherheit", level: 1 }).waitFor();
  await page.locator("table.sessions").waitFor();
  await shoot(page, "security-de");
  await page.getByLabel("Sprache").selectOption("en");
  await page.getByRole("heading", { name: "Security", level: 1 }).waitFor();
});
