"use client";

/**
 * Sessions and devices, newest first, a cursor page at a time: the device (from its user agent), the IP
 * address, when it was last used, "This device" marked. Signing another one out is a mutation that refreshes
 * the list; the current one signs out here (the BFF ends the session and drops the cookie).
 */

import type { ControlPlaneClient, ControlPlaneComponents } from "@tenantry/api-client";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { portalApi } from "@/lib/browser-api";
import type { Locale } from "@/lib/i18n";
import { useT } from "@tenantry/i18n/client";
import { useNotices } from "@tenantry/ui/notices";
import { cursorOf, describeAgent, formatWhen, problemOf } from "@/lib/security";

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

  const sessions = useInfiniteQuery({
    queryKey: SESSIONS_KEY,
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      (await api.GET("/api/v1/auth/sessions/", { params: { query: pageParam ? { cursor: pageParam } : {} } })).data!,
    getNextPageParam: (page) => cursorOf(page.next),
  });

  const revoke = useMutation({
    mutationFn: async (session: Session) => {
      await api.DELETE("/api/v1/auth/sessions/{session_id}/", { params: { path: { session_id: session.id } } });
    },
    onMutate: () => setFailure(null),
    onSuccess: () => notices.push("success", t("security.sessions.revoked")),
    onError: (error) => setFailure(problemOf(error)?.detail ?? t("error.network")),
    onSettled: () => client.invalidateQueries({ queryKey: SESSIONS_KEY }),
  });

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
    const rows = sessions.data.pages.flatMap((page) => page.results);
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
                          disabled={revoke.isPending && revoke.variables?.id === session.id}
                          onClick={() => revoke.mutate(session)}
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
        {sessions.hasNextPage ? (
          <button
            type="button"
            className="link"
            onClick={() => void sessions.fetchNextPage()}
            disabled={sessions.isFetchingNextPage}
          >
            {sessions.isFetchingNextPage ? t("security.loading") : t("security.sessions.more")}
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
