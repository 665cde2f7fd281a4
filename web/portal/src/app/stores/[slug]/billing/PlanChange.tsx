"use client";

/**
 * Moving to another plan: pick one, see what it costs now (the API's prorated preview: `preview: true`
 * changes nothing), then confirm. The API's answer (a declined card, no card yet) shows where it belongs.
 * Billing loads it when "Change the plan…" is clicked (React Hook Form comes with it); it focuses the current plan.
 */

import { type ControlPlaneClient, ProblemError } from "@tenantry/api-client";
import { useEffect, useRef, useState } from "react";
import { useForm } from "react-hook-form";

import { FormAlert } from "@tenantry/ui";
import { lazyResolver } from "@/lib/form-resolver";
import { useT } from "@tenantry/i18n/client";
import type { PlanChoice } from "@/lib/schemas";

import { planPrice } from "./Summary";
import type { Plan, Preview, Subscription } from "./types";

export interface PlanChangeProps {
  slug: string;
  plans: Plan[];
  current: string;
  hasCard: boolean;
  api: ControlPlaneClient;
  onChanged: (subscription: Subscription) => void;
  /** Focus the chosen plan once shown (the form was just opened). */
  autoFocus?: boolean;
}

function problemText(error: unknown, fallback: string): { field?: string; messages: string[] } {
  if (!(error instanceof ProblemError) || error.code === "unexpected_response") return { messages: [fallback] };
  const atPlan = (error.errors ?? []).filter((item) => item.pointer === "/plan").map((item) => item.detail);
  if (atPlan.length) return { field: atPlan.join(" "), messages: [] };
  return { messages: [error.detail || error.title] };
}

export function PlanChange({ slug, plans, current, hasCard, api, onChanged, autoFocus = false }: PlanChangeProps) {
  const t = useT();
  const options = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (autoFocus) options.current?.querySelector<HTMLInputElement>("input:checked")?.focus();
  }, [autoFocus]);
  const form = useForm<PlanChoice>({
    defaultValues: { plan: current },
    resolver: lazyResolver((schemas) => schemas.planChoiceSchema(t, current)),
  });
  const [preview, setPreview] = useState<Preview | null>(null);
  const [alert, setAlert] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const title = (name: string) => plans.find((plan) => plan.name === name)?.title ?? name;

  const showPrice = form.handleSubmit(async ({ plan }) => {
    setAlert([]);
    setPreview(null);
    setBusy(true);
    try {
      const { data } = await api.POST("/api/v1/tenants/{slug}/subscription", {
        params: { path: { slug } },
        body: { plan: plan as Plan["name"], preview: true },
      });
      setPreview(data as Preview);
    } catch (error) {
      const { field, messages } = problemText(error, t("error.network"));
      if (field) form.setError("plan", { type: "server", message: field });
      setAlert(messages);
    } finally {
      setBusy(false);
    }
  });

  async function confirm() {
    if (!preview) return;
    setAlert([]);
    setBusy(true);
    try {
      const { data } = await api.POST("/api/v1/tenants/{slug}/subscription", {
        params: { path: { slug } },
        body: { plan: preview.plan, preview: false },
      });
      setPreview(null);
      onChanged(data as Subscription);
    } catch (error) {
      setAlert(problemText(error, t("error.network")).messages);
    } finally {
      setBusy(false);
    }
  }

  const chosen = form.watch("plan");
  const planError = form.formState.errors.plan?.message;
  const paid = (name: string) => Number(plans.find((plan) => plan.name === name)?.price.amount ?? "0") > 0;
  const blocked = preview !== null && paid(preview.plan) && !hasCard;

  return (
    <form className="stack billing-plans" onSubmit={showPrice} noValidate>
      <fieldset aria-describedby={planError ? "plan-error" : undefined} aria-invalid={planError ? true : undefined}>
        <legend>{t("billing.plan.choose")}</legend>
        <div className="plan-options" ref={options}>
          {plans.map((plan) => (
            <label key={plan.name} className={`plan-option${chosen === plan.name ? " chosen" : ""}`}>
              <input type="radio" value={plan.name} {...form.register("plan", { onChange: () => setPreview(null) })} />
              <span className="plan-name">
                {plan.title} {plan.name === current ? <span className="muted">{t("billing.plan.currentTag")}</span> : null}
              </span>
              <span className="muted">{planPrice(plan, t)}</span>
            </label>
          ))}
        </div>
        {planError ? (
          <p id="plan-error" className="error">
            {planError}
          </p>
        ) : null}
      </fieldset>
      <div>
        <button type="submit" disabled={busy}>
          {t("billing.plan.preview")}
        </button>
      </div>
      {preview ? (
        <section className="preview" aria-labelledby="preview-heading">
          <h3 id="preview-heading">{t("billing.plan.previewHeading", { plan: title(preview.plan) })}</h3>
          {preview.lines.length ? (
            <ul className="preview-lines">
              {preview.lines.map((line, index) => (
                <li key={`${index}-${line.description}`}>
                  <span>{line.description}</span>
                  <span className="amount">
                    {line.amount} {preview.currency}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">{t("billing.plan.noLines")}</p>
          )}
          <p className="due" role="status">
            {t("billing.plan.dueNow", { amount: preview.amount_due, currency: preview.currency })}
          </p>
          {paid(current) && paid(preview.plan) ? <p className="muted">{t("billing.plan.prorated")}</p> : null}
          {blocked ? <p className="error">{t("billing.plan.needsCard")}</p> : null}
          <div className="controls">
            <button type="button" onClick={confirm} disabled={busy || blocked}>
              {t("billing.plan.confirm", { plan: title(preview.plan) })}
            </button>
            <button type="button" className="link" onClick={() => setPreview(null)}>
              {t("billing.plan.cancel")}
            </button>
          </div>
        </section>
      ) : null}
      <FormAlert messages={alert} />
    </form>
  );
}
