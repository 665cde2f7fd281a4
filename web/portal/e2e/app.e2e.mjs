/**
 * The portal as an installable app, in a real browser against `make up`'s stack (tests/test_portal_app.py):
 * the web app manifest is served and valid, its icons load, Chromium finds nothing against installing it, the
 * service worker registers and controls the page, keeps only the offline page and static files (nothing from
 * /bff/ or the API, no page), and with the network gone a navigation shows the offline page (screenshots
 * app-offline-light/dark, axe-clean), in English and German.
 *
 *   PORTAL_URL, SCREENSHOTS, CHROMIUM (optional)
 */

import { check, PORTAL, run, shoot } from "./support.mjs";

run("app e2e", async (page, context) => {
  // -- the manifest -----------------------------------------------------------------------------------
  await page.goto(`${PORTAL}/`);
  const href = await page.locator('link[rel="manifest"]').getAttribute("href");
  check(href?.startsWith("/manifest.webmanifest"), `the pages link no manifest: ${href}`);
  const manifest = await page.evaluate(async (url) => {
    const response = await fetch(url);
    return { type: response.headers.get("content-type"), body: await response.json() };
  }, href);
  console.log(`manifest (${manifest.type}): ${JSON.stringify(manifest.body)}`);
  const body = manifest.body;
  check(body.name && body.short_name && body.start_url === "/stores" && body.display === "standalone", "manifest fields");
  check(/^#[0-9a-f]{6}$/i.test(body.theme_color) && /^#[0-9a-f]{6}$/i.test(body.background_color), "manifest colours");
  for (const size of ["192x192", "512x512"]) {
    check(body.icons.some((icon) => icon.sizes === size && icon.type === "image/png"), `no ${size} PNG icon`);
  }
  for (const icon of body.icons) {
    const loaded = await page.evaluate(async (src) => {
      const response = await fetch(src);
      return `${response.status} ${response.headers.get("content-type")}`;
    }, icon.src);
    check(loaded === `200 ${icon.type}`, `${icon.src}: ${loaded}`);
  }

  // -- the service worker registers, then controls the page -------------------------------------------
  const script = await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL);
  check(script === `${PORTAL}/sw.js`, `the active service worker is ${script}`);
  await page.reload();
  check(await page.evaluate(() => navigator.serviceWorker.controller !== null), "the service worker does not control the page");

  // -- installable: Chromium's own checks (what Lighthouse's installability audit asked) --------------
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  console.log(`installability errors: ${JSON.stringify(installabilityErrors)}`);
  check(installabilityErrors.length === 0, `not installable: ${JSON.stringify(installabilityErrors)}`);
  const { url: manifestUrl, errors } = await cdp.send("Page.getAppManifest");
  check(manifestUrl.endsWith("/manifest.webmanifest") && errors.length === 0, `manifest errors: ${JSON.stringify(errors)}`);

  // -- what it keeps: the offline page and static files, never the BFF, the API or a page -------------
  await page.goto(`${PORTAL}/sign-in`);
  await page.evaluate(() => fetch("/bff/api/v1/auth/me/").catch(() => null));
  const kept = await page.evaluate(async () => {
    const urls = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
    }
    return urls;
  });
  console.log(`the service worker keeps ${kept.length} files: ${kept.filter((url) => !url.startsWith("/_next/")).join(", ")}`);
  check(kept.includes("/offline"), "the offline page is not kept");
  const unexpected = kept.filter((url) => url !== "/offline" && !url.startsWith("/_next/static/") && !url.startsWith("/icons/"));
  check(unexpected.length === 0, `the service worker keeps ${unexpected.join(", ")}`);

  // -- offline: a navigation shows the offline page ---------------------------------------------------
  await context.setOffline(true);
  await page.goto(`${PORTAL}/stores`);
  await page.getByRole("heading", { name: "You are offline" }).waitFor();
  check(new URL(page.url()).pathname === "/stores", `offline, the address changed to ${page.url()}`);
  await shoot(page, "app-offline");
  await context.setOffline(false);

  // -- online again: pages come from the network ------------------------------------------------------
  await page.goto(`${PORTAL}/sign-in`);
  await page.getByRole("button", { name: "Sign in" }).waitFor();
});
