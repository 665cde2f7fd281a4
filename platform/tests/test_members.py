"""Members of a tenant: invitations, roles, removal, the last-owner guard, and the events the tenant app consumes."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from control_plane.accounts.models import User
from control_plane.tenants.actions import lifecycle
from control_plane.tenants.actions.members import invite_member
from control_plane.tenants.models import Invitation, MemberRole, Membership, Tenant, TenantState
from tenantry_kernel.events.models import OutboxEvent
from tenantry_kernel.testing.mail import MailSink, link_in
from tenantry_kernel.testing.problems import field_errors, problem

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple 42"


def new_tenant(owner: User, *, ready: bool = True) -> Tenant:
    tenant = lifecycle.create_tenant(name="Corner Bakery", slug=f"bakery-{secrets.token_hex(3)}", owner=owner)
    if ready:
        lifecycle.transition(tenant, TenantState.PROVISIONING)
        lifecycle.transition(tenant, TenantState.READY, url=f"http://{tenant.slug}.localhost:8000/")
    tenant.refresh_from_db()
    return tenant


def add_member(tenant: Tenant, user: User, role: str) -> Membership:
    return Membership.objects.create(tenant=tenant, user=user, role=role)


def member_events(tenant: Tenant) -> list[tuple[str, dict[str, Any]]]:
    rows = OutboxEvent.objects.filter(routing_key__startswith=f"{tenant.slug}.member.").order_by("id")
    return [(row.envelope["type"], row.envelope["data"]) for row in rows]


def test_owner_invites_by_email_and_the_tenant_app_hears_of_it(
    owner: User, api_for: Callable[[User], APIClient], django_capture_on_commit_callbacks: Any
) -> None:
    tenant = new_tenant(owner)
    with django_capture_on_commit_callbacks() as callbacks:
        response = api_for(owner).post(
            f"/api/v1/tenants/{tenant.slug}/invitations/", {"email": "New.Admin@Example.com", "role": "admin"}
        )
    assert response.status_code == 201, response.json()
    assert response["Location"] == f"/api/v1/tenants/{tenant.slug}/invitations/{response.json()['id']}/"
    assert response.json()["email"] == "new.admin@example.com"
    assert response.json()["invited_by"] == owner.email
    invitation = Invitation.objects.get(tenant=tenant)
    assert invitation.role == MemberRole.ADMIN
    assert invitation.is_open
    assert len(callbacks) == 1  # the mail, sent by the worker after commit
    assert member_events(tenant) == [("member.invited", {"email": "new.admin@example.com", "role": "admin"})]


def mailed_token(mail: MailSink, email: str) -> str:
    """The token of the invitation link the worker mailed to `email` (PORTAL_INVITATION_URL ends with it)."""
    (message,) = mail.wait_for(email)
    return urlsplit(link_in(message)).path.rsplit("/", 1)[1]


def test_invited_user_accepts_signed_in_and_becomes_a_member(
    transactional_db: None, mail: MailSink, owner: User, make_user: Callable[..., User],
    api_for: Callable[[User], APIClient],
) -> None:  # fmt: skip
    tenant = new_tenant(owner)
    invitee = make_user(f"staff-{secrets.token_hex(3)}@example.com")
    invite_member(tenant, email=invitee.email, role=MemberRole.BILLING, actor=owner)
    token = mailed_token(mail, invitee.email)

    wrong = api_for(owner).post("/api/v1/invitations/accept/", {"token": token})
    assert wrong.status_code == 403
    assert problem(wrong)["code"] == "permission_denied"

    accepted = api_for(invitee).post("/api/v1/invitations/accept/", {"token": token})
    assert accepted.status_code == 201, accepted.json()
    membership = Membership.objects.get(tenant=tenant, user=invitee)
    assert accepted["Location"] == f"/api/v1/tenants/{tenant.slug}/members/{membership.pk}/"
    assert accepted.json()["tenant"]["slug"] == tenant.slug
    assert accepted.json()["tenant"]["role"] == "billing"
    assert Membership.objects.get(tenant=tenant, user=invitee).role == MemberRole.BILLING

    reused = api_for(invitee).post("/api/v1/invitations/accept/", {"token": token})
    assert reused.status_code == 400
    assert list(field_errors(reused)) == ["/token"]


def test_invitee_without_an_account_creates_one_when_accepting(
    transactional_db: None, mail: MailSink, owner: User
) -> None:
    tenant = new_tenant(owner)
    email = f"fresh-{secrets.token_hex(3)}@example.com"
    invite_member(tenant, email=email, role=MemberRole.ADMIN, actor=owner)
    token = mailed_token(mail, email)

    response = APIClient().post(
        "/api/v1/invitations/accept/", {"token": token, "password": PASSWORD, "full_name": "Fresh Admin"}, format="json"
    )

    assert response.status_code == 201, response.json()
    user = User.objects.get(email=email)
    assert user.check_password(PASSWORD)
    assert user.email_verified
    assert Membership.objects.get(tenant=tenant, user=user).role == MemberRole.ADMIN
    assert response.json()["tokens"]["access"]


def test_only_owners_and_admins_manage_members_and_only_owners_grant_ownership(
    owner: User, make_user: Callable[..., User], api_for: Callable[[User], APIClient]
) -> None:
    tenant = new_tenant(owner)
    admin = make_user(f"admin-{secrets.token_hex(3)}@example.com")
    billing = make_user(f"billing-{secrets.token_hex(3)}@example.com")
    add_member(tenant, admin, MemberRole.ADMIN)
    add_member(tenant, billing, MemberRole.BILLING)
    url = f"/api/v1/tenants/{tenant.slug}/invitations/"

    by_billing = api_for(billing).post(url, {"email": "x@example.com", "role": "admin"})
    admin_grants_owner = api_for(admin).post(url, {"email": "y@example.com", "role": "owner"})
    admin_invites_admin = api_for(admin).post(url, {"email": "z@example.com", "role": "admin"})
    stranger = api_for(make_user(f"s-{secrets.token_hex(3)}@example.com")).post(
        url, {"email": "q@example.com", "role": "admin"}
    )

    assert by_billing.status_code == 403
    assert problem(by_billing) == {
        "code": "permission_denied", "detail": "Only the store's owners and admins manage its members."
    }  # fmt: skip
    assert admin_grants_owner.status_code == 403
    assert admin_invites_admin.status_code == 201
    assert stranger.status_code == 404
    assert problem(stranger)["code"] == "not_found"


def test_roles_change_and_the_tenant_app_gets_the_role_it_knows(
    owner: User, make_user: Callable[..., User], api_for: Callable[[User], APIClient]
) -> None:
    tenant = new_tenant(owner)
    member = add_member(tenant, make_user(f"m-{secrets.token_hex(3)}@example.com"), MemberRole.ADMIN)
    url = f"/api/v1/tenants/{tenant.slug}/members/{member.pk}/"
    api = api_for(owner)

    # admin → owner, owner → billing (portal only: the workspace account goes), billing → admin
    assert api.patch(url, {"role": "owner"}).json()["role"] == "owner"
    assert api.patch(url, {"role": "billing"}).json()["role"] == "billing"
    assert api.patch(url, {"role": "admin"}).json()["role"] == "admin"
    bad = api.patch(url, {"role": "manager"})

    email = member.user.email
    assert member_events(tenant) == [
        ("member.role_changed", {"email": email, "role": "owner"}),
        ("member.removed", {"email": email}),
        ("member.invited", {"email": email, "role": "admin"}),
    ]
    assert bad.status_code == 400
    assert field_errors(bad) == {"/role": ['"manager" is not a valid choice.']}


def test_the_last_owner_can_be_neither_demoted_nor_removed(
    owner: User, make_user: Callable[..., User], api_for: Callable[[User], APIClient]
) -> None:
    tenant = new_tenant(owner)
    own = Membership.objects.get(tenant=tenant, user=owner)
    url = f"/api/v1/tenants/{tenant.slug}/members/{own.pk}/"

    demoted = api_for(owner).patch(url, {"role": "admin"})
    removed = api_for(owner).delete(url)

    assert demoted.status_code == removed.status_code == 409
    assert problem(demoted)["code"] == problem(removed)["code"] == "last_owner"
    assert Membership.objects.get(pk=own.pk).role == MemberRole.OWNER

    # with a second owner the first may step down
    second = add_member(tenant, make_user(f"o2-{secrets.token_hex(3)}@example.com"), MemberRole.OWNER)
    assert api_for(owner).patch(url, {"role": "admin"}).status_code == 200
    assert api_for(second.user).delete(f"/api/v1/tenants/{tenant.slug}/members/{own.pk}/").status_code == 204
    assert member_events(tenant)[-2:] == [
        ("member.role_changed", {"email": owner.email, "role": "admin"}),
        ("member.removed", {"email": owner.email}),
    ]


def test_no_member_events_before_the_workspace_exists_then_all_at_once(
    owner: User, make_user: Callable[..., User]
) -> None:
    tenant = new_tenant(owner, ready=False)
    invite_member(tenant, email="later@example.com", role=MemberRole.ADMIN, actor=owner)
    assert member_events(tenant) == []

    lifecycle.transition(tenant, TenantState.PROVISIONING)
    lifecycle.mark_ready(tenant, url=f"http://{tenant.slug}.localhost:8000/")

    assert member_events(tenant) == [
        ("member.invited", {"email": owner.email, "role": "owner"}),
        ("member.invited", {"email": "later@example.com", "role": "admin"}),
    ]


def test_members_list_and_revoking_an_invitation(owner: User, api_for: Callable[[User], APIClient]) -> None:
    tenant = new_tenant(owner)
    invitation = invite_member(tenant, email="gone@example.com", role=MemberRole.ADMIN, actor=owner)
    api = api_for(owner)

    members = api.get(f"/api/v1/tenants/{tenant.slug}/members/").json()["results"]
    revoked = api.delete(f"/api/v1/tenants/{tenant.slug}/invitations/{invitation.pk}/")
    listed = api.get(f"/api/v1/tenants/{tenant.slug}/invitations/").json()["results"]

    assert [(m["email"], m["role"]) for m in members] == [(owner.email, "owner")]
    assert revoked.status_code == 204
    assert listed == []
    assert member_events(tenant)[-1] == ("member.removed", {"email": "gone@example.com"})
