/**
 * The shared packages' notices (@tenantry/ui/notices) in a real browser, 360 px wide, on `make up`'s stack that
 * tests/test_portal_packages.py started (it signed up, confirmed the address and opened two more sessions).
 *
 *   PORTAL_URL, EMAIL, PASSWORD, SCREENSHOTS (a folder), CHROMIUM (optional)
 *
 * Signs in, signs the two other devices out on /account/security: each leaves a success notice. Checks that at
 * 360 px the two notices do not overlap each other, and that no element of the page is behind the list wherever the
 * page is scrolled; that they stay while the pointer is over them and leave by
 * themselves a few seconds after it left. Screenshots packages-notices-360-{light,dark}; the layout's scheme and
 * language pickers from the packages: German, then dark through the picker (the class on <html>, the cookie).
 */

import { check, env, PORTAL, run, shoot } from "./support.mjs";
import { signInWithPassword } from "./steps.mjs";

const EMAIL = env("EMAIL");
const PASSWORD = env("PASSWORD");
const DEVICES = ["packages-e2e device one", "packages-e2e device two"];

const overlap = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

run("packages e2e", async (page, context) => {
  await page.goto(`${PORTAL}/account/security`);
  await signInWithPassword(page, EMAIL, PASSWORD);
  await page.waitForURL(`${PORTAL}/account/security`);
  await page.locator("table.sessions").waitFor();

  const notices = page.locator(".notices");
  for (const device of DEVICES) {
    const row = page.locator("table.sessions tbody tr").filter({ hasText: device });
    await row.getByRole("button", { name: new RegExp(`^Sign out ${device}`) }).click();
    await row.waitFor({ state: "detached" });
  }
  // Held while the pointer is over them (the screenshots and checks take longer than a notice's life).
  await notices.hover();
  const shown = notices.getByRole("status");
  await page.waitForFunction(() => document.querySelectorAll(".notices .notice").length === 2);
  check((await shown.count()) === 2, `two notices expected, ${await shown.count()} shown`);

  const [first, second] = [await shown.nth(0).boundingBox(), await shown.nth(1).boundingBox()];
  check(first && second && !overlap(first, second), `the notices overlap each other: ${JSON.stringify([first, second])}`);
  const list = await notices.boundingBox();
  check(list && list.width <= 360, `the notices are wider than the screen: ${JSON.stringify(list)}`);
  // Scrolled to the top, the middle or the end, no element of the page's content is behind the list.
  for (const at of [0, 0.5, 1]) {
    await page.evaluate((at) => window.scrollTo(0, (document.body.scrollHeight - window.innerHeight) * at), at);
    const behind = await page.evaluate(() => {
      const notices = document.querySelector(".notices");
      const list = notices.getBoundingClientRect();
      // Every element of the page's content but the list, what is in it, and what holds it.
      return [...document.querySelectorAll("main *")]
        .filter((element) => !element.contains(notices) && !notices.contains(element))
        .map((element) => element.getBoundingClientRect())
        .filter((box) => box.width > 0 && box.height > 0)
        .filter((box) => box.bottom > list.top + 0.5 && box.top < list.bottom - 0.5).length;
    });
    check(behind === 0, `${behind} elements of the page's content are behind the notices at 360 px (scrolled ${at})`);
  }
  // 360 px only: at 1280 px the notices float in a corner, away from the pointer that holds them.
  await shoot(page, "packages-notices-360", { desktop: false });

  await page.waitForTimeout(7000);
  check((await shown.count()) === 2, "the notices left while the pointer was over them");
  await page.mouse.move(5, 5);
  await notices.getByRole("status").first().waitFor({ state: "detached", timeout: 10_000 });
  await page.waitForFunction(() => document.querySelectorAll(".notices .notice").length === 0, null, { timeout: 10_000 });
  console.log("the notices left by themselves once the pointer was away");

  // The pickers of @tenantry/i18n and @tenantry/theming in the layout.
  await page.getByLabel("Language").selectOption("de");
  await page.getByRole("heading", { name: "Sicherheit", level: 1 }).waitFor();
  check((await page.locator("html").getAttribute("lang")) === "de", "German is not lang=de");
  await page.getByLabel("Farbschema").selectOption("dark");
  check((await page.locator("html").getAttribute("class")) === "dark", "the scheme picker did not set <html class=dark>");
  const cookies = await context.cookies(PORTAL);
  const theme = cookies.find((cookie) => cookie.name === "tenantry_theme");
  check(theme?.value === "dark", `the theme cookie is ${JSON.stringify(theme)}`);
  await page.reload();
  check((await page.locator("html").getAttribute("class")) === "dark", "the server did not render the chosen scheme");
  await page.getByLabel("Sprache").selectOption("en");
  await page.getByRole("heading", { name: "Security", level: 1 }).waitFor();
});
