/**
 * The portal with its API down (tests/test_portal_down.py starts it so): every page shows, in an alert, that
 * Tenantry cannot be reached, in words; forms keep what was typed and say so at submit. Screenshots down-*.
 */

import { check, PORTAL, run, shoot } from "./support.mjs";

/** The page's alert in <main>: present, visible, in words. */
async function alertOf(page) {
  const alert = page.locator("main").getByRole("alert").first();
  await alert.waitFor({ timeout: 15_000 });
  const text = (await alert.innerText()).trim();
  check(text.length > 20, `the alert says too little: ${JSON.stringify(text)}`);
  return text;
}

run("portal e2e (API down)", async (page) => {
  for (const [name, path] of [
    ["search", "/search?q=shoes"],
    ["directory", "/directory"],
  ]) {
    await page.goto(`${PORTAL}${path}`);
    const said = await alertOf(page);
    console.log(`${path} says: ${said}`);
    await shoot(page, `down-${name}`);
  }

  // The landing page still renders; its search suggestions fail quietly and the form still submits to /search.
  await page.goto(`${PORTAL}/`);
  check((await page.locator("h1").innerText()).length > 0, "the landing page is blank");

  // Sign-up without plans: it says so and offers the free plan; sending says Tenantry cannot be reached.
  await page.goto(`${PORTAL}/sign-up`);
  await page.getByText("The plans could not be loaded").waitFor();
  await page.getByLabel("Store name").fill("Down Shop");
  await page.getByLabel("Email address").fill("owner@example.test");
  await page.getByLabel("Password", { exact: true }).fill("a long enough password");
  await page.getByRole("button", { name: "Create my store" }).click();
  console.log(`sign-up says: ${await alertOf(page)}`);
  check((await page.getByLabel("Store name").inputValue()) === "Down Shop", "the sign-up form lost the store name");
  await shoot(page, "down-sign-up");

  // A form: the credentials stay, the alert says what happened.
  await page.goto(`${PORTAL}/sign-in`);
  await page.getByLabel("Email address").fill("owner@example.test");
  await page.getByLabel("Password").fill("a long enough password");
  await page.getByRole("button", { name: "Sign in" }).click();
  const said = await alertOf(page);
  console.log(`sign-in says: ${said}`);
  check((await page.getByLabel("Email address").inputValue()) === "owner@example.test", "the form lost the email");
  await shoot(page, "down-sign-in");
});
