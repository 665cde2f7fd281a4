"use client";

/**
 * One store as its member sees it: state (followed live while it changes), plan, address, what a suspension
 * means, "Open store" and, for owners, deleting it. The server renders the first state; TanStack Query
 * polls the store while it is being set up or deleted.
 */

import { type ControlPlaneComponents, ProblemError } from "@tenantry/api-client";
import { useQuery, useQueryClient } from "@tanstack/react-query";

import { DeleteStore } from "@/components/stores/DeleteStore";
import { formatDate } from "@/components/stores/format";
import { OpenStore } from "@/components/stores/OpenStore";
import { portalApi } from "@/lib/browser-api";
import type { Locale, MessageKey, Translate } from "@/lib/i18n";
import { useT } from "@tenantry/i18n/client";
import { useNotices } from "@tenantry/ui/notices";

export type MyTenant = ControlPlaneComponents["schemas"]["MyTenant"];

const MOVING = new Set(["pending", "provisioning", "deleting"]);

/** The store, or "gone" once the API answers 404 (deleted, or no longer a member). */
type Seen = MyTenant | "gone";

export function StoreView({ locale, initial, email }: { locale: Locale; initial: MyTenant; email: string }) {
  const t = useT();
  const push = useNotices((state) => state.push);
  const client = useQueryClient();
  const key = ["tenant", initial.slug];
  const { data } = useQuery<Seen>({
    queryKey: key,
    initialData: initial,
    queryFn: async () => {
      try {
        const { data: store } = await portalApi.GET("/api/v1/tenants/{slug}/", {
          params: { path: { slug: initial.slug } },
        });
        return store ?? "gone";
      } catch (error) {
        if (error instanceof ProblemError && error.status === 404) return "gone";
        throw error;
      }
    },
    refetchInterval: (query) => {
      const seen = query.state.data;
      return seen && seen !== "gone" && MOVING.has(seen.state) ? 2000 : false;
    },
  });
  const store: MyTenant | null = data === "gone" ? null : data;

  if (!store) {
    return (
      <>
        <h1>{initial.name}</h1>
        <p className="success" role="status">
          {t("stores.deletedText")}
        </p>
        <p>
          <a href="/stores">{t("stores.back")}</a>
        </p>
      </>
    );
  }

  const state = store.state;
  return (
    <>
      <p className="crumbs">
        <a href="/stores">{t("stores.back")}</a>
      </p>
      <div className="store-head">
        <h1>
          {store.name} <span className="muted">({store.slug})</span>
        </h1>
        <span className={`badge badge-${state}`} data-testid="store-state">
          {t(`stores.state.${state}` as MessageKey)}
        </span>
      </div>
      <StateNotice state={state} t={t} />
      <section aria-labelledby="details-title">
        <h2 id="details-title">{t("stores.details")}</h2>
        <dl className="facts">
          <dt>{t("stores.state")}</dt>
          <dd>{t(`stores.state.${state}` as MessageKey)}</dd>
          <dt>{t("stores.since")}</dt>
          <dd>{formatDate(store.state_changed_at, locale)}</dd>
          {store.state_reason ? (
            <>
              <dt>{t("stores.reason")}</dt>
              <dd>{store.state_reason}</dd>
            </>
          ) : null}
          <dt>{t("stores.plan")}</dt>
          <dd>{store.plan}</dd>
          <dt>{t("stores.role")}</dt>
          <dd>{t(`stores.role.${store.role}` as MessageKey)}</dd>
          <dt>{t("stores.region")}</dt>
          <dd>{store.region}</dd>
          <dt>{t("stores.url")}</dt>
          <dd>{store.url ? store.url : <span className="muted">{t("stores.noUrl")}</span>}</dd>
        </dl>
      </section>
      <nav className="store-links" aria-label={t("stores.details")}>
        <a href={`/stores/${store.slug}/members`}>{t("stores.manageMembers")}</a>
        <a href={`/stores/${store.slug}/billing`}>{t("stores.billing")}</a>
      </nav>
      {state !== "deleting" && state !== "deleted" ? (
        <section className="open-store" aria-labelledby="open-title">
          <h2 id="open-title" className="visually-hidden">
            {t("stores.open")}
          </h2>
          {state === "ready" ? (
            <OpenStore slug={store.slug} email={email} />
          ) : (
            <p className="muted">{t("stores.openNotReady")}</p>
          )}
        </section>
      ) : null}
      {store.role === "owner" && state !== "deleting" && state !== "deleted" ? (
        <DeleteStore
          slug={store.slug}
          onDeleted={() => {
            push("info", t("stores.delete.started", { slug: store.slug }));
            const deleting: MyTenant = { ...store, state: "deleting" as MyTenant["state"] };
            client.setQueryData<Seen>(key, deleting);
            void client.invalidateQueries({ queryKey: key });
          }}
        />
      ) : null}
    </>
  );
}

function StateNotice({ state, t }: { state: MyTenant["state"]; t: Translate }) {
  if (state === "suspended") {
    return (
      <div className="notice-box warning" role="status">
        <h2>{t("stores.suspendedTitle")}</h2>
        <p>{t("stores.suspendedText")}</p>
        <p>{t("stores.suspendedWhat")}</p>
      </div>
    );
  }
  if (state === "deleting") {
    return (
      <div className="notice-box warning" role="status" aria-live="polite">
        <h2>{t("stores.deletingTitle")}</h2>
        <p>{t("stores.deletingText")}</p>
        <progress aria-label={t("stores.deletingTitle")} />
      </div>
    );
  }
  if (state === "failed") {
    return (
      <p className="notice-box warning" role="status">
        {t("stores.failedText")}
      </p>
    );
  }
  if (state === "pending" || state === "provisioning") {
    return (
      <p className="notice-box" role="status" aria-live="polite">
        {t("stores.provisioningText")}
      </p>
    );
  }
  return null;
}
