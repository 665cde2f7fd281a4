"""Re-seal every store's gateway secrets under the newest key of PAYMENTS_CREDENTIAL_KEYS: one tenant or all.

    manage.py rotate_payment_credentials --all

Run it after putting a new key first in PAYMENTS_CREDENTIAL_KEYS, then drop the old key.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tenant_app.payments.actions import rotate_sealed_secrets
from tenant_app.tenancy.commands import TenantCommand
from tenant_app.tenancy.context import as_tenant


class Command(TenantCommand):
    help = __doc__.splitlines()[0]

    def handle_tenant(self, slug: str, **options: Any) -> str:
        with as_tenant(slug), transaction.atomic():
            return f"{rotate_sealed_secrets()} gateway connections re-sealed"
