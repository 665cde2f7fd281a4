"use client";

/**
 * Ask for a link by email address: a password reset (/forgot-password) or a new verification link (an expired
 * /verify-email). The API answers the same 202 whether or not the address has such an account (no probing for
 * accounts), so the page says "if" and never more; its rate limit shows as the API's detail.
 */

import { createControlPlaneClient, ProblemError } from "@tenantry/api-client";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Field, FormAlert } from "@tenantry/ui";
import { BFF_BASE, portalApi } from "@/lib/browser-api";
import { lazyResolver } from "@/lib/form-resolver";
import type { MessageKey } from "@/lib/i18n";
import { useT } from "@tenantry/i18n/client";
import type { Forgot } from "@/lib/schemas";

export type LinkRequest = {
  path: "/api/v1/auth/password/reset/" | "/api/v1/auth/email/verification/";
  /** The form's name, its lead (if any), its button while idle and sending, and the answer ("{email}" in it). */
  words: { title: MessageKey; lead?: MessageKey; submit: MessageKey; sending: MessageKey; sent: MessageKey };
  /** The address field's id (its error's is `<id>-error`). */
  fieldId: string;
  /** Where the BFF is, for tests (the page's own origin by default). */
  bffUrl?: string;
};

export function LinkRequestForm({ path, words, fieldId, bffUrl = "" }: LinkRequest) {
  const t = useT();
  const api = bffUrl ? createControlPlaneClient(`${bffUrl}${BFF_BASE}`, () => null) : portalApi;
  const form = useForm<Forgot>({ defaultValues: { email: "" }, resolver: lazyResolver((schemas) => schemas.forgotSchema(t)) });
  const [alert, setAlert] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);

  const submit = form.handleSubmit(async ({ email }) => {
    setAlert(null);
    try {
      await api.POST(path, { body: { email } });
      setSentTo(email);
    } catch (error) {
      const usable = error instanceof ProblemError && error.code !== "unexpected_response" && error.status < 500;
      const atField = usable ? error.errors?.find((item) => item.pointer === "/email") : undefined;
      if (atField) {
        form.setError("email", { type: "server", message: atField.detail });
        return;
      }
      setAlert(usable ? error.detail : t("error.network"));
    }
  });

  if (sentTo) {
    return (
      <p className="success" role="status">
        {t(words.sent, { email: sentTo })}
      </p>
    );
  }
  const error = form.formState.errors.email;
  return (
    <form className="stack" onSubmit={submit} noValidate aria-label={t(words.title)}>
      <FormAlert messages={alert ? [alert] : []} />
      {words.lead ? <p>{t(words.lead)}</p> : null}
      <Field id={fieldId} label={t("signIn.email")} error={error?.message} type="email" autoComplete="email" {...form.register("email")} />
      <button type="submit" disabled={form.formState.isSubmitting}>
        {form.formState.isSubmitting ? t(words.sending) : t(words.submit)}
      </button>
    </form>
  );
}
