"""Tokens that carry the tenant (and the refresh family they descend from)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from rest_framework_simplejwt.tokens import RefreshToken

from tenantry_kernel.identity import tokens
from tenantry_kernel.identity.tokens import FAMILY_CLAIM

__all__ = ["FAMILY_CLAIM", "TENANT_CLAIM", "refresh_token_for", "tenant_of"]

TENANT_CLAIM = "tenant"


def tenant_of(request: HttpRequest) -> str:
    """The tenant a request is for, as written into tokens ("" on a service host)."""
    return getattr(request, "tenant", None) or ""


def refresh_token_for(user: Any, tenant: str, family_id: str) -> RefreshToken:
    return tokens.refresh_token_for(user, claim=TENANT_CLAIM, value=tenant, family_id=family_id)
