/**
 * The portal's public pages in a real browser (Debian's /usr/bin/chromium through playwright-core, headless),
 * against `make up`'s stack that tests/test_portal_public.py started and fed with a ready store and its products.
 *
 *   PORTAL_URL, WORD (in every seeded name), STORE_NAME, STORE_URL, HIDDEN_STORE (a suspended store),
 *   SCREENSHOTS (a folder), CHROMIUM (optional)
 *
 * With no session at all: the landing page's search box suggests the products as one types (the BFF's
 * pass-through answers without a session), the keyboard picks one, the results page is rendered on the
 * server (also with JavaScript disabled, form submission included), the empty state, the directory lists the
 * ready store and not the suspended one, sitemap.xml and robots.txt answer. axe-core on every page, no CSP
 * violation, screenshots public-* in light and dark.
 */

import { chromium } from "playwright-core";

import { check, env, PORTAL, run, shoot } from "./support.mjs";

const WORD = env("WORD");
const STORE_NAME = env("STORE_NAME");
const STORE_URL = env("STORE_URL");
const HIDDEN_STORE = env("HIDDEN_STORE");
const SENCHA = `${WORD} Sencha Green Tea`;

const searchUrl = (q) => `${PORTAL}/search?q=${encodeURIComponent(q).replace(/%20/g, "+")}`;

async function resultNames(page) {
  return page.locator("ol.results > li h2").allInnerTexts();
}

run("public e2e", async (page, context) => {
  // -- the BFF's pass-through answers the public API without a session --------------------------------------------
  const cookies = await context.cookies(PORTAL);
  check(cookies.length === 0, `a fresh browser has cookies: ${JSON.stringify(cookies)}`);
  const direct = await page.request.get(`${PORTAL}/bff/api/v1/search/autocomplete/?q=${WORD.slice(0, 5)}`);
  check(direct.status() === 200, `autocomplete through the BFF without a session: ${direct.status()}`);
  const suggested = (await direct.json()).suggestions.map((s) => s.text);
  check(suggested.includes(SENCHA), `the BFF's autocomplete answered ${JSON.stringify(suggested)}`);

  // -- the landing page: what Tenantry is, sign up or in, the search box ------------------------------------------
  await page.goto(`${PORTAL}/`);
  check((await page.locator("h1").innerText()).length > 0, "the landing page has no heading");
  check((await page.getByRole("link", { name: "Open your store" }).getAttribute("href")) === "/sign-up", "no sign-up link");
  check((await page.locator("main").getByRole("link", { name: "Sign in" }).getAttribute("href")) === "/sign-in", "no sign-in link");
  const canonical = await page.locator('link[rel="canonical"]').getAttribute("href");
  check(canonical === `${PORTAL}/`, `the landing page's canonical link is ${canonical}`);
  await shoot(page, "public-landing");

  const box = page.getByRole("combobox", { name: "Search products and stores" });
  const seen = [];
  page.on("request", (request) => {
    if (request.url().includes("/search/autocomplete/")) seen.push(new URL(request.url()).searchParams.get("q"));
  });
  await box.pressSequentially(WORD.slice(0, 5), { delay: 30 });
  const options = page.getByRole("listbox", { name: "Suggestions" }).getByRole("option");
  await options.filter({ hasText: SENCHA }).waitFor();
  check((await box.getAttribute("aria-expanded")) === "true", "the combobox does not say it is expanded");
  check(seen.length >= 1 && seen.length < 4, `typed 5 keys, asked ${seen.length} times: ${JSON.stringify(seen)} (debounce)`);
  check(seen.every((q) => q.length >= 2), `asked for fewer than two characters: ${JSON.stringify(seen)}`);
  const texts = await options.allInnerTexts();
  check(!texts.some((text) => text.includes("Secret Blend")), `a suspended store's product is suggested: ${texts}`);
  console.log(`suggestions for ${WORD.slice(0, 5)}: ${JSON.stringify(texts)}`);
  await shoot(page, "public-suggestions");

  // The keyboard: down to the Sencha, Enter searches for it.
  const index = texts.findIndex((text) => text.startsWith(SENCHA));
  for (let step = 0; step <= index; step += 1) await box.press("ArrowDown");
  const active = await box.getAttribute("aria-activedescendant");
  check(active && (await page.locator(`#${active}`).innerText()).startsWith(SENCHA), `ArrowDown made ${active} active`);
  await box.press("Enter");
  await page.waitForURL((url) => url.pathname === "/search" && url.searchParams.get("q") === SENCHA);
  const names = await resultNames(page);
  check(names[0] === SENCHA, `the first result for ${SENCHA} is ${names[0]} (of ${JSON.stringify(names)})`);
  const storeLink = page.locator("ol.results > li").first().getByRole("link", { name: STORE_NAME });
  check((await storeLink.getAttribute("href")) === STORE_URL, "the result does not link its store");
  const title = await page.title();
  check(title.includes(SENCHA), `the results page's title is ${title}`);
  check(
    (await page.locator('meta[property="og:title"]').getAttribute("content"))?.includes(SENCHA),
    "no Open Graph title",
  );
  check(
    (await page.locator('link[rel="canonical"]').getAttribute("href")) === `${PORTAL}/search?q=${encodeURIComponent(SENCHA)}`,
    `canonical ${await page.locator('link[rel="canonical"]').getAttribute("href")}`,
  );
  await shoot(page, "public-search");

  // Escape closes the suggestions; Enter without a pick submits what was typed.
  await page.goto(`${PORTAL}/`);
  await box.pressSequentially(WORD, { delay: 20 });
  await options.first().waitFor();
  await box.press("Escape");
  check((await box.getAttribute("aria-expanded")) === "false", "Escape left the list open");
  await box.press("Enter");
  await page.waitForURL((url) => url.pathname === "/search" && url.searchParams.get("q") === WORD);
  const all = await resultNames(page);
  check(all.length === 3, `searching ${WORD} found ${JSON.stringify(all)}`);
  check(!all.some((name) => name.includes("Secret Blend") || name.includes(HIDDEN_STORE)), "a suspended store shows");

  // -- nothing found: says what to do ---------------------------------------------------------------------------------
  await page.goto(`${PORTAL}/search?q=${WORD}qqq+zzzxq`);
  const empty = await page.locator(".empty").innerText();
  check(empty.includes("Nothing matches"), `the empty state says ${empty}`);
  await shoot(page, "public-search-empty");

  // -- German --------------------------------------------------------------------------------------------------------
  await context.addCookies([{ name: "tenantry_locale", value: "de", url: PORTAL }]);
  await page.goto(searchUrl(WORD));
  check((await page.locator("h1").innerText()).startsWith("Ergebnisse für"), "the results page is not in German");
  await shoot(page, "public-search-de");
  await context.clearCookies();

  // -- the directory: the ready store, not the suspended one ------------------------------------------------------
  await page.goto(`${PORTAL}/directory`);
  const listed = page.locator("ul.directory").getByRole("link", { name: STORE_NAME });
  check((await listed.getAttribute("href")) === STORE_URL, "the directory does not link the ready store");
  check((await page.getByText(HIDDEN_STORE).count()) === 0, "the directory lists a suspended store");
  await shoot(page, "public-directory");

  // -- crawlers: sitemap.xml and robots.txt ----------------------------------------------------------------------
  const sitemap = await page.request.get(`${PORTAL}/sitemap.xml`);
  check(sitemap.status() === 200, `sitemap.xml: ${sitemap.status()}`);
  const xml = await sitemap.text();
  for (const loc of [`${PORTAL}/`, `${PORTAL}/directory`, `${PORTAL}/sign-up`, `${PORTAL}/sign-in`, STORE_URL]) {
    check(xml.includes(`<loc>${loc}</loc>`), `sitemap.xml lacks ${loc}:\n${xml}`);
  }
  const robots = await page.request.get(`${PORTAL}/robots.txt`);
  const rules = await robots.text();
  check(robots.status() === 200 && rules.includes(`Sitemap: ${PORTAL}/sitemap.xml`), `robots.txt:\n${rules}`);
  check(rules.includes("Disallow: /bff/"), `robots.txt lets crawlers into the BFF:\n${rules}`);

  // -- with JavaScript disabled: the results are in the HTML, and the search form still works ---------------------
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu"],
  });
  try {
    const plain = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
    const noScript = await plain.newPage();
    await noScript.goto(`${PORTAL}/`);
    await noScript.getByRole("combobox", { name: "Search products and stores" }).fill(WORD);
    await noScript.getByRole("button", { name: "Search", exact: true }).click();
    await noScript.waitForURL((url) => url.pathname === "/search" && url.searchParams.get("q") === WORD);
    const plainNames = await resultNames(noScript);
    check(plainNames.length === 3, `without JavaScript, ${WORD} found ${JSON.stringify(plainNames)}`);
    await noScript.goto(`${PORTAL}/directory`);
    check((await noScript.getByRole("link", { name: STORE_NAME }).count()) === 1, "no directory without JavaScript");
    await plain.close();
  } finally {
    await browser.close();
  }
});
