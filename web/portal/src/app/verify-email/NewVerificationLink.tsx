"use client";

/**
 * On a verification link that no longer works (expired, or used already): ask for a new one by address. The API
 * answers the same 202 whether or not the address has an unconfirmed account, so the page says "if" and never more.
 * The words come from the server page (`words`), already in the visitor's language.
 */

import { createControlPlaneClient, ProblemError } from "@tenantry/api-client";
import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { BFF_BASE, portalApi } from "@/lib/browser-api";
import * as z from "@/lib/zod";

export type NewVerificationLinkWords = {
  title: string;
  email: string;
  submit: string;
  sending: string;
  /** With "{email}" where the address goes. */
  sent: string;
  required: string;
  invalidEmail: string;
  network: string;
};

/** `bffUrl`: where the BFF is, for tests (the page's own origin by default). */
export function NewVerificationLink({ words, bffUrl = "" }: { words: NewVerificationLinkWords; bffUrl?: string }) {
  const api = bffUrl ? createControlPlaneClient(`${bffUrl}${BFF_BASE}`, () => null) : portalApi;
  const schema = z.object({
    email: z.pipe(z.string().check(z.trim(), z.minLength(1, words.required)), z.email(words.invalidEmail)),
  });
  type Input = z.infer<typeof schema>;
  const form = useForm<Input>({ defaultValues: { email: "" }, resolver: zodResolver(schema) });
  const [alert, setAlert] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);

  const submit = form.handleSubmit(async ({ email }) => {
    setAlert(null);
    try {
      await api.POST("/api/v1/auth/email/verification/", { body: { email } });
      setSentTo(email);
    } catch (error) {
      const usable = error instanceof ProblemError && error.code !== "unexpected_response" && error.status < 500;
      const atField = usable ? error.errors?.find((item) => item.pointer === "/email") : undefined;
      if (atField) {
        form.setError("email", { type: "server", message: atField.detail });
        return;
      }
      setAlert(usable ? error.detail : words.network);
    }
  });

  if (sentTo) {
    return (
      <p className="success" role="status">
        {words.sent.replace("{email}", sentTo)}
      </p>
    );
  }
  const error = form.formState.errors.email;
  return (
    <form className="stack" onSubmit={submit} noValidate aria-label={words.title}>
      {alert ? (
        <p className="alert" role="alert">
          {alert}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor="new-link-email">{words.email}</label>
        <input
          id="new-link-email"
          type="email"
          autoComplete="email"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "new-link-email-error" : undefined}
          {...form.register("email")}
        />
        {error ? (
          <p id="new-link-email-error" className="error">
            {error.message}
          </p>
        ) : null}
      </div>
      <button type="submit" disabled={form.formState.isSubmitting}>
        {form.formState.isSubmitting ? words.sending : words.submit}
      </button>
    </form>
  );
}
