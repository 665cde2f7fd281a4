"use client";

/**
 * The dialog of DeleteStore (loaded when an owner asks for it): what happens to the data (the deletion policy,
 * Delete or Retain) and the store's slug, typed, before its button works. It opens as it mounts; closing it
 * unmounts it, so each opening starts afresh.
 */

import { ProblemError } from "@tenantry/api-client";
import { useEffect, useId, useRef, useState } from "react";

import type { DeleteStoreProps, DeletionPolicy } from "@/components/stores/DeleteStore";
import { portalApi } from "@/lib/browser-api";
import { useT } from "@tenantry/i18n/client";

export default function DeleteDialog({
  slug,
  onDeleted,
  api = portalApi,
  onClose,
}: DeleteStoreProps & { onClose: () => void }) {
  const t = useT();
  const dialog = useRef<HTMLDialogElement>(null);
  const [policy, setPolicy] = useState<DeletionPolicy>("Delete");
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const matches = typed.trim() === slug;

  useEffect(() => {
    const shown = dialog.current;
    shown?.showModal?.();
    shown?.setAttribute("open", "");
    shown?.addEventListener("close", onClose); // Escape closes a modal dialog too
    return () => shown?.removeEventListener("close", onClose);
  }, [onClose]);

  function close() {
    dialog.current?.close?.();
    dialog.current?.removeAttribute("open");
    onClose();
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (!matches || busy) return;
    setBusy(true);
    setError(null);
    try {
      await api.DELETE("/api/v1/tenants/{slug}/", {
        params: { path: { slug }, query: { deletion_policy: policy } },
      });
      close();
      onDeleted(policy);
    } catch (failure) {
      setError(
        failure instanceof ProblemError && failure.code !== "unexpected_response"
          ? failure.detail || failure.title
          : t("error.network"),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <dialog ref={dialog} aria-labelledby={`${id}-dialog-title`} className="dialog">
      <form className="stack" onSubmit={submit} noValidate>
        <h2 id={`${id}-dialog-title`}>{t("stores.delete.title")}</h2>
        <p>{t("stores.delete.lead")}</p>
        {error ? (
          <p className="alert" role="alert">
            {error}
          </p>
        ) : null}
        <fieldset className="choices">
          <legend>{t("stores.delete.policy")}</legend>
          {(["Delete", "Retain"] as const).map((value) => (
            <div className="choice" key={value}>
              <input
                type="radio"
                id={`${id}-${value}`}
                name="deletion_policy"
                value={value}
                checked={policy === value}
                onChange={() => setPolicy(value)}
                aria-describedby={`${id}-${value}-help`}
              />
              <label htmlFor={`${id}-${value}`}>
                {t(value === "Delete" ? "stores.delete.policyDelete" : "stores.delete.policyRetain")}
              </label>
              <p id={`${id}-${value}-help`} className="muted">
                {t(value === "Delete" ? "stores.delete.policyDeleteHelp" : "stores.delete.policyRetainHelp")}
              </p>
            </div>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-slug`}>{t("stores.delete.confirm", { slug })}</label>
          <input
            id={`${id}-slug`}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
          />
        </div>
        <div className="buttons">
          <button type="submit" className="danger-button" disabled={!matches || busy}>
            {busy ? t("stores.delete.submitting") : t("stores.delete.submit")}
          </button>
          <button type="button" className="secondary" onClick={close}>
            {t("stores.delete.cancel")}
          </button>
        </div>
      </form>
    </dialog>
  );
}
