/**
 * Steps of a person through the portal that more than one browser script takes (the journey and the areas' own
 * scripts): signing in (with the authenticator app's codes when asked), setting the app up, a card through
 * Stripe.js, a plan change with its price first, an invoice's PDF, "Open store", deleting a store, and a link from
 * the real mail, asked of the pytest test that started the script (tests/portal_browser.py answers "MAIL?").
 * Each step checks what the page shows; none takes screenshots (the scripts decide which states to shoot).
 */

import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

import { check, PORTAL } from "./support.mjs";

// -- the mail: the test reads it from its SMTP sink and answers with the message's link ----------------------------

/**
 * The link of the `count`-th mail to `to` (waiting for it): asked on stdout as "MAIL? <to> <count>", answered on
 * stdin with the link (or "ERROR <reason>") by tests/portal_browser.py's `in_the_browser(..., mail=stack.mail)`.
 */
export async function mailedLink(to, count = 1) {
  const lines = createInterface({ input: process.stdin });
  try {
    const answer = new Promise((resolve, reject) => {
      lines.once("line", resolve);
      lines.once("close", () => reject(new Error(`no answer for the mail to ${to}: stdin closed`)));
    });
    console.log(`MAIL? ${to} ${count}`);
    const line = (await answer).trim();
    check(!line.startsWith("ERROR"), `the mail to ${to}: ${line}`);
    return line;
  } finally {
    lines.close();
  }
}

// -- RFC 6238 (TOTP, SHA-1, 6 digits, 30 s steps), as authenticator apps compute it ----------------------------

const STEP_SECONDS = 30;

function base32(secret) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of secret.replace(/[\s=]/g, "").toUpperCase()) {
    const value = alphabet.indexOf(char);
    check(value >= 0, `not base32: ${secret}`);
    bits += value.toString(2).padStart(5, "0");
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

export function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const value = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, "0");
}

const stepNow = () => Math.floor(Date.now() / 1000 / STEP_SECONDS);
let lastStep = -1;

/**
 * The app's code: now's, or, once now's was used (the server takes each step once), the next step's, as an app
 * whose clock runs a little fast shows it (the server accepts a step of drift either way). Two steps ahead it
 * waits, so no code is ever more than one step early.
 */
export async function freshCode(secret) {
  while (lastStep + 1 > stepNow() + 1) await new Promise((resolve) => setTimeout(resolve, 500));
  lastStep = Math.max(stepNow(), lastStep + 1);
  return totp(secret, lastStep);
}

/** A code no step around now has (the server accepts a step of drift either way). */
export function wrongCode(secret) {
  const near = new Set([-1, 0, 1].map((drift) => totp(secret, stepNow() + drift)));
  for (let n = 0; ; n++) {
    const code = String((123456 + n * 7919) % 1_000_000).padStart(6, "0");
    if (!near.has(code)) return code;
  }
}

// -- signing in ------------------------------------------------------------------------------------------------

/** The sign-in page's form, filled and sent (the page must be open). */
export async function signInWithPassword(page, email, password) {
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** The code challenge after the password: a wrong code refused at its field first when `wrongFirst`. */
export async function answerChallenge(page, secret, { wrongFirst = false } = {}) {
  await page.getByRole("heading", { name: "Two-step verification" }).waitFor();
  if (wrongFirst) {
    await page.getByLabel("Code").fill(wrongCode(secret));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.locator("#code-error").waitFor();
    console.log(`a wrong code at sign-in says: ${await page.locator("#code-error").textContent()}`);
  }
  await page.getByLabel("Code").fill(await freshCode(secret));
  await page.getByRole("button", { name: "Verify" }).click();
}

// -- the authenticator app on /account/security ----------------------------------------------------------------

/** "Set up an authenticator app": the key read from the page, a wrong code refused, the right one turns it on.
 * Returns { secret, codes } (the backup codes shown); the page then waits at "I have saved them". `onKey(secret)`
 * runs once the key shows, `shootWrong()` once the wrong code is refused. */
export async function setUpAuthenticator(page, { onKey, shootWrong } = {}) {
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  const qr = page.getByRole("img", { name: /QR code/ });
  await qr.waitFor();
  check((await qr.getAttribute("src")).startsWith("data:image/svg+xml"), "the QR code is not an SVG data URL");
  check(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), "the QR code did not render");
  const secret = await page.locator("code.secret").getAttribute("data-secret");
  check(/^[A-Z2-7]{16,}$/.test(secret ?? ""), `the key shown is ${secret}`);
  if (onKey) await onKey(secret);
  await page.getByLabel("Code").fill(wrongCode(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  await page.locator("#enrol-error").filter({ hasText: "wrong" }).waitFor();
  console.log(`a wrong code says: ${await page.locator("#enrol-error").textContent()}`);
  check((await page.getByLabel("Code").getAttribute("aria-invalid")) === "true", "the wrong code's field is not invalid");
  if (shootWrong) await shootWrong();
  await page.getByLabel("Code").fill(await freshCode(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  const list = page.getByRole("list", { name: "Backup codes" });
  await list.waitFor();
  const codes = (await list.getByRole("listitem").allTextContents()).map((code) => code.trim());
  check(codes.length === 10 && codes.every((code) => /^[a-z2-7]{5}-[a-z2-7]{5}$/.test(code)), `backup codes: ${codes}`);
  await page.getByText("Two-step verification is on.").first().waitFor();
  return { secret, codes };
}

// -- billing ---------------------------------------------------------------------------------------------------

/** "Add a card" on the billing page: test card 4242… into localstripe's stand-in for Stripe.js, then saved. */
export async function saveCard(page, { beforeSaving } = {}) {
  await page.getByRole("button", { name: "Add a card" }).click();
  const element = page.getByTestId("card-element");
  await element.locator('input[placeholder="number"]').waitFor();
  check(await page.evaluate(() => typeof window.Stripe === "function"), "Stripe.js did not load");
  await element.locator('input[placeholder="number"]').pressSequentially("4242424242424242");
  await element.locator('input[placeholder="exp_month"]').fill("12");
  await element.locator('input[placeholder="exp_year"]').fill("30");
  await element.locator('input[placeholder="cvc"]').fill("123");
  await element.locator('input[placeholder="postal_code"]').fill("10115");
  if (beforeSaving) await beforeSaving();
  await page.getByRole("button", { name: "Save the card" }).click();
  await page.getByText("The card is saved and is now the default.").waitFor();
  await page.locator(".cards-list li", { hasText: "4242" }).waitFor();
}

/** "Change the plan…" when the plans are shown as a list: the form loads and its current plan takes the focus. */
export async function openPlanChange(page) {
  const open = page.getByRole("button", { name: "Change the plan…" });
  if (!(await open.count())) return;
  await open.click();
  await page.getByRole("button", { name: "Show the price" }).waitFor();
  const focused = await page.evaluate(() => {
    const active = document.activeElement;
    return active instanceof HTMLInputElement && active.type === "radio" && active.checked;
  });
  check(focused, "the plan change's form did not focus the current plan");
}

/** A plan chosen and its price shown (checked by `expectations(due, lines)`); returns the preview section. */
export async function previewPlan(page, title, expectations) {
  await openPlanChange(page);
  await page.getByRole("radio", { name: new RegExp(title) }).check();
  await page.getByRole("button", { name: "Show the price" }).click();
  const preview = page.locator("section.preview");
  await preview.getByRole("heading", { name: `Moving to ${title}` }).waitFor();
  const due = await preview.getByRole("status").textContent();
  const lines = await preview.locator(".preview-lines li").allTextContents();
  console.log(`the preview of ${title}: ${due}; ${lines.join(" | ")}`);
  await expectations(due ?? "", lines);
  return preview;
}

/** The newest invoice (Stripe's webhook issues it) and its PDF through the BFF: named after it, and a PDF. */
export async function downloadNewestInvoice(page) {
  const row = page.locator("section[aria-labelledby=invoices-heading] tbody tr").first();
  await row.waitFor({ timeout: 60_000 });
  const number = (await row.locator("td").first().textContent())?.trim() ?? "";
  check(/^TY-\d{4}-\d{6}$/.test(number), `the invoice number is ${number}`);
  console.log(`the newest invoice: ${(await row.textContent())?.replace(/\s+/g, " ")}`);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    row.getByRole("link", { name: `PDF of ${number}` }).click(),
  ]);
  check(download.suggestedFilename() === `${number}.pdf`, `the PDF is named ${download.suggestedFilename()}`);
  const pdf = readFileSync(await download.path());
  check(pdf.subarray(0, 5).toString("latin1") === "%PDF-", `the download starts with ${pdf.subarray(0, 8).toString("latin1")}`);
  console.log(`${number}.pdf: ${pdf.length} bytes`);
  return number;
}

// -- a store ---------------------------------------------------------------------------------------------------

/** "Open store" on the store's page: through the platform's provider onto the store's own page, as the member.
 * Returns the landing page's state: "signed-in", or "second-factor" (the store asks the role for its own code). */
export async function openStore(page, slug, email) {
  await page.goto(`${PORTAL}/stores/${slug}`);
  await page.getByRole("button", { name: "Open store" }).click();
  await page.waitForURL((url) => url.hostname === `${slug}.localhost`, { timeout: 30_000 });
  const landing = await page.locator("main").textContent();
  check(landing?.includes(`Welcome to ${slug}`) && landing.includes(email), `the store's landing page says: ${landing}`);
  check(!landing.includes('"access"'), "the landing page is JSON");
  // Signed in, or (a role the store asks a second factor of, such as its owner) asked for the code in the store.
  const state = await page.locator("main [data-state]").first().getAttribute("data-state");
  check(state === "signed-in" || state === "second-factor", `the store's landing page is in state ${state}`);
  console.log(`Open store landed on ${page.url()} (${state})`);
  return state;
}

/** "Delete this store…" with the typed slug (refused before it is typed in full); `shootDialog` before confirming. */
export async function deleteStore(page, slug, { shootDialog } = {}) {
  await page.goto(`${PORTAL}/stores/${slug}`);
  await page.getByRole("button", { name: "Delete this store…" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  const submit = dialog.getByRole("button", { name: "Delete the store" });
  const typed = dialog.getByLabel(`To confirm, type the store's slug ${slug}`);
  check(await submit.isDisabled(), "deleting works before the slug is typed");
  await typed.fill(slug.slice(0, -1));
  check(await submit.isDisabled(), "deleting works with half the slug");
  await typed.fill(slug);
  check(await submit.isEnabled(), "the typed slug does not enable deleting");
  if (shootDialog) await shootDialog();
  await submit.click();
  await page.getByRole("status").filter({ hasText: /is being deleted|store is deleted/ }).first().waitFor();
}

/** "Invite someone…" on the members page, unless the form is open already: it loads and takes the focus. */
export async function openInviteForm(page) {
  const open = page.getByRole("button", { name: "Invite someone…" });
  if (!(await open.count())) return;
  await open.click();
  const email = page.getByLabel("Their email address");
  await email.waitFor();
  check(await email.evaluate((input) => input === document.activeElement), "the invitation form did not take the focus");
}

/** On the store's members page: invite `email` as `role` ("admin", "billing", …); the page lists the invitation. */
export async function inviteMember(page, email, role) {
  await openInviteForm(page);
  await page.getByLabel("Their email address").fill(email);
  await page.getByLabel("Role", { exact: true }).selectOption(role);
  await page.getByRole("button", { name: "Send the invitation" }).click();
  await page.getByRole("status").filter({ hasText: `An invitation was sent to ${email}` }).waitFor();
  await page.locator(".invitations li", { hasText: email }).waitFor();
}

/** The mailed invitation link, opened by a new person: their account made and the invitation accepted as `role`
 * (its title, e.g. "Admin"); then "Go to the store" shows the store's page with that role. */
export async function acceptAsNewPerson(page, link, slug, password, role, { beforeAccepting, afterAccepting } = {}) {
  check(link.startsWith(`${PORTAL}/accept-invitation?token=`), `the mailed link leads elsewhere: ${link}`);
  await page.goto(link);
  await page.getByLabel("Your name").fill("Mia Member");
  await page.getByLabel("Password", { exact: true }).fill(password);
  if (beforeAccepting) await beforeAccepting();
  await page.getByRole("button", { name: "Create my account and accept" }).click();
  const done = page.locator("main").getByRole("status");
  await done.waitFor();
  const said = await done.textContent();
  check(said?.includes(`you are now a member as ${role}`), `accepting says: ${said}`);
  if (afterAccepting) await afterAccepting();
  await page.getByRole("link", { name: "Go to the store" }).click();
  await page.waitForURL(`${PORTAL}/stores/${slug}`);
  check((await page.locator(".facts").textContent())?.includes(role), `the member's store page shows no ${role} role`);
}
