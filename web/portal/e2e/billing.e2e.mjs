/**
 * A store's billing in a real browser (Debian's /usr/bin/chromium through playwright-core, headless) on `make up`'s
 * stack, started by tests/test_portal_billing.py, which signed up, verified and waited for the store to be ready.
 *
 *   PORTAL_URL, EMAIL, PASSWORD, SLUG, SCREENSHOTS (a folder), CHROMIUM (optional)
 *
 * Signs in through the page, opens /stores/<slug>/billing, saves a card through Stripe.js (localstripe's
 * stand-in, test card 4242…), moves to Starter and then to Growth with the price shown before each confirmation
 * (prorated the second time), waits for the invoice Stripe's webhook brings (the journey downloads one's PDF),
 * and sees the charts drawn. axe-core on every screenshot (light and dark); CSP violations fail the run.
 */

import { check, env, PORTAL, run, shoot } from "./support.mjs";
import { previewPlan as changePlan, openPlanChange, saveCard, signInWithPassword } from "./steps.mjs";

const EMAIL = env("EMAIL");
const PASSWORD = env("PASSWORD");
const SLUG = env("SLUG");
const BILLING = `${PORTAL}/stores/${SLUG}/billing`;

run("billing e2e", async (page) => {
  // -- sign in through the page, then the billing page ------------------------------------------------
  await page.goto(BILLING);
  check(new URL(page.url()).pathname === "/sign-in", `the billing page without a session shows ${page.url()}`);
  await signInWithPassword(page, EMAIL, PASSWORD);
  await page.waitForURL((url) => url.pathname === "/stores" || url.pathname === `/stores/${SLUG}/billing`);
  await page.goto(BILLING);
  await page.getByRole("heading", { name: `Billing of ${SLUG}` }).waitFor();
  await page.getByText("Current plan: Free").waitFor();
  await page.getByText("No card yet.").waitFor();
  await page.getByText("No invoices yet.").waitFor();
  await page.getByRole("heading", { name: "Usage and spend" }).waitFor();
  // The plans as a list until "Change the plan…": the free one says "Free" once (its price reads "No charge").
  const plans = page.getByRole("list", { name: "Plans" });
  const free = plans.getByRole("listitem").filter({ hasText: "Free" });
  check((await free.textContent())?.replace(/\s+/g, " ").trim() === "Free (your plan)No charge", `the free plan reads ${await free.textContent()}`);
  check((await page.getByRole("radio").count()) === 0, "the plan change's form is there before it is asked for");
  await page.getByText("The last 30 days (UTC).").waitFor();
  const csp = (await page.request.get(BILLING)).headers()["content-security-policy"] ?? "";
  console.log(`the billing page's CSP: ${csp}`);
  await shoot(page, "billing");

  // -- a card through Stripe.js: localstripe's stand-in mounts plain inputs ---------------------------------
  await saveCard(page, { beforeSaving: () => shoot(page, "billing-card") });
  console.log(`the cards: ${(await page.locator(".cards-list").textContent())?.replace(/\s+/g, " ")}`);

  // -- Free → Starter: the first month's price first, then the change --------------------------------------
  await openPlanChange(page);
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

  // -- the invoice Stripe's webhook issues (its PDF is downloaded in the journey, journey.e2e.mjs) ------------
  await page.locator("section[aria-labelledby=invoices-heading] tbody tr").first().waitFor({ timeout: 60_000 });

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
