import functools
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from tenant_app.access.models import Role
from tenant_app.accounts.identity import identity
from tenant_app.accounts.models import User
from tenant_app.audit.models import AuditEvent
from tenant_app.tenancy.context import tenant_transaction
from tenant_app.tenancy.routes import routes
from tenantry_kernel.provisioning import routing
from tenantry_kernel.provisioning.database.migrations import ManagePyMigrationRunner, migrate_tenant_schema
from tenantry_kernel.provisioning.database.schemas import drop_tenant_database, ensure_tenant_database
from tenantry_kernel.provisioning.database.template_clone import TemplateCloneRunner
from tenantry_kernel.provisioning.naming import role_name, schema_name
from tenantry_kernel.provisioning.plans import plan_for
from tenantry_kernel.provisioning.routing import Route
from tenantry_kernel.testing.events import EventPublishers, event_publishers
from tenantry_kernel.testing.flush import cheaper_transactional_reset
from tenantry_kernel.testing.identity_contract import IdentityProject, SecurityRecord
from tenantry_kernel.testing.mail import MailSink, mail_through_celery
from tenantry_kernel.testing.web_contract import WebProject


@pytest.fixture(scope="session", autouse=True)
def _cheaper_transactional_reset() -> Iterator[None]:
    """Transactional tests end by emptying only the tables they wrote (tenantry_kernel.testing.flush)."""
    with cheaper_transactional_reset():
        yield


@pytest.fixture(scope="session")
def web_project() -> WebProject:
    return WebProject(package="tenant_app", service="tenant-app", directory=str(Path(__file__).resolve().parents[1]))


MANAGE_PY = Path(__file__).resolve().parents[1] / "manage.py"


@dataclass(frozen=True)
class ShardTenant:
    slug: str
    host: str

    @property
    def route(self) -> Route:
        return Route(self.host, self.slug, schema_name(self.slug), role_name(self.slug), False)


def served_database_env() -> dict[str, str]:
    """Environment that points a served tenant-app process at this test run's database."""
    params = connection.settings_dict
    return {
        "DATABASE_URL": "",
        "PGHOST": str(params["HOST"] or "127.0.0.1"),
        "PGPORT": str(params["PORT"] or 5432),
        "PGUSER": str(params["USER"] or "postgres"),
        "PGDATABASE": str(params["NAME"]),
    }


@functools.cache
def template_runner(admin_dsn: str) -> TemplateCloneRunner:
    """Migrates a template schema once per test database, then clones it (as the operator provisions, ~0.1 s)."""
    # Roles are cluster-wide: one template role per test database, so parallel runs never share it.
    return TemplateCloneRunner(
        admin_dsn,
        ManagePyMigrationRunner(MANAGE_PY, "tenant_app.settings.test"),
        template_role=f"tenantry_template_{connection.settings_dict['NAME']}"[:63],
    )


@pytest.fixture
def shard(transactional_db: None) -> Iterator[tuple[str, list[ShardTenant]]]:
    """Two tenants provisioned and routed on the test database, as the operator would."""
    params = connection.settings_dict
    admin_dsn = (
        f"host={params['HOST'] or '127.0.0.1'} port={params['PORT'] or 5432} "
        f"user={params['USER'] or 'postgres'} dbname={params['NAME']}"
    )
    runner = template_runner(admin_dsn)
    runner.ensure_template()  # once, before two provisionings would both wait on it

    def provision(prefix: str) -> ShardTenant:
        slug = f"{prefix}-{secrets.token_hex(3)}"
        tenant_db = ensure_tenant_database(admin_dsn, slug, plan_for("free"), secrets.token_urlsafe(16))
        migrate_tenant_schema(tenant_db, runner)
        routing.ensure_routes(admin_dsn, slug, [f"{slug}.localhost"], suspended=False)
        return ShardTenant(slug, f"{slug}.localhost")

    # Side by side, as the operator provisions tenants (each clone is mostly waiting on the server).
    with ThreadPoolExecutor(2) as pool:
        made = [pool.submit(provision, prefix) for prefix in ("alpha", "bravo")]
        wait(made)
    tenants = [future.result() for future in made if future.exception() is None]
    if len(tenants) < len(made):
        for tenant in tenants:
            routing.delete_routes(admin_dsn, tenant.slug)
            drop_tenant_database(admin_dsn, tenant.slug)
        raise next(error for future in made if (error := future.exception()) is not None)
    routes.forget()
    yield admin_dsn, tenants
    routes.forget()
    for tenant in tenants:
        routing.delete_routes(admin_dsn, tenant.slug)
        drop_tenant_database(admin_dsn, tenant.slug)


@pytest.fixture
def identity_project(shard: tuple[str, list[ShardTenant]]) -> IdentityProject:
    """A store as the identity contract (tenantry_kernel.testing.identity_contract) sees it."""
    store = shard[1][0]

    def make(email: str, *, password: str, verified: bool = True, **fields: Any) -> User:
        with tenant_transaction(store.route):
            verified_at = timezone.now() if verified else None
            return User.objects.create_user(email, password, email_verified_at=verified_at, **fields)

    def require_two_factor(email: str) -> None:
        with tenant_transaction(store.route):
            defaults = {"name": "Guard", "permissions": [], "requires_two_factor": True}
            guard, _ = Role.objects.update_or_create(slug="guard", defaults=defaults)
            User.objects.filter(email=email).update(role=guard)

    def audit_log() -> list[SecurityRecord]:
        with tenant_transaction(store.route):
            events = AuditEvent.objects.select_related("actor").order_by("id")
            return [
                SecurityRecord(event.type, event.actor.email if event.actor else None, event.subject, event.details)
                for event in events
            ]

    return IdentityProject(
        identity=identity,
        host=store.host,
        make_user=make,
        require_second_factor=require_two_factor,
        totp_issuer=store.host,
        link_origin=f"http://{store.host}",
        audit_log=audit_log,
        inside=lambda: tenant_transaction(store.route),
    )


@pytest.fixture(scope="module")
def mail_service() -> Iterator[MailSink]:
    """Outgoing mail through a real Celery worker to an SMTP sink (tenantry_kernel.testing.mail)."""
    from tenant_app import celery_app

    with mail_through_celery(celery_app) as sink:
        yield sink


@pytest.fixture
def mail(mail_service: MailSink) -> MailSink:
    mail_service.messages.clear()
    return mail_service


@pytest.fixture(scope="session")
def publishers() -> Iterator[EventPublishers]:
    """This run's platform and relay broker users, as production's publish events (removed afterwards)."""
    with event_publishers() as made:
        yield made
