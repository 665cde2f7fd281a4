"use client";

/** Invite someone to a store by email with a role; the API's field errors show at their fields. */

import { type ControlPlaneClient, ProblemError } from "@tenantry/api-client";
import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { useState } from "react";
import * as z from "@/lib/zod";

import { portalApi } from "@/lib/browser-api";
import { fieldMessage, otherMessages } from "@/lib/forms";
import type { Translate } from "@/lib/i18n";
import { useT } from "@/lib/messages-client";

export const ROLES = ["owner", "admin", "billing"] as const;
export type Role = (typeof ROLES)[number];

function inviteSchema(t: Translate) {
  return z.object({
    email: z.pipe(z.string().check(z.trim(), z.minLength(1, t("field.required"))), z.email(t("field.email"))),
    role: z.enum(ROLES),
  });
}
type Invite = z.infer<ReturnType<typeof inviteSchema>>;

export interface InviteFormProps {
  slug: string;
  /** May the caller make owners (only owners may)? */
  canInviteOwners: boolean;
  onInvited?: (email: string) => void;
  api?: ControlPlaneClient;
}

export function InviteForm({ slug, canInviteOwners, onInvited, api = portalApi }: InviteFormProps) {
  const t = useT();
  const [alert, setAlert] = useState<string[]>([]);
  const form = useForm<Invite>({ defaultValues: { email: "", role: "admin" }, resolver: zodResolver(inviteSchema(t)) });
  const roles = ROLES.filter((role) => role !== "owner" || canInviteOwners);

  const submit = form.handleSubmit(async (input) => {
    setAlert([]);
    try {
      await api.POST("/api/v1/tenants/{slug}/invitations/", { params: { path: { slug } }, body: input });
      form.reset({ email: "", role: input.role });
      onInvited?.(input.email);
    } catch (error) {
      if (!(error instanceof ProblemError) || error.code === "unexpected_response") {
        setAlert([t("error.network")]);
        return;
      }
      for (const field of ["email", "role"] as const) {
        const message = fieldMessage(error, field);
        if (message) form.setError(field, { type: "server", message });
      }
      setAlert(otherMessages(error, ["email", "role"]));
    }
  });

  const emailError = form.formState.errors.email?.message;
  const roleError = form.formState.errors.role?.message;
  return (
    <form className="stack" onSubmit={submit} noValidate aria-labelledby="invite-title">
      <h2 id="invite-title">{t("stores.invite.title")}</h2>
      {alert.length ? (
        <div className="alert" role="alert">
          {alert.map((message) => (
            <p key={message} className="error">
              {message}
            </p>
          ))}
        </div>
      ) : null}
      <div className="field">
        <label htmlFor="invite-email">{t("stores.invite.email")}</label>
        <input
          id="invite-email"
          type="email"
          autoComplete="off"
          aria-invalid={emailError ? true : undefined}
          aria-describedby={emailError ? "invite-email-error" : undefined}
          {...form.register("email")}
        />
        {emailError ? (
          <p id="invite-email-error" className="error">
            {emailError}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor="invite-role">{t("stores.invite.role")}</label>
        <select
          id="invite-role"
          aria-invalid={roleError ? true : undefined}
          aria-describedby={roleError ? "invite-role-help invite-role-error" : "invite-role-help"}
          {...form.register("role")}
        >
          {roles.map((role) => (
            <option key={role} value={role}>
              {t(`stores.role.${role}`)}
            </option>
          ))}
        </select>
        <p id="invite-role-help" className="muted">
          {t("stores.invite.roleHelp")}
        </p>
        {roleError ? (
          <p id="invite-role-error" className="error">
            {roleError}
          </p>
        ) : null}
      </div>
      <button type="submit" disabled={form.formState.isSubmitting}>
        {form.formState.isSubmitting ? t("stores.invite.submitting") : t("stores.invite.submit")}
      </button>
    </form>
  );
}
