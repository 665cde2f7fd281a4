"use client";

/**
 * Registers the portal's service worker (public/sw.js) once the page has loaded. A client component rather than
 * an inline script: its code comes in Next's own script chunks, which carry the CSP nonce, so the strict policy
 * needs nothing more than `worker-src 'self'` (src/proxy.ts).
 *
 * When a new worker has installed and waits behind the one in control (a new deploy changed sw.js), a polite notice
 * says a new version is available, with a Reload button: it asks the waiting worker to take over (`SKIP_WAITING`,
 * which sw.js answers with `skipWaiting()`) and reloads the page once it controls the page. Its two words come
 * from src/messages/app.ts, imported only then, so no page's first load carries them; the language is the page's.
 */

import { useEffect, useRef, useState } from "react";

export const SKIP_WAITING = { type: "SKIP_WAITING" } as const;

type Words = { text: string; reload: string };

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

async function wordsFor(lang: string): Promise<Words> {
  const { en, de } = await import("@/messages/app");
  const messages = lang.toLowerCase().startsWith("de") ? de : en;
  return { text: messages["app.update.available"], reload: messages["app.update.reload"] };
}

const reloadPage = () => window.location.reload();

export interface ServiceWorkerProps {
  /** The browser's `navigator.serviceWorker`; a stand-in in tests. */
  container?: ServiceWorkerContainer;
  /** Register at all: in production builds (a dev server's files change on every edit). */
  enabled?: boolean;
  reload?: () => void;
}

export function ServiceWorker({
  container,
  enabled = process.env.NODE_ENV === "production",
  reload = reloadPage,
}: ServiceWorkerProps = {}) {
  const [update, setUpdate] = useState<{ worker: ServiceWorker; words: Words } | null>(null);
  const asked = useRef(false);
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
          void wordsFor(document.documentElement.lang).then((words) => {
            if (!cancelled) setUpdate({ worker, words });
          });
        });
      })
      .catch(() => {
        // Without a worker the portal works as before, only not offline: nothing to tell the user.
      });
    // The new worker took over after this page's Reload: reload once, into the new version. (When another tab's
    // Reload did it, this page is not reloaded under the user's hands; its notice stays until they choose.)
    const takenOver = () => {
      if (!asked.current) return;
      asked.current = false;
      reload();
    };
    workers.addEventListener("controllerchange", takenOver);
    return () => {
      cancelled = true;
      stop();
      workers.removeEventListener("controllerchange", takenOver);
    };
  }, [workers, enabled, reload]);

  if (!update) return null;
  return (
    <div className="notices" aria-live="polite">
      <p className="notice notice-info" role="status">
        {update.words.text}{" "}
        <button type="button" className="link" onClick={() => {
            asked.current = true;
            update.worker.postMessage(SKIP_WAITING);
          }}>
          {update.words.reload}
        </button>
      </p>
    </div>
  );
}
