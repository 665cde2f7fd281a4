"use client";

/** A new password for a reset link; the API's password rules show at the field. */

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import * as z from "@/lib/zod";

import { newPasswordSchema } from "@/lib/passwords";

import { fieldMessage, otherMessages, postJson } from "@/lib/forms";
import { useT } from "@/lib/messages-client";

export function ResetPasswordForm({ uid, token, bffUrl = "" }: { uid: string; token: string; bffUrl?: string }) {
  const t = useT();
  const schema = z
    .object({
      password: newPasswordSchema(t),
      confirm: z.string().check(z.minLength(1, t("field.required"))),
    })
    .check(z.refine((input) => input.password === input.confirm, { path: ["confirm"], message: t("field.passwordsDiffer") }));
  type Input = z.infer<typeof schema>;
  const form = useForm<Input>({ defaultValues: { password: "", confirm: "" }, resolver: zodResolver(schema) });
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
      {alert.length ? (
        <div className="alert" role="alert">
          {alert.map((message) => (
            <p key={message} className="error">
              {message}
            </p>
          ))}
        </div>
      ) : null}
      {(["password", "confirm"] as const).map((name) => (
        <div className="field" key={name}>
          <label htmlFor={name}>{t(name === "password" ? "reset.password" : "reset.confirm")}</label>
          <input
            id={name}
            type="password"
            autoComplete="new-password"
            aria-invalid={errors[name] ? true : undefined}
            aria-describedby={errors[name] ? `${name}-error` : undefined}
            {...form.register(name)}
          />
          {errors[name] ? (
            <p id={`${name}-error`} className="error">
              {errors[name].message}
            </p>
          ) : null}
        </div>
      ))}
      <button type="submit" disabled={form.formState.isSubmitting}>
        {t("reset.submit")}
      </button>
    </form>
  );
}
