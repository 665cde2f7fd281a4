"""The local provisioner against this machine's PostgreSQL and RabbitMQ: schema, role, vhost, route and
member-events binding appear; suspension blocks the route; deletion honours Delete and Retain. And a
signup that a real Celery worker carries to `ready`."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from django.db import connection
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from rest_framework.test import APIClient

from control_plane.accounts.models import User
from control_plane.tenants import tasks
from control_plane.tenants.actions import lifecycle
from control_plane.tenants.models import DeletionPolicy, Tenant, TenantState
from control_plane.tenants.provisioner import provisioner
from tenantry_kernel.provisioning import broker, routing
from tenantry_kernel.provisioning.database.schemas import drop_tenant_database, inspect_tenant_database
from tenantry_kernel.provisioning.naming import role_name, schema_name, vhost_name
from tenantry_kernel.provisioning.plans import plan_for
from tenantry_kernel.provisioning.secrets import LocalSecretStore
from tenantry_kernel.testing import delete_queue, wait_until
from tenantry_kernel.testing.databases import server_conninfo, server_databases_reopened
from tenantry_kernel.testing.workers import worker_on_queue

MANAGE_PY = Path(__file__).resolve().parents[2] / "tenant-app" / "manage.py"
ADMIN_URL = "http://guest:guest@127.0.0.1:15672"
PASSWORD = "correct horse battery staple 42"


def shard_database() -> str:
    """A shard database for this test database; kept between runs, so its migrated template is reused."""
    name = f"{connection.settings_dict['NAME']}_shard"[:63]
    with psycopg.connect(dbname="postgres", host="127.0.0.1", user="postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


@pytest.fixture
def local_shard(settings: Any, tmp_path: Path, db: None) -> Iterator[str]:
    name = shard_database()
    admin_dsn = server_conninfo(name)
    queue = f"test-members-{secrets.token_hex(4)}"
    settings.TENANT_PROVISIONER = "local"
    settings.SHARD_ADMIN_DSN = admin_dsn
    settings.TENANT_TEMPLATE_ROLE = f"tenantry_template_{name}"[:63]
    settings.TENANT_APP_MANAGE_PY = str(MANAGE_PY)
    settings.TENANT_APP_SETTINGS_MODULE = "tenant_app.settings.test"
    settings.TENANT_SECRETS_DIR = str(tmp_path / "secrets")
    settings.TENANT_MEMBER_EVENTS_QUEUE = queue
    settings.TENANT_URL_TEMPLATE = "http://{host}:8123/"
    yield admin_dsn
    from control_plane.celery import app

    delete_queue(app, queue)


def cleanup(admin_dsn: str, slug: str) -> None:
    routing.delete_routes(admin_dsn, slug)
    drop_tenant_database(admin_dsn, slug)
    with broker.BrokerAdmin.from_url(ADMIN_URL) as admin:
        broker.delete_tenant_broker(admin, slug)


def bindings(queue: str) -> set[str]:
    answer = requests.get(
        f"http://127.0.0.1:15672/api/queues/tenantry/{queue}/bindings", auth=("guest", "guest"), timeout=10
    )
    if answer.status_code == 404:
        return set()
    return {b["routing_key"] for b in answer.json() if b["source"] == "tenantry.events"}


def provisioning_tenant(owner: User) -> Tenant:
    tenant = lifecycle.create_tenant(
        name="Local Shop", slug=f"local-{secrets.token_hex(3)}", owner=owner, plan="starter"
    )
    lifecycle.transition(tenant, TenantState.PROVISIONING)
    tenant.refresh_from_db()
    return tenant


def test_local_provisioner_creates_suspends_resumes_and_deletes(
    local_shard: str, make_user: Any, settings: Any
) -> None:
    tenant = provisioning_tenant(make_user(f"o-{secrets.token_hex(3)}@example.com"))
    slug = tenant.slug
    try:
        # when the provisioning task runs
        assert tasks.provision_tenant.apply(args=(str(tenant.pk),)).get() == TenantState.READY

        # then schema, role, vhost, route and binding exist, and the record is ready with its URL
        tenant.refresh_from_db()
        assert tenant.url == f"http://{slug}.localhost:8123/"
        assert {c["type"]: c["status"] for c in tenant.conditions} == {
            "DatabaseReady": "True", "BrokerReady": "True", "WorkloadReady": "True", "Ready": "True",
        }  # fmt: skip
        state = inspect_tenant_database(local_shard, slug)
        assert (state.role_exists, state.schema_exists, state.migrated, state.connection_limit) == (
            True,
            True,
            True,
            15,
        )
        with broker.BrokerAdmin.from_url(ADMIN_URL) as admin:
            assert broker.inspect_tenant_broker(admin, slug).drift(plan_for("starter")) == []
        assert [(r.host, r.suspended) for r in routing.routes_of(local_shard, slug)] == [(f"{slug}.localhost", False)]
        assert f"{slug}.member.*" in bindings(settings.TENANT_MEMBER_EVENTS_QUEUE)

        # suspend: route blocked, role cannot log in; resume reverses both
        lifecycle.suspend(tenant, reason="unpaid")
        assert tasks.suspend_tenant.apply(args=(str(tenant.pk),)).get() is True
        assert [r.suspended for r in routing.routes_of(local_shard, slug)] == [True]
        assert inspect_tenant_database(local_shard, slug).role_can_login is False
        lifecycle.resume(tenant)
        assert tasks.resume_tenant.apply(args=(str(tenant.pk),)).get() is True
        assert [r.suspended for r in routing.routes_of(local_shard, slug)] == [False]
        assert inspect_tenant_database(local_shard, slug).role_can_login is True

        # delete (policy Delete): everything is gone and the record says deleted
        lifecycle.request_deletion(tenant, policy=DeletionPolicy.DELETE)
        assert tasks.delete_tenant.apply(args=(str(tenant.pk),)).get() == TenantState.DELETED
        state = inspect_tenant_database(local_shard, slug)
        assert (state.role_exists, state.schema_exists) == (False, False)
        with broker.BrokerAdmin.from_url(ADMIN_URL) as admin:
            assert admin.get_vhost(vhost_name(slug)) is None
        assert routing.routes_of(local_shard, slug) == []
        assert f"{slug}.member.*" not in bindings(settings.TENANT_MEMBER_EVENTS_QUEUE)
    finally:
        cleanup(local_shard, slug)


def test_retain_keeps_the_schema_and_removes_the_routes(local_shard: str, make_user: Any) -> None:
    tenant = provisioning_tenant(make_user(f"o-{secrets.token_hex(3)}@example.com"))
    try:
        tasks.provision_tenant.apply(args=(str(tenant.pk),)).get()
        lifecycle.request_deletion(tenant, policy=DeletionPolicy.RETAIN)
        assert tasks.delete_tenant.apply(args=(str(tenant.pk),)).get() == TenantState.DELETED

        state = inspect_tenant_database(local_shard, tenant.slug)
        assert (state.schema_exists, state.migrated, state.role_can_login) == (True, True, False)
        assert routing.routes_of(local_shard, tenant.slug) == []
    finally:
        cleanup(local_shard, tenant.slug)


def test_a_provisioned_stores_role_may_connect_to_its_shard_only(
    local_shard: str, make_user: Any, settings: Any
) -> None:
    # The store's attack: its own credentials against the control plane's database and `postgres`.
    tenant = provisioning_tenant(make_user(f"o-{secrets.token_hex(3)}@example.com"))
    platform_db = connection.settings_dict["NAME"]
    try:
        with server_databases_reopened():
            # given the control plane's database as PostgreSQL makes it: PUBLIC may connect
            with psycopg.connect(server_conninfo(), autocommit=True) as conn:
                conn.execute(
                    sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO PUBLIC").format(sql.Identifier(platform_db))
                )

            # when the local provisioner provisions the store
            assert tasks.provision_tenant.apply(args=(str(tenant.pk),)).get() == TenantState.READY

            # then its role, with its real password, is refused there, and signs in to its shard
            assert inspect_tenant_database(local_shard, tenant.slug).role_can_login
            password = (LocalSecretStore(settings.TENANT_SECRETS_DIR).get(f"{tenant.slug}-database") or {})["password"]
            for dbname in (platform_db, "postgres"):
                with pytest.raises(psycopg.OperationalError) as refused:
                    psycopg.connect(server_conninfo(dbname, user=role_name(tenant.slug), password=password)).close()
                refusal = f'permission denied for database "{dbname}"\nDETAIL:  User does not have CONNECT privilege.'
                assert f"FATAL:  {refusal}" in str(refused.value)
        shard = conninfo_to_dict(local_shard)["dbname"]
        with psycopg.connect(server_conninfo(str(shard), user=role_name(tenant.slug), password=password)) as conn:
            assert conn.execute("SELECT current_schema").fetchone() == (schema_name(tenant.slug),)
    finally:
        cleanup(local_shard, tenant.slug)


def test_provisioning_that_keeps_failing_marks_the_tenant_failed(settings: Any, make_user: Any, tmp_path: Path) -> None:
    from tenantry_kernel.testing import free_port

    settings.TENANT_PROVISIONER = "local"
    settings.TENANT_SECRETS_DIR = str(tmp_path)
    settings.SHARD_ADMIN_DSN = f"host=127.0.0.1 port={free_port()} user=postgres dbname=nowhere connect_timeout=2"
    settings.TENANT_PROVISIONING_RETRIES = 1
    settings.TENANT_PROVISIONING_BACKOFF = 0
    tenant = provisioning_tenant(make_user(f"o-{secrets.token_hex(3)}@example.com"))

    tasks.provision_tenant.apply(args=(str(tenant.pk),))

    tenant.refresh_from_db()
    assert tenant.state == TenantState.FAILED
    assert tenant.state_reason.startswith("OperationalError: connection")


@pytest.fixture
def celery_worker(local_shard: str) -> Iterator[None]:
    """The control plane's Celery worker on a private queue (RabbitMQ), in this process."""

    from control_plane.celery import app

    queue = f"cp-test-{secrets.token_hex(4)}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        with worker_on_queue(app, queue):
            yield
    finally:
        app.conf.task_default_queue = previous
        delete_queue(app, queue)


@pytest.mark.django_db(transaction=True)
def test_signup_reaches_ready_through_the_worker(celery_worker: None, local_shard: str) -> None:
    slug = f"signup-{secrets.token_hex(3)}"
    try:
        response = APIClient().post(
            "/api/v1/signup/",
            {"email": f"{slug}@example.com", "password": PASSWORD, "store_name": "Signup Shop", "slug": slug},
            format="json",
        )
        assert response.status_code == 202, response.json()
        assert response.json()["tenant"]["state"] == "provisioning"

        ready = wait_until(
            lambda: Tenant.objects.filter(slug=slug, state=TenantState.READY).first(), timeout=180, what="tenant ready"
        )
        assert ready.url == f"http://{slug}.localhost:8123/"
        assert inspect_tenant_database(local_shard, slug).migrated
    finally:
        cleanup(local_shard, slug)


def test_provisioner_setting_picks_the_backend(settings: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.TENANT_PROVISIONER = "local"
    assert provisioner().name == "local"
    settings.TENANT_PROVISIONER = "nomad"
    with pytest.raises(ImproperlyConfigured, match="TENANT_PROVISIONER is 'nomad'"):
        provisioner()
