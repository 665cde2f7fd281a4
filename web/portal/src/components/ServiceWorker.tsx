"use client";

/**
 * Registers the portal's service worker (public/sw.js) once the page has loaded. A client component rather than
 * an inline script: its code comes in Next's own script chunks, which carry the CSP nonce, so the strict policy
 * needs nothing more than `worker-src 'self'` (src/proxy.ts).
 *
 * When a new worker has installed and waits behind the one in control (a new deploy changed sw.js), a polite notice
 * says a new version is available, with a Reload button (./ServiceWorkerUpdate.tsx). The notice and its words are
 * imported only then, so that no page's first load carries them: this file is on every page.
 */

import { type ComponentType, useEffect, useState } from "react";

import type { UpdateNoticeProps } from "./ServiceWorkerUpdate";

/**
 * Calls `onWaiting` with a worker that installed while another controls the page: one already waiting, or one that
 * finishes installing later. The first worker of all (nothing controls the page yet) is no update. Returns a stop.
 */
export function watchForUpdate(
  registration: ServiceWorkerRegistration,
  container: ServiceWorkerContainer,
  onWaiting: (worker: ServiceWorker) => void,
): () => void {
  const waiting = (worker: ServiceWorker | null) => {
    if (worker && container.controller) onWaiting(worker);
  };
  waiting(registration.waiting);
  const found = () => {
    const installing = registration.installing;
    installing?.addEventListener("statechange", () => {
      if (installing.state === "installed") waiting(registration.waiting ?? installing);
    });
  };
  registration.addEventListener("updatefound", found);
  return () => registration.removeEventListener("updatefound", found);
}

export interface ServiceWorkerProps {
  /** The browser's `navigator.serviceWorker`; a stand-in in tests. */
  container?: ServiceWorkerContainer;
  /** Register at all: in production builds (a dev server's files change on every edit). */
  enabled?: boolean;
  reload?: () => void;
}

export function ServiceWorker({ container, enabled = process.env.NODE_ENV === "production", reload }: ServiceWorkerProps) {
  const [update, setUpdate] = useState<{ Notice: ComponentType<UpdateNoticeProps>; worker: ServiceWorker } | null>(null);
  const workers = container ?? (typeof navigator !== "undefined" && "serviceWorker" in navigator ? navigator.serviceWorker : null);

  useEffect(() => {
    if (!workers || !enabled) return;
    let stop = () => {};
    let cancelled = false;
    workers
      .register("/sw.js", { scope: "/" })
      .then((registration) => {
        if (cancelled) return;
        stop = watchForUpdate(registration, workers, (worker) => {
          void import("./ServiceWorkerUpdate").then(({ UpdateNotice }) => {
            if (!cancelled) setUpdate({ Notice: UpdateNotice, worker });
          });
        });
      })
      .catch(() => {
        // Without a worker the portal works as before, only not offline: nothing to tell the user.
      });
    return () => {
      cancelled = true;
      stop();
    };
  }, [workers, enabled]);

  if (!update || !workers) return null;
  return <update.Notice worker={update.worker} container={workers} reload={reload} />;
}
