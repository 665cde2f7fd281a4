"use client";

/**
 * The staff console's tenants: filtered by state, a cursor page at a time, with their conditions; suspend, resume
 * and retry provisioning behind a confirmation dialog, their progress shown while the API works (TanStack Query).
 */

import { type ControlPlaneComponents, ProblemError } from "@tenantry/api-client";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";

import { portalApi } from "@/lib/browser-api";
import type { MessageKey } from "@/lib/i18n";
import { useT } from "@tenantry/i18n/client";
import { useNotices } from "@tenantry/ui/notices";

type Tenant = ControlPlaneComponents["schemas"]["OpsTenant"];
type State = ControlPlaneComponents["schemas"]["StateEnum"];
export type Action = "suspend" | "resume" | "retry";

export const STATES: readonly State[] = ["pending", "provisioning", "ready", "suspended", "failed", "deleting", "deleted"];

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

/** The moves a tenant in this state allows (the control plane refuses the others with invalid_transition). */
export function actionsFor(state: State): Action[] {
  if (state === "ready") return ["suspend"];
  if (state === "suspended") return ["resume"];
  if (state === "failed") return ["retry"];
  return [];
}

function cursorOf(link: string | null | undefined): string | null {
  return link ? new URL(link, "http://x").searchParams.get("cursor") : null;
}

function conditionsOf(value: unknown): Condition[] {
  return Array.isArray(value) ? (value.filter((item) => item && typeof item === "object") as Condition[]) : [];
}

export function problemText(error: unknown, fallback: string): string {
  return error instanceof ProblemError && error.code !== "unexpected_response" ? error.detail : fallback;
}

async function act(slug: string, action: Action, reason: string): Promise<Tenant> {
  const options = { params: { path: { slug } }, body: { reason } };
  const answer =
    action === "suspend"
      ? await portalApi.POST("/api/v1/ops/tenants/{slug}/suspend/", options)
      : action === "resume"
        ? await portalApi.POST("/api/v1/ops/tenants/{slug}/resume/", options)
        : await portalApi.POST("/api/v1/ops/tenants/{slug}/retry-provisioning/", options);
  return answer.data as Tenant;
}

export function StaffTenants() {
  const t = useT();
  const [state, setState] = useState<State | "">("");
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const [asked, setAsked] = useState<{ slug: string; action: Action } | null>(null);
  const [reason, setReason] = useState("");
  const dialog = useRef<HTMLDialogElement>(null);
  const queries = useQueryClient();
  const push = useNotices((notices) => notices.push);

  const list = useQuery({
    queryKey: ["ops", "tenants", state, cursor],
    queryFn: async () => {
      const query: { state?: State; cursor?: string } = {};
      if (state) query.state = state;
      if (cursor) query.cursor = cursor;
      return (await portalApi.GET("/api/v1/ops/tenants/", { params: { query } })).data;
    },
    placeholderData: keepPreviousData,
  });

  const move = useMutation({
    mutationFn: ({ slug, action }: { slug: string; action: Action }) => act(slug, action, reason.trim()),
    onSuccess: (_tenant, { slug, action }) => {
      push("success", t(`staff.done.${action}` as MessageKey, { slug }));
      setAsked(null);
      void queries.invalidateQueries({ queryKey: ["ops"] });
    },
  });

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (asked && !element.open) element.showModal();
    if (!asked && element.open) element.close();
  }, [asked]);

  function ask(slug: string, action: Action) {
    move.reset();
    setReason("");
    setAsked({ slug, action });
  }

  const tenants = list.data?.results ?? [];
  const next = cursorOf(list.data?.next);
  const label = (action: Action) => t(`staff.${action}` as MessageKey);

  return (
    <section className="staff-section" aria-labelledby="staff-tenants">
      <h2 id="staff-tenants">{t("staff.tenants")}</h2>
      <div className="field staff-filter">
        <label htmlFor="staff-state">{t("staff.filter")}</label>
        <select
          id="staff-state"
          value={state}
          onChange={(event) => {
            setState(event.target.value as State | "");
            setCursors([null]);
          }}
        >
          <option value="">{t("staff.filterAll")}</option>
          {STATES.map((value) => (
            <option key={value} value={value}>
              {t(`staff.state.${value}` as MessageKey)}
            </option>
          ))}
        </select>
      </div>
      {list.isError ? (
        <p className="alert" role="alert">
          {problemText(list.error, t("staff.apiDown"))}
        </p>
      ) : list.isPending ? (
        <div className="staff-skeleton" role="status" aria-live="polite">
          <span className="sr-only">{t("staff.loading")}</span>
          <span aria-hidden="true" />
          <span aria-hidden="true" />
          <span aria-hidden="true" />
        </div>
      ) : tenants.length === 0 ? (
        <p className="muted">{t("staff.empty")}</p>
      ) : (
        <div className="table-wrap" role="region" aria-label={t("staff.tenants")} tabIndex={0} aria-busy={list.isFetching}>
          <table className="cards staff-tenants">
            <thead>
              <tr>
                <th scope="col">{t("staff.name")}</th>
                <th scope="col">{t("staff.state")}</th>
                <th scope="col">{t("staff.plan")}</th>
                <th scope="col">{t("staff.conditions")}</th>
                <th scope="col">{t("staff.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {tenants.map((tenant) => {
                const conditions = conditionsOf(tenant.conditions);
                return (
                  <tr key={tenant.id}>
                    <td data-label={t("staff.name")}>
                      {tenant.name} <span className="muted">({tenant.slug})</span>
                    </td>
                    <td data-label={t("staff.state")}>
                      <span className={`staff-state staff-state-${tenant.state}`}>
                        {t(`staff.state.${tenant.state}` as MessageKey)}
                      </span>
                      {tenant.state_reason ? <span className="muted"> — {tenant.state_reason}</span> : null}
                    </td>
                    <td data-label={t("staff.plan")}>{tenant.plan}</td>
                    <td data-label={t("staff.conditions")}>
                      {conditions.length === 0 ? (
                        <span className="muted">{t("staff.noConditions")}</span>
                      ) : (
                        <ul className="staff-conditions">
                          {conditions.map((condition, index) => (
                            <li key={`${condition.type ?? ""}-${index}`}>
                              {condition.type}={condition.status}
                              {condition.reason ? <span className="muted"> ({condition.reason})</span> : null}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td data-label={t("staff.actions")}>
                      {actionsFor(tenant.state).map((action) => (
                        <button
                          key={action}
                          type="button"
                          className="staff-action"
                          aria-label={`${label(action)} ${tenant.slug}`}
                          onClick={() => ask(tenant.slug, action)}
                        >
                          {label(action)}
                        </button>
                      ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label={t("staff.pages")}>
        {cursors.length > 1 ? (
          <button type="button" className="link" onClick={() => setCursors(cursors.slice(0, -1))}>
            {t("staff.previous")}
          </button>
        ) : null}
        {next ? (
          <button type="button" className="link" onClick={() => setCursors([...cursors, next])}>
            {t("staff.next")}
          </button>
        ) : null}
      </nav>

      <dialog ref={dialog} className="staff-dialog" aria-labelledby="staff-confirm" onClose={() => setAsked(null)}>
        {asked ? (
          <form
            method="dialog"
            className="stack"
            onSubmit={(event) => {
              event.preventDefault();
              move.mutate(asked);
            }}
          >
            <p id="staff-confirm">{t(`staff.confirm.${asked.action}` as MessageKey, { slug: asked.slug })}</p>
            <div className="field">
              <label htmlFor="staff-reason">{t("staff.reason")}</label>
              <input id="staff-reason" value={reason} maxLength={500} onChange={(event) => setReason(event.target.value)} />
            </div>
            {move.isError ? (
              <p className="alert" role="alert">
                {t("staff.failed", { slug: asked.slug, detail: problemText(move.error, t("staff.apiDown")) })}
              </p>
            ) : null}
            <div className="staff-dialog-buttons">
              <button type="submit" disabled={move.isPending} aria-busy={move.isPending}>
                {move.isPending ? t("staff.working") : t("staff.confirmButton")}
              </button>
              <button type="button" className="link" onClick={() => setAsked(null)} disabled={move.isPending}>
                {t("staff.cancel")}
              </button>
            </div>
          </form>
        ) : null}
      </dialog>
    </section>
  );
}
