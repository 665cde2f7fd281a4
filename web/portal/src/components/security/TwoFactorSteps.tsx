"use client";

/**
 * The steps of two-step verification that start with a click on the security page (TwoFactorPanel loads this
 * module then, with React Hook Form and the QR code's renderer): the new authenticator's key and its first code,
 * the backup codes shown once, new backup codes, turning it off. Each step takes the focus as it appears.
 */

import type { ControlPlaneClient } from "@tenantry/api-client";
import { useMutation } from "@tanstack/react-query";

import type { Locale } from "@/lib/i18n";
import { useT } from "@tenantry/i18n/client";
import { useNotices } from "@tenantry/ui/notices";

import { BackupCodes } from "./BackupCodes";
import { CodeForm } from "./CodeForm";
import { TotpSetup } from "./TotpSetup";

export type Step =
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
