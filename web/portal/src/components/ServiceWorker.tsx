"use client";

/**
 * Registers the portal's service worker (public/sw.js) once the page has loaded. A client component rather than
 * an inline script: its code comes in Next's own script chunks, which carry the CSP nonce, so the strict policy
 * needs nothing more than `worker-src 'self'` (src/proxy.ts).
 */

import { useEffect } from "react";

export function ServiceWorker() {
  useEffect(() => {
    if (!("serviceWorker" in navigator) || process.env.NODE_ENV !== "production") return;
    // Its scope is "/" (the folder of /sw.js, the default): every page of the portal.
    navigator.serviceWorker.register("/sw.js").catch(() => {
      // Without a worker the portal works as before, only not offline: nothing to tell the user.
    });
  }, []);
  return null;
}
