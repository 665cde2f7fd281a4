"use client";

/**
 * Delete a store: for owners, a button that opens a dialog (DeleteDialog, loaded on the first click: most
 * visitors of a store's page never need it) which says what happens to the data and asks for the store's slug,
 * typed, before its button works. The API answers 202: the deletion goes on in the background and the page
 * follows it.
 */

import type { ControlPlaneClient } from "@tenantry/api-client";
import { lazy, Suspense, useCallback, useId, useState } from "react";

import { useT } from "@tenantry/i18n/client";

const DeleteDialog = lazy(() => import("@/components/stores/DeleteDialog"));

export type DeletionPolicy = "Delete" | "Retain";

export interface DeleteStoreProps {
  slug: string;
  /** Called once the API accepted the deletion. */
  onDeleted: (policy: DeletionPolicy) => void;
  api?: ControlPlaneClient;
}

export function DeleteStore(props: DeleteStoreProps) {
  const t = useT();
  const id = useId();
  const [opened, setOpened] = useState(0); // which opening: each one mounts a fresh dialog
  const close = useCallback(() => setOpened(0), []);
  return (
    <section className="danger" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("stores.delete.title")}</h2>
      <p>{t("stores.delete.lead")}</p>
      <button type="button" className="danger-button" onClick={() => setOpened((count) => count + 1)}>
        {t("stores.delete.open")}
      </button>
      {opened ? (
        <Suspense fallback={null}>
          <DeleteDialog key={opened} {...props} onClose={close} />
        </Suspense>
      ) : null}
    </section>
  );
}
