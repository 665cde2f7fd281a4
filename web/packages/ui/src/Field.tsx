/**
 * One form field as every form draws it: the label, the control (an input, or a select with its options as
 * children), a hint, and the error, tied together with aria-describedby and aria-invalid. Spread React Hook Form's
 * `register(name)` into it like into an input. No words of its own: the label, hint and error come in as props.
 */

import type { InputHTMLAttributes, ReactNode, Ref, SelectHTMLAttributes } from "react";

interface Common {
  id: string;
  label: ReactNode;
  /** The field's error (the form's check or the API's), shown under it. */
  error?: string | undefined;
  /** A hint under the control (id `<id>-help`). */
  hint?: ReactNode;
  /** Ids of other elements that describe the control (e.g. a help paragraph above the form). */
  describedBy?: string;
  /** "alert" when the error must be announced as it appears (a step with one field). */
  errorRole?: "alert";
}

type InputField = Common & Omit<InputHTMLAttributes<HTMLInputElement>, "id"> & { as?: "input"; ref?: Ref<HTMLInputElement> };
type SelectField = Common & Omit<SelectHTMLAttributes<HTMLSelectElement>, "id"> & { as: "select"; ref?: Ref<HTMLSelectElement> };

export function Field({ id, label, error, hint, describedBy, errorRole, as: tag, ...control }: InputField | SelectField) {
  // One element whichever it is (`select` or `input`): its attributes are the caller's (`ref` included) and the aria.
  const Control = (tag ?? "input") as "input";
  const hintId = hint ? `${id}-help` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const aria = {
    id,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": [describedBy, hintId, errorId].filter(Boolean).join(" ") || undefined,
  } as const;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <Control {...(control as InputHTMLAttributes<HTMLInputElement>)} {...aria} />
      {hint ? (
        <p id={hintId} className="muted">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="error" role={errorRole}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** What a form says above its fields (the API's messages that belong to no field, the network's failure), or nothing. */
export function FormAlert({ messages }: { messages: readonly string[] }) {
  if (!messages.length) return null;
  return (
    <div className="alert" role="alert">
      {messages.map((message) => (
        <p key={message} className="error">
          {message}
        </p>
      ))}
    </div>
  );
}
