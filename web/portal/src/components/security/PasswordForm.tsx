"use client";

/**
 * The form of PasswordChange (loaded when "Change the password…" is clicked; it takes the focus then): a new
 * password for the current one. Checked before sending (length, the two new ones equal); the API's
 * field errors (a wrong current password, a too common new one) show at their fields. Every other session is
 * signed out, so the session list is asked again.
 */

import type { ControlPlaneClient } from "@tenantry/api-client";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useForm } from "react-hook-form";

import { Field, FormAlert } from "@tenantry/ui";
import { portalApi } from "@/lib/browser-api";
import { lazyResolver } from "@/lib/form-resolver";
import { fieldMessage, otherMessages } from "@/lib/forms";
import type { PasswordChangeInput as Passwords } from "@/lib/schemas";
import { useT } from "@tenantry/i18n/client";
import { useNotices } from "@tenantry/ui/notices";
import { problemOf } from "@/lib/security";

import { SESSIONS_KEY } from "./SessionList";

const FIELDS = ["current_password", "new_password"] as const;

export default function PasswordForm({ api = portalApi }: { api?: ControlPlaneClient }) {
  const t = useT();
  const client = useQueryClient();
  const notices = useNotices();
  const [alert, setAlert] = useState<string[]>([]);
  const [done, setDone] = useState(false);
  const form = useForm<Passwords>({
    defaultValues: { current_password: "", new_password: "", confirm: "" },
    resolver: lazyResolver((schemas) => schemas.passwordChangeSchema(t)),
  });
  const { setFocus } = form;
  useEffect(() => setFocus("current_password"), [setFocus]);

  const change = form.handleSubmit(async (input) => {
    setAlert([]);
    setDone(false);
    try {
      await api.POST("/api/v1/auth/password/", {
        body: { current_password: input.current_password, new_password: input.new_password },
      });
    } catch (error) {
      const problem = problemOf(error);
      if (!problem) {
        setAlert([t("error.network")]);
        return;
      }
      for (const field of FIELDS) {
        const message = fieldMessage(problem, field);
        if (message) form.setError(field, { type: "server", message });
      }
      setAlert(otherMessages(problem, FIELDS));
      return;
    }
    form.reset();
    setDone(true);
    notices.push("success", t("security.password.changed"));
    void client.invalidateQueries({ queryKey: SESSIONS_KEY });
  });

  const errors = form.formState.errors;
  const field = (name: keyof Passwords, label: string, autoComplete: string) => (
    <Field
      id={`pw-${name}`}
      label={label}
      error={errors[name]?.message}
      type="password"
      autoComplete={autoComplete}
      {...form.register(name)}
    />
  );

  return (
    <form className="stack" onSubmit={change} noValidate aria-labelledby="password-title">
      <FormAlert messages={alert} />
      {done ? (
        <p className="success" role="status">
          {t("security.password.changed")}
        </p>
      ) : null}
      {field("current_password", t("security.password.current"), "current-password")}
      {field("new_password", t("security.password.new"), "new-password")}
      {field("confirm", t("security.password.confirm"), "new-password")}
      <button type="submit" disabled={form.formState.isSubmitting}>
        {form.formState.isSubmitting ? t("security.password.submitting") : t("security.password.submit")}
      </button>
    </form>
  );
}
