"use client";

/**
 * Sign in: email and password, then — when the API answers two_factor_required — the code step, or — when it
 * answers enrolment_required — setting up an authenticator app (QR code, first code), which signs in and shows
 * the backup codes once. Checks the input with zod before sending; the API's field errors show at their fields.
 */

import { type Problem, ProblemError } from "@tenantry/api-client";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Field, FormAlert } from "@tenantry/ui";
import { lazyResolver } from "@/lib/form-resolver";
import { fieldMessage, otherMessages, postJson } from "@/lib/forms";
import type { Locale } from "@/lib/i18n";
import { useT } from "@tenantry/i18n/client";
import type { Challenge, Credentials } from "@/lib/schemas";
import { codeMessage } from "@/lib/security";

import { BackupCodes } from "./security/BackupCodes";
import { CodeForm } from "./security/CodeForm";
import { TotpSetup } from "./security/TotpSetup";

type Answer =
  | { status: "signed_in" }
  | { status: "two_factor_required" | "enrolment_required"; challenge: string; methods: string[] };

/** The enrolment step: the challenge, then the new app's secret, then (signed in) the backup codes. */
interface Enrolment {
  challenge: string;
  uri?: string;
  secret?: string;
  codes?: string[];
}

export interface SignInFormProps {
  locale: Locale;
  /** Where to go once signed in. */
  next?: string;
  /** The BFF's origin: "" (the page's own) but in tests. */
  bffUrl?: string;
  /** What happens once signed in; by default, load `next`. */
  onSignedIn?: (next: string) => void;
}

export function SignInForm({ locale, next = "/stores", bffUrl = "", onSignedIn }: SignInFormProps) {
  const t = useT();
  const [challenge, setChallenge] = useState<string | null>(null);
  const [alert, setAlert] = useState<string[]>([]);
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const done = onSignedIn ?? ((target: string) => window.location.assign(target));

  const credentials = useForm<Credentials>({
    defaultValues: { email: "", password: "" },
    resolver: lazyResolver((schemas) => schemas.credentialsSchema(t)),
  });
  const code = useForm<Challenge>({ defaultValues: { code: "" }, resolver: lazyResolver((schemas) => schemas.challengeSchema(t)) });

  function report(problem: Problem | null, fields: readonly string[], setField: (field: string, message: string) => void) {
    if (!problem) {
      setAlert([t("error.network")]);
      return;
    }
    for (const field of fields) {
      const message = fieldMessage(problem, field);
      if (message) setField(field, message);
    }
    const others = otherMessages(problem, fields);
    setAlert(problem.status >= 500 && problem.request_id ? [...others, `${t("error.generic")} ${problem.request_id}`] : others);
  }

  const signIn = credentials.handleSubmit(async (input) => {
    setAlert([]);
    setEnrolment(null);
    const outcome = await postJson<Answer>(bffUrl, "/bff/sign-in", input);
    if (!outcome.ok) {
      report("problem" in outcome ? outcome.problem : null, ["email", "password"], (field, message) =>
        credentials.setError(field as keyof Credentials, { type: "server", message }),
      );
      return;
    }
    const answer = outcome.data;
    if (answer.status === "signed_in") done(next);
    else if (answer.status === "two_factor_required") setChallenge(answer.challenge);
    else await startEnrolment(answer.challenge);
  });

  async function startEnrolment(challenge: string) {
    setEnrolment({ challenge });
    const outcome = await postJson<{ otpauth_uri: string; secret: string }>(bffUrl, "/bff/sign-in/enrolment", { challenge });
    if (outcome.ok) {
      setEnrolment({ challenge, uri: outcome.data.otpauth_uri, secret: outcome.data.secret });
      return;
    }
    setEnrolment(null);
    report("problem" in outcome ? outcome.problem : null, [], () => undefined);
  }

  async function confirmEnrolment(code: string) {
    if (!enrolment) return;
    const outcome = await postJson<{ status: "signed_in"; backup_codes: string[] }>(
      bffUrl,
      "/bff/sign-in/enrolment/confirm",
      { challenge: enrolment.challenge, code },
    );
    if (!outcome.ok) {
      // CodeForm puts a wrong code at its field, and says anything else above it.
      if ("problem" in outcome) throw new ProblemError(outcome.problem);
      throw new TypeError("network");
    }
    setEnrolment({ ...enrolment, codes: outcome.data.backup_codes });
  }

  const startOver = () => {
    setChallenge(null);
    setEnrolment(null);
    setAlert([]);
    code.reset();
  };

  const answer = code.handleSubmit(async (input) => {
    if (!challenge) return;
    setAlert([]);
    const outcome = await postJson<Answer>(bffUrl, "/bff/sign-in/challenge", { challenge, code: input.code });
    if (outcome.ok) {
      done(next);
      return;
    }
    const problem = "problem" in outcome ? outcome.problem : null;
    // A wrong (or locked) code is said at the code field; anything else (an expired challenge) above the form.
    const wrong = problem ? codeMessage(problem) : undefined;
    if (wrong) {
      code.setError("code", { type: "server", message: wrong }, { shouldFocus: true });
      return;
    }
    report(problem, ["code"], (field, message) => code.setError(field as keyof Challenge, { type: "server", message }));
  });

  const alertBox = <FormAlert messages={alert} />;

  if (enrolment) {
    return (
      <div className="stack enrolment">
        <h2 id="enrol-title">{t("security.tf.title")}</h2>
        {enrolment.codes ? (
          <>
            <p className="success" role="status">
              {t("security.enrol.signedIn")}
            </p>
            <BackupCodes
              t={t}
              locale={locale}
              codes={enrolment.codes}
              onDone={() => done(next)}
              done={t("security.enrol.continue")}
            />
          </>
        ) : enrolment.uri && enrolment.secret ? (
          <>
            <p>{t("security.enrol.help")}</p>
            <TotpSetup t={t} uri={enrolment.uri} secret={enrolment.secret} />
            <CodeForm
              t={t}
              id="enrol"
              submit={t("security.enrol.submit")}
              onCode={confirmEnrolment}
              onCancel={startOver}
              cancel={t("signIn.startOver")}
            />
          </>
        ) : (
          <p role="status" aria-busy="true">
            {t("security.enrol.preparing")}
          </p>
        )}
      </div>
    );
  }

  if (challenge) {
    const error = code.formState.errors.code?.message;
    return (
      <form className="stack" onSubmit={answer} noValidate aria-labelledby="code-title">
        <h2 id="code-title">{t("signIn.codeTitle")}</h2>
        <p id="code-help">{t("signIn.codeHelp")}</p>
        {alertBox}
        <Field
          id="code"
          label={t("signIn.code")}
          error={error}
          errorRole="alert"
          describedBy="code-help"
          autoComplete="one-time-code"
          inputMode="numeric"
          autoFocus
          {...code.register("code")}
        />
        <button type="submit" disabled={code.formState.isSubmitting}>
          {t("signIn.verify")}
        </button>
        <button
          type="button"
          className="link"
          onClick={startOver}
        >
          {t("signIn.startOver")}
        </button>
      </form>
    );
  }

  const emailError = credentials.formState.errors.email?.message;
  const passwordError = credentials.formState.errors.password?.message;
  return (
    <form className="stack" onSubmit={signIn} noValidate aria-label={t("signIn.title")}>
      {alertBox}
      <Field
        id="email"
        label={t("signIn.email")}
        error={emailError}
        type="email"
        autoComplete="username"
        {...credentials.register("email")}
      />
      <Field
        id="password"
        label={t("signIn.password")}
        error={passwordError}
        type="password"
        autoComplete="current-password"
        {...credentials.register("password")}
      />
      <button type="submit" disabled={credentials.formState.isSubmitting}>
        {credentials.formState.isSubmitting ? t("signIn.submitting") : t("signIn.submit")}
      </button>
    </form>
  );
}
