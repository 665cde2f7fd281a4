"""Reads of payments: a store's connections and the payments of orders one may see."""

from __future__ import annotations

from django.conf import settings

from tenant_app.payments import vault
from tenant_app.payments.gateways.base import Credentials
from tenant_app.payments.models import GatewayAccount


def api_base(gateway: str) -> str:
    """Where the gateway's API is: `PAYMENTS_API_BASES` names stand-ins (tests, local); empty: the gateway's own."""
    bases: dict[str, str] = settings.PAYMENTS_API_BASES
    return str(bases.get(gateway, ""))


def credentials_of(account: GatewayAccount) -> Credentials:
    return Credentials(
        public_id=account.public_id,
        secret=vault.unseal(account.secret),
        webhook_secret=vault.unseal(account.webhook_secret),
        api_base=api_base(account.gateway),
    )
