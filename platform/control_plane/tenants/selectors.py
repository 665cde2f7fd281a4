"""Reads of tenants and their members, shaped for the portal and ops lists (a fixed number of queries)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet

from control_plane.tenants.models import Invitation, Membership, Tenant, TenantState


def tenants_of(user: Any) -> QuerySet[Membership]:
    """The user's memberships with their tenants (one query), deleted tenants left out, by the tenant's slug.

    The slug is annotated as `tenant_slug`: a cursor page (the tenants API) reads its position from the row.
    """
    return (
        Membership.objects.filter(user=user)
        .exclude(tenant__state=TenantState.DELETED)
        .select_related("tenant")
        .annotate(tenant_slug=F("tenant__slug"))
        .order_by("tenant_slug")
    )


def membership_of(user: Any, slug: str) -> Membership | None:
    return (
        Membership.objects.filter(user=user, tenant__slug=slug)
        .exclude(tenant__state=TenantState.DELETED)
        .select_related("tenant")
        .first()
    )


def members_of(tenant: Tenant) -> QuerySet[Membership]:
    return Membership.objects.filter(tenant=tenant).select_related("user").order_by("id")


def open_invitations_of(tenant: Tenant) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(tenant=tenant, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-id")
    )


def tenants_for_ops(state: str | None = None) -> QuerySet[Tenant]:
    tenants = Tenant.objects.all().order_by("slug")
    if state:
        tenants = tenants.filter(state=state)
    return tenants
