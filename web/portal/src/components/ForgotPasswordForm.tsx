"use client";

/**
 * Ask for a password-reset link. The API answers the same 202 whether or not the address has an account (no
 * probing for accounts), so the page says "if there is an account" and never more; its rate limit shows as the
 * API's detail.
 */

import { createControlPlaneClient, ProblemError } from "@tenantry/api-client";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Field } from "@/components/Field";
import { BFF_BASE, portalApi } from "@/lib/browser-api";
import { lazyResolver } from "@/lib/form-resolver";
import { useT } from "@/lib/messages-client";
import type { Forgot } from "@/lib/schemas";

/** `bffUrl`: where the BFF is, for tests (the page's own origin by default). */
export function ForgotPasswordForm({ bffUrl = "" }: { bffUrl?: string }) {
  const t = useT();
  const api = bffUrl ? createControlPlaneClient(`${bffUrl}${BFF_BASE}`, () => null) : portalApi;
  const form = useForm<Forgot>({ defaultValues: { email: "" }, resolver: lazyResolver((schemas) => schemas.forgotSchema(t)) });
  const [alert, setAlert] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);

  const submit = form.handleSubmit(async ({ email }) => {
    setAlert(null);
    try {
      await api.POST("/api/v1/auth/password/reset/", { body: { email } });
      setSentTo(email);
    } catch (error) {
      const usable = error instanceof ProblemError && error.code !== "unexpected_response" && error.status < 500;
      if (usable && error.errors?.some((item) => item.pointer === "/email")) {
        form.setError("email", { type: "server", message: error.errors.find((item) => item.pointer === "/email")?.detail });
        return;
      }
      setAlert(usable ? error.detail : t("error.network"));
    }
  });

  if (sentTo) {
    return (
      <p className="success" role="status">
        {t("forgot.sent", { email: sentTo })}
      </p>
    );
  }
  const error = form.formState.errors.email;
  return (
    <form className="stack" onSubmit={submit} noValidate aria-label={t("forgot.title")}>
      {alert ? (
        <p className="alert" role="alert">
          {alert}
        </p>
      ) : null}
      <p>{t("forgot.lead")}</p>
      <Field id="email" label={t("signIn.email")} error={error?.message} type="email" autoComplete="email" {...form.register("email")} />
      <button type="submit" disabled={form.formState.isSubmitting}>
        {form.formState.isSubmitting ? t("forgot.sending") : t("forgot.submit")}
      </button>
    </form>
  );
}
