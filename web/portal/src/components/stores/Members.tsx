"use client";

/**
 * A store's members (a page at a time, by the API's cursors) and, for its owners and admins, changing roles,
 * removing members, inviting people and revoking open invitations. A store keeps at least one owner: the
 * controls that would leave it without one are disabled and say why; if the API still refuses (someone else
 * changed the members meanwhile), its problem's detail is shown. The invitation form loads on "Invite someone…".
 * The lists are TanStack Query's; a change is a plain call that then invalidates them (useMutation's observer
 * would cost the page's first load about 1 kB).
 */

import { type ControlPlaneComponents, ProblemError } from "@tenantry/api-client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useState } from "react";

import { formatDate, ROLES, type Role } from "@/components/stores/format";
import { portalApi } from "@/lib/browser-api";
import type { Locale } from "@/lib/i18n";
import { useT } from "@tenantry/i18n/client";
import { useNotices } from "@tenantry/ui/notices";

type Member = ControlPlaneComponents["schemas"]["Member"];

// Loaded when "Invite someone…" is clicked (with React Hook Form): most visits only look at the members.
const InviteForm = lazy(() => import("@/components/stores/InviteForm"));

function cursorOf(link: string | null | undefined): string | null {
  if (!link) return null;
  return new URL(link, "http://x").searchParams.get("cursor");
}

function problemText(error: unknown, fallback: string): string {
  return error instanceof ProblemError && error.code !== "unexpected_response" ? error.detail || error.title : fallback;
}

export interface MembersProps {
  locale: Locale;
  slug: string;
  myEmail: string;
  myRole: Role;
}

export function Members({ locale, slug, myEmail, myRole }: MembersProps) {
  const t = useT();
  const push = useNotices((state) => state.push);
  const client = useQueryClient();
  const [cursor, setCursor] = useState<string | null>(null);
  const [alert, setAlert] = useState<string[]>([]);
  const [inviting, setInviting] = useState(false);
  const manager = myRole === "owner" || myRole === "admin";

  const members = useQuery({
    queryKey: ["members", slug, cursor],
    queryFn: async () =>
      (
        await portalApi.GET("/api/v1/tenants/{slug}/members/", {
          params: { path: { slug }, query: cursor ? { cursor } : {} },
        })
      ).data,
  });
  const invitations = useQuery({
    queryKey: ["invitations", slug],
    enabled: manager,
    queryFn: async () =>
      (await portalApi.GET("/api/v1/tenants/{slug}/invitations/", { params: { path: { slug } } })).data,
  });

  const refresh = () => client.invalidateQueries({ queryKey: ["members", slug] });
  const failed = (error: unknown) => {
    const detail = problemText(error, t("error.network"));
    const lastOwner = error instanceof ProblemError && error.code === "last_owner";
    setAlert(lastOwner ? [detail, t("stores.members.lastOwner")] : [detail]);
    void refresh();
  };

  const [pending, setPending] = useState<"member" | "invitation" | null>(null);
  /** One change at a time: `call`, then `done` (a notice, lists asked again); a refusal is shown by `refused`. */
  async function change(kind: "member" | "invitation", call: () => Promise<unknown>, done: (answer: unknown) => void, refused = failed) {
    setAlert([]);
    setPending(kind);
    try {
      done(await call());
    } catch (error) {
      refused(error);
    } finally {
      setPending(null);
    }
  }
  const changeRole = (member: Member, role: Role) =>
    change(
      "member",
      async () =>
        (
          await portalApi.PATCH("/api/v1/tenants/{slug}/members/{member_id}/", {
            params: { path: { slug, member_id: member.id } },
            body: { role },
          })
        ).data,
      (updated) => {
        const now = (updated as Member | undefined)?.role ?? "admin";
        push("success", t("stores.members.roleChanged", { email: member.email, role: t(`stores.role.${now}`) }));
        void refresh();
      },
    );
  const remove = (member: Member) =>
    change(
      "member",
      () => portalApi.DELETE("/api/v1/tenants/{slug}/members/{member_id}/", { params: { path: { slug, member_id: member.id } } }),
      () => {
        push("success", t("stores.members.removed", { email: member.email }));
        if (member.email === myEmail) window.location.assign("/stores");
        else void refresh();
      },
    );
  const revoke = (id: number, email: string) =>
    change(
      "invitation",
      () => portalApi.DELETE("/api/v1/tenants/{slug}/invitations/{invitation_id}/", { params: { path: { slug, invitation_id: id } } }),
      () => {
        push("success", t("stores.invitations.revoked", { email }));
        void client.invalidateQueries({ queryKey: ["invitations", slug] });
      },
      (error) => setAlert([problemText(error, t("error.network"))]),
    );

  const page = members.data;
  const rows = page?.results ?? [];
  const owners = rows.filter((member) => member.role === "owner").length;
  // Only the page in view is counted: with one owner on it and no other page, that owner is the last one.
  const single = !page?.next && !page?.previous;
  const isLastOwner = (member: Member) => member.role === "owner" && owners === 1 && single;
  const next = cursorOf(page?.next);
  const previous = cursorOf(page?.previous);
  const busy = pending === "member";

  return (
    <>
      {alert.length ? (
        <div className="alert" role="alert">
          {alert.map((message) => (
            <p key={message} className="error">
              {message}
            </p>
          ))}
        </div>
      ) : null}
      <section aria-labelledby="members-title">
        <h2 id="members-title">{t("stores.members")}</h2>
        {!manager ? <p className="muted">{t("stores.members.readOnly")}</p> : null}
        {members.isPending ? (
          <div className="skeleton" role="status" aria-label={t("stores.members.loading")}>
            <span />
            <span />
            <span />
          </div>
        ) : members.isError ? (
          <p className="alert" role="alert">
            {problemText(members.error, t("error.network"))}
          </p>
        ) : rows.length === 0 ? (
          <p>{t("stores.members.empty")}</p>
        ) : (
          <div className="table-wrap" role="region" aria-label={t("stores.members")} tabIndex={0}>
            <table className="cards">
              <thead>
                <tr>
                  <th scope="col">{t("stores.members.email")}</th>
                  <th scope="col">{t("stores.members.name")}</th>
                  <th scope="col">{t("stores.members.role")}</th>
                  <th scope="col">{t("stores.members.since")}</th>
                  {manager ? <th scope="col">{t("stores.members.actions")}</th> : null}
                </tr>
              </thead>
              <tbody>
                {rows.map((member) => {
                  const last = isLastOwner(member);
                  // Only an owner changes an owner's membership or makes someone an owner.
                  const locked = !manager || last || (member.role === "owner" && myRole !== "owner");
                  const help = last ? "last-owner-help" : undefined;
                  return (
                    <tr key={member.id} data-email={member.email}>
                      <td data-label={t("stores.members.email")}>
                        {member.email} {member.email === myEmail ? <span className="muted">{t("stores.members.you")}</span> : null}
                      </td>
                      <td data-label={t("stores.members.name")}>{member.full_name}</td>
                      <td data-label={t("stores.members.role")}>
                        {manager ? (
                          <select
                            aria-label={t("stores.members.roleLabel", { email: member.email })}
                            aria-describedby={help}
                            value={member.role}
                            disabled={locked || busy}
                            onChange={(event) => void changeRole(member, event.target.value as Role)}
                          >
                            {ROLES.filter((role) => role !== "owner" || myRole === "owner" || member.role === "owner").map(
                              (role) => (
                                <option key={role} value={role}>
                                  {t(`stores.role.${role}`)}
                                </option>
                              ),
                            )}
                          </select>
                        ) : (
                          t(`stores.role.${member.role}`)
                        )}
                      </td>
                      <td data-label={t("stores.members.since")}>{formatDate(member.created_at, locale)}</td>
                      {manager ? (
                        <td data-label={t("stores.members.actions")}>
                          <button
                            type="button"
                            className="secondary"
                            aria-label={t("stores.members.removeLabel", { email: member.email })}
                            aria-describedby={help}
                            disabled={locked || busy}
                            onClick={() => {
                              if (window.confirm(t("stores.members.removeConfirm", { email: member.email }))) void remove(member);
                            }}
                          >
                            {t("stores.members.remove")}
                          </button>
                        </td>
                      ) : null}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {rows.some(isLastOwner) && manager ? (
          <p id="last-owner-help" className="muted">
            {t("stores.members.lastOwner")}
          </p>
        ) : null}
        <nav className="pager" aria-label={t("stores.pages")}>
          {previous ? (
            <button type="button" className="link" onClick={() => setCursor(previous)}>
              {t("stores.previous")}
            </button>
          ) : null}
          {next ? (
            <button type="button" className="link" onClick={() => setCursor(next)}>
              {t("stores.next")}
            </button>
          ) : null}
        </nav>
      </section>
      {manager ? (
        <>
          <section aria-labelledby="invite-title">
            <h2 id="invite-title">{t("stores.invite.title")}</h2>
            {inviting ? (
              <Suspense
                fallback={
                  <p className="muted" role="status">
                    {t("stores.invite.loading")}
                  </p>
                }
              >
                <InviteForm
                  slug={slug}
                  canInviteOwners={myRole === "owner"}
                  autoFocus
                  labelledBy="invite-title"
                  onInvited={(email) => {
                    push("success", t("stores.invite.sent", { email }));
                    void client.invalidateQueries({ queryKey: ["invitations", slug] });
                  }}
                />
              </Suspense>
            ) : (
              <button type="button" onClick={() => setInviting(true)}>
                {t("stores.invite.open")}
              </button>
            )}
          </section>
          <section aria-labelledby="invitations-title">
            <h2 id="invitations-title">{t("stores.invitations.title")}</h2>
            {invitations.isPending ? (
              <div className="skeleton" aria-hidden="true">
                <span />
              </div>
            ) : invitations.isError ? (
              <p className="alert" role="alert">
                {problemText(invitations.error, t("error.network"))}
              </p>
            ) : (invitations.data?.results ?? []).length === 0 ? (
              <p>{t("stores.invitations.empty")}</p>
            ) : (
              <ul className="invitations">
                {(invitations.data?.results ?? []).map((invitation) => (
                  <li key={invitation.id}>
                    <span>
                      {invitation.email} · {t(`stores.role.${invitation.role}`)} ·{" "}
                      <span className="muted">
                        {t("stores.invitations.expires")} {formatDate(invitation.expires_at, locale)}
                      </span>
                    </span>
                    <button
                      type="button"
                      className="secondary"
                      aria-label={t("stores.invitations.revokeLabel", { email: invitation.email })}
                      disabled={pending === "invitation"}
                      onClick={() => void revoke(invitation.id, invitation.email)}
                    >
                      {t("stores.invitations.revoke")}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      ) : null}
    </>
  );
}
