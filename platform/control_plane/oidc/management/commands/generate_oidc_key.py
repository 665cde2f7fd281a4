"""Make a new RSA signing key for the OpenID Connect provider.

Deployment: `manage.py generate_oidc_key > new.pem`, then make it OIDC_RSA_PRIVATE_KEY and move the old
active key to OIDC_RSA_PRIVATE_KEYS_INACTIVE (still published, so tokens it signed keep verifying).
Local: `manage.py generate_oidc_key --rotate-local` does that with the keys under `.local/oidc/`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from control_plane.oidc import keys


class Command(BaseCommand):
    help = "Print a new RSA private key (PEM) for OIDC_RSA_PRIVATE_KEY, or rotate the local key with --rotate-local."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rotate-local",
            action="store_true",
            help="Retire .local/oidc/active.pem (still published in the JWKS) and make a new active key.",
        )

    def handle(self, *args: Any, rotate_local: bool = False, **options: Any) -> None:
        if not rotate_local:
            self.stdout.write(keys.generate_private_key(), ending="")
            return
        local_dir = settings.OIDC_LOCAL_KEY_DIR
        active = keys.local_active_path(local_dir)
        if not active.exists():
            raise CommandError(f"{active} does not exist; there is no local key to rotate.")
        retired = keys.local_retired_dir(local_dir) / f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}.pem"
        retired.parent.mkdir(parents=True, exist_ok=True)
        active.rename(retired)
        keys.write_new_key(active)
        self.stdout.write(
            f"New active key in {active}; the previous one is retired to {retired} and stays in the JWKS. "
            "Restart the control plane to use it."
        )
