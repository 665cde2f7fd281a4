"use client";

/**
 * "Change the password…" in the password panel (its heading and what a change does are the page's, rendered on
 * the server): the click loads the form (PasswordForm, with React Hook Form), which takes the focus. Most visits
 * of the page never change the password.
 */

import type { ControlPlaneClient } from "@tenantry/api-client";
import { lazy, Suspense, useState } from "react";

import { useT } from "@tenantry/i18n/client";

const PasswordForm = lazy(() => import("./forms").then((module) => ({ default: module.PasswordForm })));

export function PasswordChange({ api }: { api?: ControlPlaneClient }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  return open ? (
    <Suspense
      fallback={
        <p className="muted" role="status">
          {t("security.loading")}
        </p>
      }
    >
      <PasswordForm api={api} />
    </Suspense>
  ) : (
    <button type="button" onClick={() => setOpen(true)}>
      {t("security.password.open")}
    </button>
  );
}
