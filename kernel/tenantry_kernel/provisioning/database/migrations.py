"""Migrating a tenant schema: the runner protocol, and the runner that calls the tenant app's
`manage.py migrate` as the tenant role."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Protocol

from tenantry_kernel.provisioning.database.base import TenantDatabaseError
from tenantry_kernel.provisioning.database.schemas import TenantDatabase

logger = logging.getLogger(__name__)


class MigrationFailed(TenantDatabaseError):
    """The tenant app's migrations failed; the message ends with the command's stderr."""


class MigrationRunner(Protocol):
    def __call__(self, tenant: TenantDatabase) -> None: ...


def migrate_tenant_schema(tenant: TenantDatabase, runner: MigrationRunner) -> None:
    runner(tenant)
    logger.info("tenant schema migrated", extra={"tenant": tenant.slug, "schema": tenant.schema})


class ManagePyMigrationRunner:
    """Runs the tenant app's `manage.py migrate` as the tenant role (local mode, template builds).

    A subprocess, since the kernel never imports the tenant app. The role's search_path puts
    Django's tables in the tenant schema.
    """

    def __init__(
        self,
        manage_py: Path,
        settings_module: str = "tenant_app.settings.local",
        *,
        python: str = sys.executable,
        timeout: float = 600.0,
    ) -> None:
        self.manage_py = Path(manage_py)
        self.settings_module = settings_module
        self.python = python
        self.timeout = timeout

    def __call__(self, tenant: TenantDatabase) -> None:
        self.run(tenant, "migrate", "--noinput")

    def run(self, tenant: TenantDatabase, *args: str) -> subprocess.CompletedProcess[str]:
        """`manage.py <args>` connected as the tenant; raises MigrationFailed on a non-zero exit."""
        try:
            completed = self._python([str(self.manage_py), *args], DATABASE_URL=tenant.dsn())
        except subprocess.TimeoutExpired as error:
            raise MigrationFailed(
                f"`manage.py {' '.join(args)}` for tenant {tenant.slug} did not finish within {self.timeout:.0f} s; "
                "look for a lock held on its schema (pg_stat_activity) and retry"
            ) from error
        if completed.returncode != 0:
            tail = completed.stderr.strip()[-2000:].replace(tenant.password, "***")
            raise MigrationFailed(
                f"`manage.py {' '.join(args)}` for tenant {tenant.slug} exited with {completed.returncode}; "
                f"fix the migration and reconcile again. stderr ends with:\n{tail}"
            )
        return completed

    def _python(self, argv: list[str], **env: str) -> subprocess.CompletedProcess[str]:
        """Python with the tenant app's settings, in the tenant app's folder."""
        return subprocess.run(  # noqa: S603 - fixed argv, no shell
            [self.python, *argv],
            cwd=self.manage_py.parent,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": self.settings_module, **env},
            capture_output=True,
            text=True,
            timeout=self.timeout,
            check=False,
        )

    def migration_fingerprint(self) -> str:
        """Digest of the migrations on disk (names and file contents) and of the Django version.

        Computed in a subprocess with the tenant app's settings; no database connection needed.
        """
        script = (
            "import django, hashlib, inspect, json\n"
            "django.setup()\n"
            "from django.db.migrations.loader import MigrationLoader\n"
            "loader = MigrationLoader(None, ignore_no_migrations=True)\n"
            "rows = []\n"
            "for (app, name), migration in sorted(loader.disk_migrations.items()):\n"
            "    source = inspect.getsourcefile(type(migration))\n"
            "    digest = hashlib.sha256(open(source, 'rb').read()).hexdigest() if source else ''\n"
            "    rows.append([app, name, digest])\n"
            "print(json.dumps({'django': django.get_version(), 'migrations': rows}))\n"
        )
        completed = self._python(["-c", script])
        if completed.returncode != 0:
            raise MigrationFailed(
                f"listing the tenant app's migrations failed ({self.manage_py}); stderr ends with:\n"
                f"{completed.stderr.strip()[-2000:]}"
            )
        listing = json.loads(completed.stdout.strip().splitlines()[-1])
        return hashlib.sha256(json.dumps(listing, sort_keys=True).encode()).hexdigest()
