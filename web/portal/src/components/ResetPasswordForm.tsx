"use client";

/** A new password for a reset link; the API's password rules show at the field. */

import { useState } from "react";
import { useForm } from "react-hook-form";

import { Field, FormAlert } from "@tenantry/ui";
import { lazyResolver } from "@/lib/form-resolver";
import { fieldMessage, otherMessages, postJson } from "@/lib/forms";
import type { Reset } from "@/lib/schemas";
import { useT } from "@tenantry/i18n/client";

export function ResetPasswordForm({ uid, token, bffUrl = "" }: { uid: string; token: string; bffUrl?: string }) {
  const t = useT();
  const form = useForm<Reset>({
    defaultValues: { password: "", confirm: "" },
    resolver: lazyResolver((schemas) => schemas.resetSchema(t)),
  });
  const [alert, setAlert] = useState<string[]>([]);
  const [done, setDone] = useState(false);

  const submit = form.handleSubmit(async (input) => {
    setAlert([]);
    const outcome = await postJson<null>(bffUrl, "/bff/reset-password", { uid, token, password: input.password });
    if (outcome.ok) {
      setDone(true);
      return;
    }
    if (!("problem" in outcome)) {
      setAlert([t("error.network")]);
      return;
    }
    const message = fieldMessage(outcome.problem, "password");
    if (message) form.setError("password", { type: "server", message });
    setAlert(otherMessages(outcome.problem, ["password"]));
  });

  if (done) {
    return (
      <>
        <p className="success" role="status">
          {t("reset.done")}
        </p>
        <p>
          <a className="button" href="/sign-in">
            {t("nav.signIn")}
          </a>
        </p>
      </>
    );
  }
  const errors = form.formState.errors;
  return (
    <form className="stack" onSubmit={submit} noValidate aria-label={t("reset.title")}>
      <FormAlert messages={alert} />
      {(["password", "confirm"] as const).map((name) => (
        <Field
          key={name}
          id={name}
          label={t(name === "password" ? "reset.password" : "reset.confirm")}
          error={errors[name]?.message}
          type="password"
          autoComplete="new-password"
          {...form.register(name)}
        />
      ))}
      <button type="submit" disabled={form.formState.isSubmitting}>
        {t("reset.submit")}
      </button>
    </form>
  );
}
