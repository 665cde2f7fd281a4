"""Signup: the owner's account, the store (a pending tenant) and its provisioning, in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from control_plane.accounts.actions import create_user
from control_plane.accounts.models import User
from control_plane.tenants.actions import lifecycle
from control_plane.tenants.models import Plan, Tenant


def sign_up(
    *,
    email: str,
    password: str,
    full_name: str,
    store_name: str,
    slug: str,
    plan: str,
    request: HttpRequest | None = None,
) -> tuple[User, Tenant]:
    """User + pending Tenant + owner Membership, then provisioning asked for once all of it commits.

    The store starts on the free plan whatever `plan` was chosen: a paid plan begins when its
    subscription does (billing's subscription endpoint, once a payment method is attached), so no
    store gets a paid plan's limits unpaid. The signup answer names the plan still to subscribe to.
    """
    with transaction.atomic():
        user = create_user(email=email, password=password, full_name=full_name, request=request)
        tenant = lifecycle.create_tenant(name=store_name, slug=slug, owner=user, plan=Plan.FREE, request=request)
        tenant = lifecycle.request_provisioning(tenant, actor=user, request=request, source="portal", reason="signup")
    return user, tenant
