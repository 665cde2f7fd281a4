/**
 * What every browser script of the portal shares: Debian's /usr/bin/chromium through playwright-core
 * (headless, 360 px wide), axe-core on a page (0 serious or critical violations), screenshots in light and
 * dark, and a run that fails on any CSP violation or page error. Each script is one area's flows, started
 * by its pytest test (tests/portal_browser.py), which passes what it needs in the environment.
 */

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE_SOURCE = require("axe-core").source;

export function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

export const PORTAL = env("PORTAL_URL").replace(/\/+$/, "");
export const SCREENSHOTS = env("SCREENSHOTS");

/** axe-core on the page as it is: fails on any serious or critical violation. */
export async function audit(page, name) {
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ["violations"] }));
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const summary = serious.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  check(serious.length === 0, `axe on ${name}: ${serious.length} serious or critical violations:\n${summary.join("\n")}`);
  console.log(`axe on ${name}: no serious or critical violations (${results.violations.length} minor)`);
}

const PHONE = { width: 360, height: 740 }; // the narrowest phone the portal must work on
const DESKTOP = { width: 1280, height: 800 };

/** Screenshots of the page as it is, in light and dark (the system preference; the server follows it), each audited;
 * `schemes: ["light"]` for the light one only. The page is 360 px wide (a phone); the light scheme is also shot and
 * audited 1280 px wide (`<name>-desktop-light.png`), so a reviewer sees both layouts. `desktop: false` skips that. */
export async function shoot(page, name, { schemes = ["light", "dark"], desktop = true } = {}) {
  for (const scheme of schemes) {
    await page.emulateMedia({ colorScheme: scheme });
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    check(
      (scheme === "dark") === (background === "rgb(18, 18, 22)"),
      `${name} in ${scheme}: the body's background is ${background}`,
    );
    await audit(page, `${name} (${scheme})`);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${scheme}.png`), fullPage: true });
    if (desktop && scheme === "light") {
      const phone = page.viewportSize() ?? PHONE;
      await page.setViewportSize(DESKTOP);
      try {
        await audit(page, `${name} (${scheme}, ${DESKTOP.width} px)`);
        await page.screenshot({ path: join(SCREENSHOTS, `${name}-desktop-${scheme}.png`), fullPage: true });
      } finally {
        await page.setViewportSize(phone);
      }
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/** A fresh headless chromium profile (360 px wide), its first page watched: CSP violations and page errors go to
 * `problems`. Returns { context, page, close }; close() also removes the profile. */
export async function openProfile(problems) {
  const profile = mkdtempSync(join(tmpdir(), "portal-e2e-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    viewport: PHONE,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (message) => {
    if (message.type() === "error" && /Content.Security.Policy|Refused to/i.test(message.text())) {
      problems.push(`CSP: ${message.text()}`);
    }
    // useT() (src/lib/messages-client.tsx) on a key the page's <Words areas> did not give.
    if (message.type() === "error" && message.text().startsWith("portal: missing message")) problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, close };
}

/**
 * Run `steps(page, context, more)` in a fresh headless chromium profile; print "<label>: passed" at the end, or exit 1
 * with the reason and what the page showed. CSP violations and page errors of any page fail the run.
 * `more.profile()` opens another profile (a second person), watched and closed the same way.
 */
export function run(label, steps) {
  const main = async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const problems = [];
    const opened = [];
    let current = null;
    try {
      const first = await openProfile(problems);
      opened.push(first);
      current = first.page;
      const profile = async () => {
        const another = await openProfile(problems);
        opened.push(another);
        return another;
      };
      await steps(first.page, first.context, { profile });
      check(problems.length === 0, `the pages reported:\n${problems.join("\n")}`);
      console.log(`${label}: passed; screenshots in ${SCREENSHOTS}`);
    } catch (error) {
      const said = await current?.locator("body").innerText({ timeout: 2000 }).catch(() => "");
      throw new Error(`${error.message}\n--- ${current?.url()} showed:\n${said}`, { cause: error });
    } finally {
      for (const { close } of opened) await close();
    }
  };
  main().catch((error) => {
    console.error(`${label}: FAILED: ${error.stack ?? error}`);
    process.exit(1);
  });
}
