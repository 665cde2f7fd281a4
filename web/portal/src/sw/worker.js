/*
 * The portal's service worker, written by hand (see web/portal/README.md, "PWA"), served as /sw.js by
 * src/app/sw.js/route.ts, which puts the build's id in front of it as `BUILD` (so each deploy is a new worker). It keeps:
 *   - the offline page (/offline) and the static files it links, fetched when the worker installs;
 *   - Next's static files (/_next/static/…, content-hashed: never change) and the icons, once fetched.
 * Pages are always loaded from the network; when that fails, the offline page is shown instead. Nothing from the
 * BFF (/bff/…) or the API, and no page (pages carry the session's data), is ever stored.
 */

/* global BUILD */
const VERSION = `tenantry-${BUILD}`; // the caches of one build; activating the next build drops them
const OFFLINE = "/offline";

function isStatic(url) {
  return url.pathname.startsWith("/_next/static/") || url.pathname.startsWith("/icons/");
}

async function keepOffline() {
  const cache = await caches.open(VERSION);
  const page = await fetch(OFFLINE, { credentials: "omit", cache: "no-store" });
  if (!page.ok) throw new Error(`${OFFLINE} answered ${page.status}`);
  const html = await page.clone().text();
  await cache.put(OFFLINE, page);
  const linked = new Set(html.match(/\/_next\/static\/[^"'\s)?]+/g) ?? []);
  await cache.addAll([...linked, "/icons/icon-192.png"]);
}

// A new worker (a new deploy) waits until the page asks it to take over: ServiceWorker.tsx shows "A new version is
// available — Reload", whose button posts SKIP_WAITING. The first worker of all has nothing to wait for.
self.addEventListener("install", (event) => {
  event.waitUntil(keepOffline());
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "SKIP_WAITING") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== VERSION).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/bff/") || url.pathname.startsWith("/api/")) return; // never cached

  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).catch(async () => (await caches.match(OFFLINE)) ?? Response.error()),
    );
    return;
  }
  if (isStatic(url)) {
    event.respondWith(
      caches.match(request).then(
        (kept) =>
          kept ??
          fetch(request).then((response) => {
            if (response.ok && response.type === "basic") {
              const copy = response.clone();
              event.waitUntil(caches.open(VERSION).then((cache) => cache.put(request, copy)));
            }
            return response;
          }),
      ),
    );
  }
});
