"use client";

/**
 * Two-step verification: whether it is on; set up an authenticator app (QR code, key, first code), the backup
 * codes shown once, new backup codes, turning it off. Server state through TanStack Query.
 */

import type { ControlPlaneClient } from "@tenantry/api-client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { portalApi } from "@/lib/browser-api";
import type { Locale } from "@/lib/i18n";
import { useT } from "@tenantry/i18n/client";
import { useNotices } from "@tenantry/ui/notices";
import { problemOf } from "@/lib/security";

import { BackupCodes } from "./BackupCodes";
import { CodeForm } from "./CodeForm";
import { TotpSetup } from "./TotpSetup";

export const TWO_FACTOR_KEY = ["auth", "two-factor"] as const;

type Mode =
  | { kind: "idle" }
  | { kind: "enrolling"; uri: string; secret: string }
  | { kind: "codes"; codes: string[] }
  | { kind: "regenerate" }
  | { kind: "disable" };

export interface PanelProps {
  locale: Locale;
  /** The control plane through the BFF; tests pass a client of a stand-in. */
  api?: ControlPlaneClient;
}

export function TwoFactorPanel({ locale, api = portalApi }: PanelProps) {
  const t = useT();
  const client = useQueryClient();
  const notices = useNotices();
  const [mode, setMode] = useState<Mode>({ kind: "idle" });
  const [startError, setStartError] = useState<string | null>(null);

  const status = useQuery({
    queryKey: TWO_FACTOR_KEY,
    queryFn: async () => (await api.GET("/api/v1/auth/two-factor/")).data!,
  });
  const refresh = () => client.invalidateQueries({ queryKey: TWO_FACTOR_KEY });

  const start = useMutation({
    mutationFn: async () => (await api.POST("/api/v1/auth/two-factor/totp/")).data!,
    onMutate: () => setStartError(null),
    onSuccess: (enrolment) => setMode({ kind: "enrolling", uri: enrolment.otpauth_uri, secret: enrolment.secret }),
    onError: (error) => setStartError(problemOf(error)?.detail ?? t("error.network")),
  });
  const confirm = useMutation({
    mutationFn: async (code: string) =>
      (await api.POST("/api/v1/auth/two-factor/totp/confirm/", { body: { code } })).data!,
    onSuccess: (answer) => {
      setMode({ kind: "codes", codes: answer.backup_codes });
      notices.push("success", t("security.tf.enabled"));
      void refresh();
    },
  });
  const regenerate = useMutation({
    mutationFn: async (code: string) =>
      (await api.POST("/api/v1/auth/two-factor/backup-codes/", { body: { code } })).data!,
    onSuccess: (answer) => {
      setMode({ kind: "codes", codes: answer.backup_codes });
      notices.push("success", t("security.backup.renewed"));
      void refresh();
    },
  });
  const disable = useMutation({
    mutationFn: async (code: string) => {
      await api.POST("/api/v1/auth/two-factor/disable/", { body: { code } });
    },
    onSuccess: () => {
      setMode({ kind: "idle" });
      notices.push("success", t("security.tf.disabled"));
      void refresh();
    },
  });
  const idle = () => setMode({ kind: "idle" });

  let body;
  if (mode.kind === "codes") {
    body = <BackupCodes t={t} locale={locale} codes={mode.codes} onDone={idle} />;
  } else if (mode.kind === "enrolling") {
    body = (
      <>
        <TotpSetup t={t} uri={mode.uri} secret={mode.secret} />
        <CodeForm
          t={t}
          id="enrol"
          submit={t("security.tf.confirm")}
          onCode={(code) => confirm.mutateAsync(code)}
          onCancel={idle}
        />
      </>
    );
  } else if (status.isPending) {
    body = (
      <p className="skeleton-lines" aria-busy="true">
        <span className="skeleton" />
        <span className="skeleton" />
        <span className="visually-hidden">{t("security.loading")}</span>
      </p>
    );
  } else if (status.isError) {
    body = (
      <div className="alert" role="alert">
        <p className="error">
          {t("security.loadFailed", { detail: problemOf(status.error)?.detail ?? t("error.network") })}
        </p>
        <button type="button" className="link" onClick={() => void status.refetch()}>
          {t("security.retry")}
        </button>
      </div>
    );
  } else if (!status.data.enabled) {
    body = (
      <>
        <p className="state state-off">{t("security.tf.off")}</p>
        {status.data.required ? <p className="muted">{t("security.tf.required")}</p> : null}
        {startError ? (
          <p className="alert" role="alert">
            {startError}
          </p>
        ) : null}
        <button type="button" onClick={() => start.mutate()} disabled={start.isPending}>
          {start.isPending ? t("security.tf.starting") : t("security.tf.start")}
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
        {mode.kind === "regenerate" ? (
          <CodeForm
            t={t}
            id="regenerate"
            title={t("security.backup.regenerate")}
            help={t("security.backup.regenerateHelp")}
            submit={t("security.backup.regenerateSubmit")}
            onCode={(code) => regenerate.mutateAsync(code)}
            onCancel={idle}
          />
        ) : mode.kind === "disable" ? (
          <CodeForm
            t={t}
            id="disable"
            backup
            title={t("security.tf.disable")}
            help={t("security.tf.disableHelp")}
            submit={t("security.tf.disableSubmit")}
            onCode={(code) => disable.mutateAsync(code)}
            onCancel={idle}
          />
        ) : (
          <div className="controls">
            <button type="button" onClick={() => setMode({ kind: "regenerate" })}>
              {t("security.backup.regenerate")}
            </button>
            {data.required ? null : (
              <button type="button" className="secondary" onClick={() => setMode({ kind: "disable" })}>
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
