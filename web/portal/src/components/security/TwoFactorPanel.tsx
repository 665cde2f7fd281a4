"use client";

/**
 * Two-step verification: whether it is on (TanStack Query, seeded with what the page read on the server), and the
 * buttons that start its steps: set up an authenticator app, new backup codes, turning it off. The steps themselves
 * (TwoFactorSteps: asking for a new key, the QR code, the key and the first code, the backup codes shown once, the
 * code forms with React Hook Form) load when one is started.
 */

import type { ControlPlaneClient, ControlPlaneComponents } from "@tenantry/api-client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useState } from "react";

import { portalApi } from "@/lib/browser-api";
import type { Locale } from "@/lib/i18n";
import { useT } from "@tenantry/i18n/client";

import type { Step } from "./TwoFactorSteps";

const TwoFactorStep = lazy(() => import("./forms").then((module) => ({ default: module.TwoFactorStep })));

export const TWO_FACTOR_KEY = ["auth", "two-factor"] as const;

export interface PanelProps {
  locale: Locale;
  /** The status as the page read it on the server. */
  initial: ControlPlaneComponents["schemas"]["TwoFactorStatus"];
  /** The control plane through the BFF; tests pass a client of a stand-in. */
  api?: ControlPlaneClient;
}

export function TwoFactorPanel({ locale, initial, api = portalApi }: PanelProps) {
  const t = useT();
  const client = useQueryClient();
  const [step, setStep] = useState<Step | null>(null);

  const status = useQuery({
    queryKey: TWO_FACTOR_KEY,
    queryFn: async () => (await api.GET("/api/v1/auth/two-factor/")).data!,
    initialData: initial,
  });

  const shown = step ? (
    <Suspense
      fallback={
        <p className="muted" role="status">
          {t("security.loading")}
        </p>
      }
    >
      <TwoFactorStep
        step={step}
        locale={locale}
        api={api}
        onStep={setStep}
        refresh={() => void client.invalidateQueries({ queryKey: TWO_FACTOR_KEY })}
      />
    </Suspense>
  ) : null;

  let body;
  if (step && step.kind !== "regenerate" && step.kind !== "disable") {
    body = shown;
  } else if (!status.data.enabled) {
    body = (
      <>
        <p className="state state-off">{t("security.tf.off")}</p>
        {status.data.required ? <p className="muted">{t("security.tf.required")}</p> : null}
        <button type="button" onClick={() => setStep({ kind: "start" })}>
          {t("security.tf.start")}
        </button>
      </>
    );
  } else {
    const data = status.data;
    body = (
      <>
        <p className="state state-on">{t("security.tf.on")}</p>
        <p>{t("security.tf.remaining", { count: String(data.backup_codes_remaining) })}</p>
        {data.required ? <p className="muted">{t("security.tf.required")}</p> : null}
        {shown ?? (
          <div className="controls">
            <button type="button" onClick={() => setStep({ kind: "regenerate" })}>
              {t("security.backup.regenerate")}
            </button>
            {data.required ? null : (
              <button type="button" className="secondary" onClick={() => setStep({ kind: "disable" })}>
                {t("security.tf.disable")}
              </button>
            )}
          </div>
        )}
      </>
    );
  }

  return (
    <section className="card" aria-labelledby="two-factor-title">
      <h2 id="two-factor-title">{t("security.tf.title")}</h2>
      {body}
    </section>
  );
}
