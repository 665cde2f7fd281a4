"use client";

/**
 * Sessions and devices, newest first, a cursor page at a time ("Show more"): the device (from its user agent), the IP
 * address, when it was last used, "This device" marked. Signing another one out is a DELETE that refreshes the
 * list (its query invalidated; a plain call rather than useMutation, whose observer would cost the page's first
 * load about 1 kB for one button); the current one signs out here (the BFF ends the session and drops the cookie).
 */

import type { ControlPlaneClient, ControlPlaneComponents } from "@tenantry/api-client";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { portalApi } from "@/lib/browser-api";
import type { Locale } from "@/lib/i18n";
import { useT } from "@tenantry/i18n/client";
import { useNotices } from "@tenantry/ui/notices";
import { cursorOf, describeAgent, formatWhen, problemOf } from "@/lib/sessions";

export const SESSIONS_KEY = ["auth", "sessions"] as const;

type Session = ControlPlaneComponents["schemas"]["Session"];

export interface SessionListProps {
  locale: Locale;
  api?: ControlPlaneClient;
  /** Where the current session signs out ("" is the portal's own origin). */
  bffUrl?: string;
}

export function SessionList({ locale, api = portalApi, bffUrl = "" }: SessionListProps) {
  const t = useT();
  const client = useQueryClient();
  const notices = useNotices();
  const [failure, setFailure] = useState<string | null>(null);

  // The first `shown` cursor pages, asked for in turn ("Show more" asks for one more; the pages shown stay while
  // it loads). Like an infinite query, which would ask for every page again too when the list is invalidated;
  // useInfiniteQuery's own observer would cost the page's first load about 0.5 kB.
  const [shown, setShown] = useState(1);
  const sessions = useQuery({
    queryKey: [...SESSIONS_KEY, shown],
    queryFn: async () => {
      const rows: Session[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < shown; page++) {
        const data = (await api.GET("/api/v1/auth/sessions/", { params: { query: cursor ? { cursor } : {} } })).data!;
        rows.push(...data.results);
        cursor = cursorOf(data.next);
        if (!cursor) break;
      }
      return { rows, more: cursor !== undefined };
    },
    placeholderData: keepPreviousData,
  });
  const loadingMore = sessions.isPlaceholderData && sessions.isFetching;

  const [revoking, setRevoking] = useState<string | null>(null);
  async function revoke(session: Session) {
    setFailure(null);
    setRevoking(session.id);
    try {
      await api.DELETE("/api/v1/auth/sessions/{session_id}/", { params: { path: { session_id: session.id } } });
      notices.push("success", t("security.sessions.revoked"));
    } catch (error) {
      setFailure(problemOf(error)?.detail ?? t("error.network"));
    } finally {
      setRevoking(null);
      void client.invalidateQueries({ queryKey: SESSIONS_KEY });
    }
  }

  let body;
  if (sessions.isPending) {
    body = (
      <div className="skeleton-lines" aria-busy="true">
        <span className="skeleton" />
        <span className="skeleton" />
        <span className="skeleton" />
        <span className="visually-hidden">{t("security.loading")}</span>
      </div>
    );
  } else if (sessions.isError) {
    body = (
      <div className="alert" role="alert">
        <p className="error">
          {t("security.loadFailed", { detail: problemOf(sessions.error)?.detail ?? t("error.network") })}
        </p>
        <button type="button" className="link" onClick={() => void sessions.refetch()}>
          {t("security.retry")}
        </button>
      </div>
    );
  } else {
    const rows = sessions.data.rows;
    body = rows.length ? (
      <>
        <div className="table-wrap" role="region" aria-label={t("security.sessions.title")} tabIndex={0}>
          <table className="cards sessions">
            <thead>
              <tr>
                <th scope="col">{t("security.sessions.device")}</th>
                <th scope="col">{t("security.sessions.ip")}</th>
                <th scope="col">{t("security.sessions.lastUsed")}</th>
                <th scope="col">
                  <span className="visually-hidden">{t("security.sessions.revoke")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((session) => {
                const device = describeAgent(session.user_agent, t);
                const when = formatWhen(session.last_used_at, locale);
                return (
                  <tr key={session.id} data-current={session.current ? "true" : undefined}>
                    <td data-label={t("security.sessions.device")}>
                      <span title={session.user_agent}>{device}</span>
                      {session.current ? <span className="badge">{t("security.sessions.current")}</span> : null}
                      <br />
                      <span className="muted small">
                        {t("security.sessions.started")}: {formatWhen(session.created_at, locale)}
                      </span>
                    </td>
                    <td data-label={t("security.sessions.ip")}>
                      {session.ip_address ?? <span className="muted">{t("security.sessions.unknownIp")}</span>}
                    </td>
                    <td data-label={t("security.sessions.lastUsed")}>{when}</td>
                    <td>
                      {session.current ? (
                        <form method="post" action={`${bffUrl}/bff/sign-out`}>
                          <button type="submit" className="secondary">
                            {t("security.sessions.signOutHere")}
                          </button>
                        </form>
                      ) : (
                        <button
                          type="button"
                          className="secondary"
                          aria-label={t("security.sessions.revokeLabel", { device, when })}
                          disabled={revoking === session.id}
                          onClick={() => void revoke(session)}
                        >
                          {t("security.sessions.revoke")}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {sessions.data.more ? (
          <button
            type="button"
            className="link"
            onClick={() => setShown(shown + 1)}
            disabled={loadingMore}
          >
            {loadingMore ? t("security.loading") : t("security.sessions.more")}
          </button>
        ) : null}
      </>
    ) : (
      <p>{t("security.sessions.empty")}</p>
    );
  }

  return (
    <section className="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">{t("security.sessions.title")}</h2>
      <p className="muted">{t("security.sessions.help")}</p>
      {failure ? (
        <p className="alert" role="alert">
          {failure}
        </p>
      ) : null}
      {body}
    </section>
  );
}
