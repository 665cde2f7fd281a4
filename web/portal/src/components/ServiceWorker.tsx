"use client";

/**
 * Registers the portal's service worker (/sw.js, src/sw/worker.js) once the page has loaded. A client component rather than
 * an inline script: its code comes in Next's own script chunks, which carry the CSP nonce, so the strict policy
 * needs nothing more than `worker-src 'self'` (src/proxy.ts).
 *
 * When a new worker has installed and waits behind the one in control (every deploy: /sw.js carries the build id), a polite notice
 * says a new version is available, with a Reload button. The watch, the notice and its words
 * (./ServiceWorkerUpdate.tsx) are imported once the worker is registered, after the page has loaded, so that no
 * page's first load carries them: this file is on every page.
 */

import { type ComponentType, useEffect, useState } from "react";

import type { UpdateWatchProps } from "./ServiceWorkerUpdate";

export interface ServiceWorkerProps {
  /** The browser's `navigator.serviceWorker`; a stand-in in tests. */
  container?: ServiceWorkerContainer;
  /** Register at all: in production builds (a dev server's files change on every edit). */
  enabled?: boolean;
  reload?: () => void;
}

export function ServiceWorker({ container, enabled = process.env.NODE_ENV === "production", reload }: ServiceWorkerProps) {
  const [watch, setWatch] = useState<{ Watch: ComponentType<UpdateWatchProps>; registration: ServiceWorkerRegistration } | null>(null);
  const workers = container ?? (typeof navigator !== "undefined" && "serviceWorker" in navigator ? navigator.serviceWorker : null);

  useEffect(() => {
    if (!workers || !enabled) return;
    let cancelled = false;
    workers
      .register("/sw.js")
      .then(async (registration) => {
        const { UpdateWatch } = await import("./ServiceWorkerUpdate");
        if (!cancelled) setWatch({ Watch: UpdateWatch, registration });
      })
      .catch(() => {
        // Without a worker the portal works as before, only not offline: nothing to tell the user.
      });
    return () => {
      cancelled = true;
    };
  }, [workers, enabled]);

  if (!watch || !workers) return null;
  return <watch.Watch registration={watch.registration} container={workers} reload={reload} />;
}
