"use client";

/**
 * "A new version of the portal is available. Reload": ServiceWorker.tsx imports this once its worker is registered;
 * `UpdateWatch` shows the notice when a new service worker waits. Reload asks the waiting worker to take over (`SKIP_WAITING`, which sw.js answers
 * with `skipWaiting()`) and reloads the page once it controls the page. The words are src/messages/app.ts's, in
 * the page's language (`<html lang>`): this notice is outside every page's `<Words>`.
 */

import { useEffect, useRef, useState } from "react";

import { de, en } from "@/messages/app";

export const SKIP_WAITING = { type: "SKIP_WAITING" } as const;

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

export interface UpdateWatchProps {
  registration: ServiceWorkerRegistration;
  container: ServiceWorkerContainer;
  reload?: () => void;
}

/** Nothing until a new worker waits; then the notice. */
export function UpdateWatch({ registration, container, reload }: UpdateWatchProps) {
  const [worker, setWorker] = useState<ServiceWorker | null>(null);
  useEffect(() => watchForUpdate(registration, container, setWorker), [registration, container]);
  return worker ? <UpdateNotice worker={worker} container={container} reload={reload} /> : null;
}

export interface UpdateNoticeProps {
  worker: ServiceWorker;
  container: ServiceWorkerContainer;
  reload?: () => void;
}

const reloadPage = () => window.location.reload();

export function UpdateNotice({ worker, container, reload = reloadPage }: UpdateNoticeProps) {
  const asked = useRef(false);
  const words = document.documentElement.lang.toLowerCase().startsWith("de") ? de : en;

  useEffect(() => {
    // The new worker took over after this page's Reload: reload once, into the new version. (When another tab's
    // Reload did it, this page is not reloaded under the user's hands; its notice stays until they choose.)
    const takenOver = () => {
      if (!asked.current) return;
      asked.current = false;
      reload();
    };
    container.addEventListener("controllerchange", takenOver);
    return () => container.removeEventListener("controllerchange", takenOver);
  }, [container, reload]);

  return (
    <div className="notices" aria-live="polite">
      <p className="notice notice-info" role="status">
        {words["app.update.available"]}{" "}
        <button
          type="button"
          className="link"
          onClick={() => {
            if (worker.state === "activated") return reload(); // another tab's Reload already switched
            asked.current = true;
            worker.postMessage(SKIP_WAITING);
          }}
        >
          {words["app.update.reload"]}
        </button>
      </p>
    </div>
  );
}
