import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from tenant_app.tenancy.routes import routes
from tenantry_kernel.provisioning import database, routing
from tenantry_kernel.provisioning.naming import role_name, schema_name
from tenantry_kernel.provisioning.plans import plan_for
from tenantry_kernel.provisioning.routing import Route
from tenantry_kernel.testing.web_contract import WebProject


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


@pytest.fixture
def shard(transactional_db: None) -> Iterator[tuple[str, list[ShardTenant]]]:
    """Two tenants provisioned and routed on the test database, as the operator would."""
    params = connection.settings_dict
    admin_dsn = (
        f"host={params['HOST'] or '127.0.0.1'} port={params['PORT'] or 5432} "
        f"user={params['USER'] or 'postgres'} dbname={params['NAME']}"
    )
    runner = database.ManagePyMigrationRunner(MANAGE_PY, "tenant_app.settings.test")
    tenants = []
    for prefix in ("alpha", "bravo"):
        slug = f"{prefix}-{secrets.token_hex(3)}"
        tenant_db = database.ensure_tenant_database(admin_dsn, slug, plan_for("free"), secrets.token_urlsafe(16))
        database.migrate_tenant_schema(tenant_db, runner)
        routing.ensure_routes(admin_dsn, slug, [f"{slug}.localhost"], suspended=False)
        tenants.append(ShardTenant(slug, f"{slug}.localhost"))
    routes.forget()
    yield admin_dsn, tenants
    routes.forget()
    for tenant in tenants:
        routing.delete_routes(admin_dsn, tenant.slug)
        database.drop_tenant_database(admin_dsn, tenant.slug)
