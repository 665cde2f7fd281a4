"use client";

/**
 * The steps of two-step verification that start with a click on the security page (TwoFactorPanel loads this
 * module then, with React Hook Form and the QR code's renderer): asking for a new authenticator key (`start`), the
 * new authenticator's key and its first code,
 * the backup codes shown once, new backup codes, turning it off. Each step takes the focus as it appears.
 */

import type { ControlPlaneClient } from "@tenantry/api-client";
import { useMutation } from "@tanstack/react-query";
import { useEffect } from "react";

import type { Locale } from "@/lib/i18n";
import { useT } from "@tenantry/i18n/client";
import { useNotices } from "@tenantry/ui/notices";
import { problemOf } from "@/lib/sessions";

import { BackupCodes } from "./BackupCodes";
import { CodeForm } from "./CodeForm";
import { TotpSetup } from "./TotpSetup";

export type Step =
  | { kind: "start" }
  | { kind: "enrolling"; uri: string; secret: string }
  | { kind: "codes"; codes: string[] }
  | { kind: "regenerate" }
  | { kind: "disable" };

export interface TwoFactorStepProps {
  step: Step;
  locale: Locale;
  api: ControlPlaneClient;
  /** The next step, or null when done (or cancelled). */
  onStep: (step: Step | null) => void;
  /** Asks for the two-step status again (it changed). */
  refresh: () => void;
}

export default function TwoFactorStep({ step, locale, api, onStep, refresh }: TwoFactorStepProps) {
  const t = useT();
  const notices = useNotices();
  const idle = () => onStep(null);
  const codes = (said: string) => (answer: { backup_codes: string[] }) => {
    onStep({ kind: "codes", codes: answer.backup_codes });
    notices.push("success", t(said === "enabled" ? "security.tf.enabled" : "security.backup.renewed"));
    refresh();
  };
  const confirm = useMutation({
    mutationFn: async (code: string) =>
      (await api.POST("/api/v1/auth/two-factor/totp/confirm/", { body: { code } })).data!,
    onSuccess: codes("enabled"),
  });
  const regenerate = useMutation({
    mutationFn: async (code: string) =>
      (await api.POST("/api/v1/auth/two-factor/backup-codes/", { body: { code } })).data!,
    onSuccess: codes("renewed"),
  });
  // A new secret for an authenticator app, asked for once when the step appears.
  const enrol = useMutation({
    mutationFn: async () => (await api.POST("/api/v1/auth/two-factor/totp/")).data!,
    onSuccess: (enrolment) => onStep({ kind: "enrolling", uri: enrolment.otpauth_uri, secret: enrolment.secret }),
  });
  const starting = step.kind === "start";
  const { mutate: startEnrolment } = enrol;
  useEffect(() => {
    if (starting) startEnrolment();
  }, [starting, startEnrolment]);
  const disable = useMutation({
    mutationFn: async (code: string) => {
      await api.POST("/api/v1/auth/two-factor/disable/", { body: { code } });
    },
    onSuccess: () => {
      idle();
      notices.push("success", t("security.tf.disabled"));
      refresh();
    },
  });

  switch (step.kind) {
    case "start":
      return enrol.isError ? (
        <>
          <p className="alert" role="alert">
            {problemOf(enrol.error)?.detail ?? t("error.network")}
          </p>
          <div className="controls">
            <button type="button" onClick={() => enrol.mutate()}>
              {t("security.tf.start")}
            </button>
            <button type="button" className="secondary" onClick={idle}>
              {t("security.tf.cancel")}
            </button>
          </div>
        </>
      ) : (
        <p className="muted" role="status">
          {t("security.tf.starting")}
        </p>
      );
    case "codes":
      return <BackupCodes t={t} locale={locale} codes={step.codes} onDone={idle} autoFocus />;
    case "enrolling":
      return (
        <>
          <TotpSetup t={t} uri={step.uri} secret={step.secret} autoFocus />
          <CodeForm t={t} id="enrol" submit={t("security.tf.confirm")} onCode={(code) => confirm.mutateAsync(code)} onCancel={idle} />
        </>
      );
    case "regenerate":
      return (
        <CodeForm
          t={t}
          id="regenerate"
          title={t("security.backup.regenerate")}
          help={t("security.backup.regenerateHelp")}
          submit={t("security.backup.regenerateSubmit")}
          onCode={(code) => regenerate.mutateAsync(code)}
          onCancel={idle}
          autoFocus
        />
      );
    case "disable":
      return (
        <CodeForm
          t={t}
          id="disable"
          backup
          title={t("security.tf.disable")}
          help={t("security.tf.disableHelp")}
          submit={t("security.tf.disableSubmit")}
          onCode={(code) => disable.mutateAsync(code)}
          onCancel={idle}
          autoFocus
        />
      );
  }
}
