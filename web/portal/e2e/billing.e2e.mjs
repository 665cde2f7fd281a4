/**
 * A store's billing in a real browser (Debian's /usr/bin/chromium through playwright-core, headless) on `make up`'s
 * stack, started by tests/test_portal_billing.py, which signed up, verified and waited for the store to be ready.
 *
 *   PORTAL_URL, EMAIL, PASSWORD, SLUG, SCREENSHOTS (a folder), CHROMIUM (optional)
 *
 * Signs in through the page, opens /stores/<slug>/billing, saves a card through Stripe.js (localstripe's
 * stand-in, test card 4242…), moves to Starter and then to Growth with the price shown before each confirmation
 * (prorated the second time), waits for the invoice Stripe's webhook brings, downloads its PDF through the BFF,
 * and sees the charts drawn. axe-core on every screenshot (light and dark); CSP violations fail the run.
 */

import { readFileSync } from "node:fs";

import { check, env, PORTAL, run, shoot } from "./support.mjs";

const EMAIL = env("EMAIL");
const PASSWORD = env("PASSWORD");
const SLUG = env("SLUG");
const BILLING = `${PORTAL}/stores/${SLUG}/billing`;

async function changePlan(page, title, expectations) {
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

run("billing e2e", async (page) => {
  // -- sign in through the page, then the billing page ------------------------------------------------
  await page.goto(BILLING);
  check(new URL(page.url()).pathname === "/sign-in", `the billing page without a session shows ${page.url()}`);
  await page.getByLabel("Email address").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === "/stores" || url.pathname === `/stores/${SLUG}/billing`);
  await page.goto(BILLING);
  await page.getByRole("heading", { name: `Billing of ${SLUG}` }).waitFor();
  await page.getByText("Current plan: Free").waitFor();
  await page.getByText("No card yet.").waitFor();
  await page.getByText("No invoices yet.").waitFor();
  await page.getByRole("heading", { name: "Usage and spend" }).waitFor();
  await page.getByText("The last 30 days (UTC).").waitFor();
  const csp = (await page.request.get(BILLING)).headers()["content-security-policy"] ?? "";
  console.log(`the billing page's CSP: ${csp}`);
  await shoot(page, "billing");

  // -- a card through Stripe.js: localstripe's stand-in mounts plain inputs ---------------------------------
  await page.getByRole("button", { name: "Add a card" }).click();
  const element = page.getByTestId("card-element");
  await element.locator('input[placeholder="number"]').waitFor();
  check(await page.evaluate(() => typeof window.Stripe === "function"), "Stripe.js did not load");
  await element.locator('input[placeholder="number"]').pressSequentially("4242424242424242");
  await element.locator('input[placeholder="exp_month"]').fill("12");
  await element.locator('input[placeholder="exp_year"]').fill("30");
  await element.locator('input[placeholder="cvc"]').fill("123");
  await element.locator('input[placeholder="postal_code"]').fill("10115");
  await shoot(page, "billing-card");
  await page.getByRole("button", { name: "Save the card" }).click();
  await page.getByText("The card is saved and is now the default.").waitFor();
  await page.locator(".cards-list li", { hasText: "4242" }).waitFor();
  console.log(`the cards: ${(await page.locator(".cards-list").textContent())?.replace(/\s+/g, " ")}`);

  // -- Free → Starter: the first month's price first, then the change --------------------------------------
  const refused = page.getByRole("button", { name: "Show the price" });
  await refused.click(); // still on Free: refused in the page
  await page.getByText("Choose a plan other than your current one.").waitFor();
  let preview = await changePlan(page, "Starter", (due) => check(due === "Due now: 29.00 EUR", `Starter costs: ${due}`));
  await shoot(page, "billing-preview");
  await preview.getByRole("button", { name: "Confirm the change to Starter" }).click();
  await page.getByText("Current plan: Starter").waitFor();
  await page.getByText("Your store is now on the Starter plan.").waitFor();

  // -- Starter → Growth: Stripe's prorated preview (credit for the unused Starter time) ------------------------
  preview = await changePlan(page, "Growth", (due, lines) => {
    check(lines.length >= 2 && lines.some((line) => line.includes("-")), `no proration credit among ${lines.join(" | ")}`);
    check(/^Due now: \d+\.\d{2} EUR$/.test(due), `the prorated preview says ${due}`);
  });
  await preview.getByText("Prorated: the unused time of your current plan is credited.").waitFor();
  await shoot(page, "billing-preview-prorated");
  await preview.getByRole("button", { name: "Confirm the change to Growth" }).click();
  await page.getByText("Current plan: Growth").waitFor();

  // -- the invoice (Stripe's webhook issues it) and its PDF through the BFF ---------------------------------
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

  // -- the charts: the charges and payments of the ledger, drawn by Chart.js -----------------------------
  await page.reload();
  await page.getByText("Current plan: Growth").waitFor();
  const spend = page.locator("figure.chart", { hasText: "Spend per day" });
  await spend.locator("canvas[data-rendered=true]").waitFor({ timeout: 30_000 });
  const summary = await spend.locator("canvas").getAttribute("aria-label");
  check(/^Charged \d+\.\d{2} EUR, paid \d+\.\d{2} EUR in total$/.test(summary ?? ""), `the spend chart's summary: ${summary}`);
  console.log(`the spend chart says: ${summary}`);
  await page.getByText("The figures as a table").click();
  await page.locator(".chart-table tbody tr").first().waitFor();
  await shoot(page, "billing-paid");

  // -- German ------------------------------------------------------------------------------------------
  await page.getByLabel("Language").selectOption("de");
  await page.getByRole("heading", { name: `Abrechnung von ${SLUG}` }).waitFor();
  await page.getByText("Aktueller Tarif: Growth").waitFor();
  await shoot(page, "billing-de");
  await page.getByLabel("Sprache").selectOption("en");
  await page.getByRole("heading", { name: `Billing of ${SLUG}` }).waitFor();
});
