"use client";

/**
 * Accept a store's invitation from the mailed link: signed in, with one click; new to Tenantry, by choosing a
 * password (the account gets the invited address). A used, revoked or expired link says so and what to do.
 */

import type { Problem } from "@tenantry/api-client";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Field, FormAlert } from "@tenantry/ui";
import { lazyResolver } from "@/lib/form-resolver";
import { fieldMessage, otherMessages, postJson } from "@/lib/forms";
import type { Account } from "@/lib/schemas";
import { useT } from "@tenantry/i18n/client";

interface Accepted {
  tenant: { slug: string; name: string; role: "owner" | "admin" | "billing" };
  signed_in: boolean;
}


export interface AcceptInvitationProps {
  token: string;
  signedIn: boolean;
  bffUrl?: string;
}

export function AcceptInvitation({ token, signedIn, bffUrl = "" }: AcceptInvitationProps) {
  const t = useT();
  const [accepted, setAccepted] = useState<Accepted | null>(null);
  const [alert, setAlert] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const form = useForm<Account>({ defaultValues: { full_name: "", password: "" }, resolver: lazyResolver((schemas) => schemas.accountSchema(t)) });

  function report(problem: Problem | null, fields: readonly string[]) {
    if (!problem) {
      setAlert([t("error.network")]);
      return;
    }
    for (const field of fields) {
      const message = fieldMessage(problem, field);
      if (message) form.setError(field as keyof Account, { type: "server", message });
    }
    const tokenMessage = fieldMessage(problem, "token");
    if (tokenMessage) {
      setAlert([t("stores.accept.failed", { detail: tokenMessage })]);
      return;
    }
    setAlert(otherMessages(problem, [...fields, "token"]));
  }

  async function send(body: Record<string, string>, fields: readonly string[]) {
    setAlert([]);
    setBusy(true);
    const outcome = await postJson<Accepted>(bffUrl, "/bff/accept-invitation", { token, ...body });
    setBusy(false);
    if (outcome.ok) setAccepted(outcome.data);
    else report("problem" in outcome ? outcome.problem : null, fields);
  }

  if (accepted) {
    const { tenant } = accepted;
    return (
      <div className="stack">
        <p className="success" role="status">
          {t("stores.accept.done", { name: tenant.name, role: t(`stores.role.${tenant.role}`) })}
        </p>
        {accepted.signed_in ? (
          <p>
            <a className="button" href={`/stores/${tenant.slug}`}>
              {t("stores.accept.toStore")}
            </a>
          </p>
        ) : (
          <p>
            <a className="button" href={`/sign-in?next=/stores/${tenant.slug}`}>
              {t("signIn.submit")}
            </a>
          </p>
        )}
      </div>
    );
  }

  const alertBox = <FormAlert messages={alert} />;

  if (signedIn) {
    return (
      <div className="stack">
        {alertBox}
        <p>{t("stores.accept.signedIn")}</p>
        <p>
          <button type="button" disabled={busy} onClick={() => void send({}, [])}>
            {t("stores.accept.submit")}
          </button>
        </p>
        <p className="muted">{t("stores.accept.otherAccount")}</p>
      </div>
    );
  }

  const nameError = form.formState.errors.full_name?.message;
  const passwordError = form.formState.errors.password?.message;
  const next = `/accept-invitation?token=${encodeURIComponent(token)}`;
  return (
    <form
      className="stack"
      noValidate
      aria-labelledby="new-account"
      onSubmit={form.handleSubmit((input) => send(input, ["full_name", "password"]))}
    >
      {alertBox}
      <p id="new-account">{t("stores.accept.newAccount")}</p>
      <Field id="full_name" label={t("stores.accept.fullName")} error={nameError} autoComplete="name" {...form.register("full_name")} />
      <Field
        id="password"
        label={t("stores.accept.password")}
        error={passwordError}
        type="password"
        autoComplete="new-password"
        {...form.register("password")}
      />
      <button type="submit" disabled={busy}>
        {t("stores.accept.create")}
      </button>
      <p>
        <a href={`/sign-in?next=${encodeURIComponent(next)}`}>{t("stores.accept.haveAccount")}</a>
      </p>
    </form>
  );
}
