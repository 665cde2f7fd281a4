"""Tenant routing on a real shard: tenants provisioned by the kernel library, requests through the app."""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import ProgrammingError, connection
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from tenant_app.tenancy.context import tenant_transaction
from tenant_app.tenancy.routes import routes
from tenantry_kernel.context import bound_tenant
from tenantry_kernel.provisioning import routing
from tenantry_kernel.provisioning.database.schemas import (
    drop_tenant_database,
    ensure_tenant_database,
    inspect_tenant_database,
)
from tenantry_kernel.provisioning.naming import role_name, schema_name
from tenantry_kernel.provisioning.plans import plan_for
from tenantry_kernel.testing.problems import problem

from .conftest import ShardTenant


@pytest.mark.urls("tests.tenancy_urls")
def test_each_host_runs_as_its_tenants_role_on_its_schema(shard: tuple[str, list[ShardTenant]]) -> None:
    _, (alpha, bravo) = shard

    answers = [Client().get("/whoami/", HTTP_HOST=tenant.host).json() for tenant in (alpha, bravo)]

    assert answers == [
        {"tenant": alpha.slug, "user": role_name(alpha.slug), "schema": schema_name(alpha.slug)},
        {"tenant": bravo.slug, "user": role_name(bravo.slug), "schema": schema_name(bravo.slug)},
    ]


@pytest.mark.urls("tests.tenancy_urls")
def test_a_request_that_crashes_leaves_nothing_written(shard: tuple[str, list[ShardTenant]]) -> None:
    _, (alpha, _) = shard

    response = Client(raise_request_exception=False).get("/write-then-crash/", HTTP_HOST=alpha.host)

    assert response.status_code == 500
    with tenant_transaction(alpha.route):
        assert not get_user_model().objects.filter(email="half-done@example.test").exists()


def test_raw_sql_as_one_tenant_cannot_read_another_tenants_schema(shard: tuple[str, list[ShardTenant]]) -> None:
    _, (alpha, bravo) = shard

    def read_bravo_as_alpha() -> None:
        with tenant_transaction(alpha.route), connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "{schema_name(bravo.slug)}".django_migrations')

    with pytest.raises(ProgrammingError, match="permission denied"):
        read_bravo_as_alpha()

    # and the connection is itself again afterwards
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == connection.settings_dict["USER"]


def test_an_unknown_host_is_404_with_a_machine_readable_body(shard: tuple[str, list[ShardTenant]]) -> None:
    response = Client().get("/", HTTP_HOST="nobody-here.localhost")

    assert response.status_code == 404
    assert problem(response)["code"] == "tenant_not_found"


@pytest.mark.urls("tests.tenancy_urls")
def test_a_store_deleted_while_its_route_is_cached_is_404_not_a_crash(shard: tuple[str, list[ShardTenant]]) -> None:
    admin_dsn, _ = shard
    slug = f"gone-{secrets.token_hex(3)}"
    ensure_tenant_database(admin_dsn, slug, plan_for("free"), secrets.token_urlsafe(16))
    routing.ensure_routes(admin_dsn, slug, [f"{slug}.localhost"], suspended=False)
    routes.forget()
    served = Client().get("/whoami/", HTTP_HOST=f"{slug}.localhost")  # its route is now cached here

    # when the store is deleted (role and schema dropped) before the cached route expires
    drop_tenant_database(admin_dsn, slug)
    gone = Client().get("/whoami/", HTTP_HOST=f"{slug}.localhost")
    routing.delete_routes(admin_dsn, slug)
    after = Client().get("/whoami/", HTTP_HOST=f"{slug}.localhost")

    assert served.status_code == 200
    assert (gone.status_code, problem(gone)["code"]) == (404, "tenant_not_found")
    assert (after.status_code, problem(after)["code"]) == (404, "tenant_not_found")


@pytest.mark.urls("tests.tenancy_urls")
def test_a_suspended_tenant_is_503_and_resumes(shard: tuple[str, list[ShardTenant]]) -> None:
    admin_dsn, (alpha, _) = shard
    routing.ensure_routes(admin_dsn, alpha.slug, [alpha.host], suspended=True)
    routes.forget()

    suspended = Client().get("/whoami/", HTTP_HOST=alpha.host)
    routing.ensure_routes(admin_dsn, alpha.slug, [alpha.host], suspended=False)
    routes.forget()
    resumed = Client().get("/whoami/", HTTP_HOST=alpha.host)

    assert suspended.status_code == 503
    assert problem(suspended)["code"] == "tenant_suspended"
    assert suspended["Retry-After"] == "3600"
    assert resumed.status_code == 200


@pytest.mark.urls("tests.tenancy_urls")
def test_service_hosts_answer_without_a_tenant(shard: tuple[str, list[ShardTenant]]) -> None:
    answer = Client().get("/whoami/", HTTP_HOST="localhost").json()

    assert answer["tenant"] is None
    assert answer["schema"] == "public"


@pytest.mark.urls("tests.tenancy_urls")
def test_dedicated_mode_serves_its_one_tenant(settings: SettingsWrapper, db: None) -> None:
    settings.TENANCY_MODE, settings.TENANT_SLUG = "dedicated", "acme"

    answer = Client().get("/whoami/", HTTP_HOST="acme.localhost").json()

    assert answer["tenant"] == "acme"


@pytest.mark.urls("tests.tenancy_urls")
def test_in_dedicated_mode_too_a_request_that_crashes_leaves_nothing_written(
    settings: SettingsWrapper, db: None
) -> None:
    settings.TENANCY_MODE, settings.TENANT_SLUG = "dedicated", "acme"

    response = Client(raise_request_exception=False).get("/write-then-crash/", HTTP_HOST="acme.localhost")

    assert response.status_code == 500
    assert not get_user_model().objects.filter(email="half-done@example.test").exists()


def test_cache_keys_carry_the_tenant() -> None:
    key = f"greeting-{secrets.token_hex(3)}"
    with bound_tenant("alpha"):
        cache.set(key, "hello alpha", 30)

    with bound_tenant("bravo"):
        assert cache.get(key) is None
    with bound_tenant("alpha"):
        assert cache.get(key) == "hello alpha"
        cache.delete(key)


@pytest.mark.urls("tests.tenancy_urls")
def test_the_access_log_line_names_the_tenant(
    shard: tuple[str, list[ShardTenant]], caplog: pytest.LogCaptureFixture
) -> None:
    _, (alpha, _) = shard

    with caplog.at_level("INFO", logger="tenantry.access"):
        Client().get("/whoami/", HTTP_HOST=alpha.host)

    (line,) = [record for record in caplog.records if record.name == "tenantry.access"]
    assert line.tenant == alpha.slug  # type: ignore[attr-defined]


@pytest.fixture
def unmigrated(shard: tuple[str, list[ShardTenant]]) -> Iterator[tuple[str, list[str]]]:
    """Two more routed tenants whose schemas exist but hold nothing yet."""
    admin_dsn, _ = shard
    slugs = [f"fresh-{secrets.token_hex(3)}" for _ in range(2)]
    for slug in slugs:
        ensure_tenant_database(admin_dsn, slug, plan_for("free"), secrets.token_urlsafe(16))
        routing.ensure_routes(admin_dsn, slug, [f"{slug}.localhost"], suspended=False)
    yield admin_dsn, slugs
    for slug in slugs:
        routing.delete_routes(admin_dsn, slug)
        drop_tenant_database(admin_dsn, slug)


def test_migrate_tenants_migrates_each_schema_as_its_own_role(unmigrated: tuple[str, list[str]]) -> None:
    admin_dsn, (first, second) = unmigrated
    out = io.StringIO()

    call_command("migrate_tenants", "--tenant", first, stdout=out)

    assert inspect_tenant_database(admin_dsn, first).migrated
    assert not inspect_tenant_database(admin_dsn, second).migrated
    call_command("migrate_tenants", "--all", stdout=out)
    assert inspect_tenant_database(admin_dsn, second).migrated
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = %s", [schema_name(second)])
        assert cursor.fetchall() == [(role_name(second),)]
        cursor.execute("SELECT current_user, current_schema()")
        assert cursor.fetchone() == (connection.settings_dict["USER"], "public")
    assert f"{first}: migrated" in out.getvalue()


def test_migrate_tenants_refuses_unknown_slugs(unmigrated: tuple[str, list[str]]) -> None:
    with pytest.raises(CommandError, match="not routed on this shard: nobody"):
        call_command("migrate_tenants", "--tenant", "nobody")


@pytest.mark.parametrize("command", ["rebuild_order_projection", "ensure_tenant_schedules"])
def test_per_tenant_commands_in_dedicated_mode_refuse_another_tenant(settings: SettingsWrapper, command: str) -> None:
    settings.TENANCY_MODE, settings.TENANT_SLUG = "dedicated", "acme"

    with pytest.raises(CommandError, match="this process serves tenant 'acme' only, not bolt; run the command in"):
        call_command(command, "--tenant", "acme", "--tenant", "bolt")


def test_users_belong_to_their_tenant(shard: tuple[str, list[ShardTenant]]) -> None:
    from django.contrib.auth import get_user_model

    _, (alpha, bravo) = shard
    users = get_user_model()
    with tenant_transaction(alpha.route):
        users.objects.create_user("owner@alpha.test", "a long passphrase")

    with tenant_transaction(bravo.route):
        assert not users.objects.filter(email="owner@alpha.test").exists()
    with tenant_transaction(alpha.route):
        assert users.objects.get(email="owner@alpha.test").check_password("a long passphrase")
