"""Local mode: the control plane drives the provisioning library itself, no cluster involved.

Tenants run in the shared tier of one local tenant-app process: a schema and role on the
local shard (migrated by cloning a template schema built with the tenant app's manage.py,
run as a subprocess), a vhost and user, a routing entry `<slug>.<TENANT_BASE_DOMAIN>`, and
the shard's member-events queue bound to the tenant's `member.*` events before any is sent.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import kombu
from django.conf import settings
from django.db import connections

from control_plane.tenants.provisioner import ProvisionOutcome, condition
from tenantry_kernel.provisioning import broker, routing
from tenantry_kernel.provisioning.database.migrations import ManagePyMigrationRunner, migrate_tenant_schema
from tenantry_kernel.provisioning.database.roles import grant_router_role
from tenantry_kernel.provisioning.database.schemas import (
    TenantDatabase,
    disable_tenant_database,
    drop_tenant_database,
    ensure_tenant_database,
)
from tenantry_kernel.provisioning.database.shard import secure_shard
from tenantry_kernel.provisioning.database.template_clone import TemplateCloneRunner
from tenantry_kernel.provisioning.plans import plan_for
from tenantry_kernel.provisioning.secrets import LocalSecretStore, get_or_create_password

if TYPE_CHECKING:
    from control_plane.tenants.models import Tenant

logger = logging.getLogger("tenantry.provisioner.local")

# One clone runner per shard and process: each remembers that its template is current.
_runners: dict[tuple[str, str], TemplateCloneRunner] = {}
_runners_lock = threading.Lock()


def tenant_host(slug: str) -> str:
    return f"{slug}.{settings.TENANT_BASE_DOMAIN}"


def tenant_url(slug: str) -> str:
    return str(settings.TENANT_URL_TEMPLATE).format(slug=slug, host=tenant_host(slug))


def migration_runner(admin_dsn: str) -> TemplateCloneRunner:
    key = (admin_dsn, settings.TENANT_TEMPLATE_ROLE)
    with _runners_lock:
        runner = _runners.get(key)
        if runner is None:
            manage = ManagePyMigrationRunner(Path(settings.TENANT_APP_MANAGE_PY), settings.TENANT_APP_SETTINGS_MODULE)
            runner = TemplateCloneRunner(admin_dsn, manage, template_role=settings.TENANT_TEMPLATE_ROLE)
            # Built once, before tenants clone it concurrently.
            runner.ensure_template()
            _runners[key] = runner
    return runner


def member_queue_binding(slug: str) -> str:
    return f"{slug}.member.*"


class LocalProvisioner:
    name = "local"

    def __init__(self) -> None:
        self.admin_dsn = str(settings.SHARD_ADMIN_DSN)
        self.secrets = LocalSecretStore(settings.TENANT_SECRETS_DIR)

    # -- pieces ------------------------------------------------------------------------------

    def _database(self, tenant: Tenant) -> TenantDatabase:
        # Before any tenant role may sign in: roles belong to the whole server, and PUBLIC may connect
        # to a database until told otherwise (this control plane's own, when it shares the server).
        secure_shard(self.admin_dsn, other_databases=[connections["default"].settings_dict["NAME"]])
        password = get_or_create_password(self.secrets, f"{tenant.slug}-database")
        return ensure_tenant_database(self.admin_dsn, tenant.slug, plan_for(tenant.plan), password)

    def _broker(self, tenant: Tenant) -> broker.TenantBroker:
        password = get_or_create_password(self.secrets, f"{tenant.slug}-broker")
        with broker.BrokerAdmin.from_url(settings.BROKER_ADMIN_URL) as admin:
            return broker.ensure_tenant_broker(
                admin,
                tenant.slug,
                plan_for(tenant.plan),
                password,
                events_vhost=broker.events_vhost(settings.EVENTS_BROKER_URL),
            )

    def _member_queue(self, slug: str, *, bound: bool) -> None:
        """The tenant app's member-events queue of this shard follows the tenant's `member.*` events.

        Declared as its consumer declares it (durable, no arguments), so either may come first.
        """
        queue_name = str(settings.TENANT_MEMBER_EVENTS_QUEUE)
        if not queue_name:
            return
        with kombu.Connection(settings.EVENTS_BROKER_URL, connect_timeout=10) as conn:
            channel = conn.channel()
            exchange = kombu.Exchange(broker.EVENTS_EXCHANGE, "topic", durable=True)
            exchange(channel).declare()
            queue = kombu.Queue(queue_name, exchange=exchange, durable=True, bindings=[])(channel)
            queue.declare()
            if bound:
                queue.bind_to(exchange, routing_key=member_queue_binding(slug))
            else:
                queue.unbind_from(exchange, routing_key=member_queue_binding(slug))

    def _routes(self, tenant: Tenant, *, suspended: bool) -> None:
        routing.ensure_routes(self.admin_dsn, tenant.slug, [tenant_host(tenant.slug)], suspended=suspended)

    # -- the protocol ------------------------------------------------------------------------

    def provision(self, tenant: Tenant) -> ProvisionOutcome:
        from control_plane.tenants.models import TenantState

        tenant_db = self._database(tenant)
        migrate_tenant_schema(tenant_db, migration_runner(self.admin_dsn))
        if settings.TENANT_ROUTER_ROLE:
            grant_router_role(self.admin_dsn, tenant.slug, settings.TENANT_ROUTER_ROLE)
        tenant_broker = self._broker(tenant)
        self._member_queue(tenant.slug, bound=True)
        self._routes(tenant, suspended=tenant.state == TenantState.SUSPENDED)
        shard = tenant_db.dbname
        return ProvisionOutcome(
            ready=True,
            url=tenant_url(tenant.slug),
            shard=shard,
            conditions=[
                condition("DatabaseReady", True, "Provisioned", f"schema {tenant_db.schema} on shard {shard}"),
                condition("BrokerReady", True, "Provisioned", f"vhost {tenant_broker.vhost}"),
                condition("WorkloadReady", True, "Routed", f"routed as {tenant_host(tenant.slug)}"),
                condition("Ready", True, "Reconciled", f"{tenant.plan} plan, shared tier, shard {shard}"),
            ],
        )

    def apply_plan(self, tenant: Tenant) -> None:
        self._database(tenant)
        self._broker(tenant)

    def suspend(self, tenant: Tenant) -> None:
        self._routes(tenant, suspended=True)
        # The role cannot log in while suspended (its own processes stop); data stays.
        disable_tenant_database(self.admin_dsn, tenant.slug)

    def resume(self, tenant: Tenant) -> None:
        self._database(tenant)  # LOGIN again, with the stored password
        self._routes(tenant, suspended=False)

    def delete(self, tenant: Tenant) -> bool:
        from control_plane.tenants.models import DeletionPolicy

        routing.delete_routes(self.admin_dsn, tenant.slug)
        self._member_queue(tenant.slug, bound=False)
        if tenant.deletion_policy == DeletionPolicy.DELETE:
            drop_tenant_database(self.admin_dsn, tenant.slug)
            with broker.BrokerAdmin.from_url(settings.BROKER_ADMIN_URL) as admin:
                broker.delete_tenant_broker(admin, tenant.slug)
            self.secrets.delete(f"{tenant.slug}-database")
            self.secrets.delete(f"{tenant.slug}-broker")
        else:
            # Retain: the schema, its role (unable to log in) and the vhost stay for a later restore.
            disable_tenant_database(self.admin_dsn, tenant.slug)
        logger.info("tenant deleted", extra={"tenant": tenant.slug, "deletion_policy": tenant.deletion_policy})
        return True
