"""Reads of portal accounts: a user's open sessions and two-factor status."""

from __future__ import annotations

from django.db.models import QuerySet

from control_plane.accounts.identity import identity
from control_plane.accounts.models import RefreshFamily, User
from tenantry_kernel.identity import twofactor


def open_sessions(user: User) -> QuerySet[RefreshFamily]:
    return RefreshFamily.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def two_factor_status(user: User) -> twofactor.TwoFactorStatus:
    return twofactor.status_of(identity, user)
