"use client";

/**
 * One code, checked before sending (6 digits, or a backup code where one is accepted); a wrong code the API
 * refuses shows at the field, anything else above it, the network's failure too.
 */

import type { Problem } from "@tenantry/api-client";
import { useEffect, useState } from "react";
import { useForm } from "react-hook-form";

import { FormAlert } from "@tenantry/ui";
import { lazyResolver } from "@/lib/form-resolver";
import { otherMessages } from "@/lib/forms";
import type { Translate } from "@/lib/i18n";
import { codeMessage, type CodeInput, type CodeOutput, problemOf } from "@/lib/security";

export interface CodeFormProps {
  t: Translate;
  /** Prefix of the element ids: one page holds several code forms. */
  id: string;
  /** Whether a backup code is accepted besides an app code. */
  backup?: boolean;
  title?: string;
  help?: string;
  submit: string;
  /** Sends the code; rejects with the API's problem (a ProblemError) or a network error. */
  onCode: (code: string) => Promise<unknown>;
  onCancel?: () => void;
  cancel?: string;
  /** Focus the code field once shown (the form was just opened). */
  autoFocus?: boolean;
}

export function CodeForm({ t, id, backup = false, title, help, submit, onCode, onCancel, cancel, autoFocus = false }: CodeFormProps) {
  const [alert, setAlert] = useState<string[]>([]);
  const form = useForm<CodeInput, unknown, CodeOutput>({
    defaultValues: { code: "" },
    resolver: lazyResolver((schemas) => schemas.codeSchema(t, backup)),
  });
  const { setFocus } = form;
  useEffect(() => {
    if (autoFocus) setFocus("code");
  }, [autoFocus, setFocus]);

  const send = form.handleSubmit(async ({ code }) => {
    setAlert([]);
    try {
      await onCode(code);
    } catch (error) {
      const problem: Problem | null = problemOf(error);
      if (!problem) {
        setAlert([t("error.network")]);
        return;
      }
      const atField = codeMessage(problem);
      if (atField) form.setError("code", { type: "server", message: atField }, { shouldFocus: true });
      const others = atField ? otherMessages(problem, ["code"]).filter((message) => message !== atField) : otherMessages(problem, ["code"]);
      setAlert(atField && !(problem.errors ?? []).length ? [] : others);
    }
  });

  const error = form.formState.errors.code?.message;
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  return (
    <form className="stack" onSubmit={send} noValidate aria-labelledby={title ? `${id}-title` : undefined} aria-label={title ? undefined : submit}>
      {title ? <h3 id={`${id}-title`}>{title}</h3> : null}
      <FormAlert messages={alert} />
      <div className="field">
        <label htmlFor={`${id}-code`}>{t("security.code.label")}</label>
        <p id={helpId} className="muted hint">
          {help ?? t(backup ? "security.code.anyHelp" : "security.code.appHelp")}
        </p>
        <input
          id={`${id}-code`}
          className="code-input"
          autoComplete="one-time-code"
          inputMode={backup ? "text" : "numeric"}
          spellCheck={false}
          maxLength={backup ? 14 : 9}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${helpId} ${errorId}` : helpId}
          {...form.register("code")}
        />
        {error ? (
          <p id={errorId} className="error" role="alert">
            {error}
          </p>
        ) : null}
      </div>
      <div className="controls">
        <button type="submit" disabled={form.formState.isSubmitting}>
          {submit}
        </button>
        {onCancel ? (
          <button type="button" className="link" onClick={onCancel}>
            {cancel ?? t("security.tf.cancel")}
          </button>
        ) : null}
      </div>
    </form>
  );
}
