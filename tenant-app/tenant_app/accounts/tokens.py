"""Tokens that carry the tenant (and the refresh family they descend from)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from rest_framework_simplejwt.tokens import RefreshToken

TENANT_CLAIM = "tenant"
FAMILY_CLAIM = "fam"


def tenant_of(request: HttpRequest) -> str:
    """The tenant a request is for, as written into tokens ("" on a service host)."""
    return getattr(request, "tenant", None) or ""


def refresh_token_for(user: Any, tenant: str, family_id: str) -> RefreshToken:
    token = RefreshToken.for_user(user)
    # Access tokens made from it copy these claims.
    token[TENANT_CLAIM] = tenant
    token[FAMILY_CLAIM] = family_id
    return token
