"use client";

/**
 * Invite someone to a store by email with a role; the API's field errors show at their fields. The members page
 * loads it when "Invite someone…" is clicked (React Hook Form comes with it), and it takes the focus then.
 */

import { type ControlPlaneClient, ProblemError } from "@tenantry/api-client";
import { useEffect, useState } from "react";
import { useForm } from "react-hook-form";

import { Field, FormAlert } from "@tenantry/ui";
import { ROLES, type Role } from "@/components/stores/format";
import { portalApi } from "@/lib/browser-api";
import { lazyResolver } from "@/lib/form-resolver";
import { fieldMessage, otherMessages } from "@/lib/forms";
import { useT } from "@tenantry/i18n/client";

export { ROLES, type Role };

type Invite = { email: string; role: Role };

export interface InviteFormProps {
  slug: string;
  /** May the caller make owners (only owners may)? */
  canInviteOwners: boolean;
  onInvited?: (email: string) => void;
  api?: ControlPlaneClient;
  /** Focus the email field once shown (the form was just opened). */
  autoFocus?: boolean;
  /** The id of the heading that names the form (the members page's "Invite someone"). */
  labelledBy?: string;
}

export function InviteForm({ slug, canInviteOwners, onInvited, api = portalApi, autoFocus = false, labelledBy }: InviteFormProps) {
  const t = useT();
  const [alert, setAlert] = useState<string[]>([]);
  const form = useForm<Invite>({ defaultValues: { email: "", role: "admin" }, resolver: lazyResolver((schemas) => schemas.inviteSchema(t, ROLES)) });
  const roles = ROLES.filter((role) => role !== "owner" || canInviteOwners);
  const { setFocus } = form;
  useEffect(() => {
    if (autoFocus) setFocus("email");
  }, [autoFocus, setFocus]);

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
    <form className="stack" onSubmit={submit} noValidate aria-labelledby={labelledBy} aria-label={labelledBy ? undefined : t("stores.invite.title")}>
      <FormAlert messages={alert} />
      <Field
        id="invite-email"
        label={t("stores.invite.email")}
        error={emailError}
        type="email"
        autoComplete="off"
        {...form.register("email")}
      />
      <Field
        as="select"
        id="invite-role"
        label={t("stores.invite.role")}
        error={roleError}
        hint={t("stores.invite.roleHelp")}
        {...form.register("role")}
      >
        {roles.map((role) => (
          <option key={role} value={role}>
            {t(`stores.role.${role}`)}
          </option>
        ))}
      </Field>
      <button type="submit" disabled={form.formState.isSubmitting}>
        {form.formState.isSubmitting ? t("stores.invite.submitting") : t("stores.invite.submit")}
      </button>
    </form>
  );
}

export default InviteForm;
