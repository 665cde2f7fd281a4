"""What the operator does for one Tenant or DatabaseShard, as plain functions of the adapters.

kopf handlers (handlers.py) call these; they never talk to kopf themselves, which keeps
the logic testable and the handlers thin. Every step is idempotent: running the whole
reconcile again after a crash at any point converges to the same result.
"""

from __future__ import annotations

import base64
import logging
import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from tenant_operator.conditions import Conditions, now
from tenant_operator.config import OperatorConfig
from tenant_operator.domains import DomainRefused, claim_domains, format_errors
from tenant_operator.kube import Kube
from tenant_operator.placement import NoShardAvailable, ShardView, choose_shard
from tenant_operator.specs.common import TENANT_LABEL, Placement, RenderConfig, SecretNames, TenantRef
from tenant_operator.specs.dedicated import render_dedicated
from tenant_operator.specs.job import render_migration_job, render_shared_migration_job
from tenant_operator.specs.secret import render_tenant_secret
from tenant_operator.specs.settings import resolve_settings
from tenantry_kernel.provisioning import broker, routing
from tenantry_kernel.provisioning.database.base import TenantDatabaseError
from tenantry_kernel.provisioning.database.migrations import (
    ManagePyMigrationRunner,
    MigrationRunner,
    migrate_tenant_schema,
)
from tenantry_kernel.provisioning.database.schemas import (
    TenantDatabase,
    TenantDatabaseState,
    disable_tenant_database,
    drop_tenant_database,
    ensure_tenant_database,
    inspect_tenant_database,
)
from tenantry_kernel.provisioning.database.shard import secure_shard, shard_info
from tenantry_kernel.provisioning.database.template_clone import TemplateCloneRunner
from tenantry_kernel.provisioning.display_names import display_name_errors
from tenantry_kernel.provisioning.naming import InvalidSlug, namespace_name, validate_slug
from tenantry_kernel.provisioning.plans import Plan, plan_for
from tenantry_kernel.provisioning.secrets import generate_password

log = logging.getLogger("tenantry.operator")

NEVER_PROVISIONED = TenantDatabaseState(
    role_exists=False,
    role_can_login=False,
    schema_exists=False,
    schema_owner=None,
    migrated=False,
    connection_limit=None,
)


class InvalidTenantSpec(Exception):
    """The spec cannot be reconciled until a person changes it (no retries)."""


class WaitingFor(Exception):
    """Something else must happen first (a Job, a shard); retry after `delay` seconds."""

    def __init__(self, message: str, delay: float = 5.0) -> None:
        super().__init__(message)
        self.delay = delay


@dataclass
class Transition:
    """A Kubernetes Event worth posting: reason and message."""

    reason: str
    message: str
    warning: bool = False


@dataclass
class TenantOutcome:
    status: dict[str, Any]
    events: list[Transition] = field(default_factory=list)


@dataclass
class OperatorContext:
    """Everything a reconcile needs: configuration and the adapters to the outside."""

    config: OperatorConfig
    kube: Kube
    broker_admin: broker.BrokerAdmin
    # Placement decisions are serialized inside this process (one active operator via
    # peering); `placements` (tenant → shard) is seeded from the API once, then kept here.
    placement_lock: threading.Lock = field(default_factory=threading.Lock)
    placements: dict[str, str] | None = None
    # Claims of spec.domains are serialized the same way (status.domains records them).
    domains_lock: threading.Lock = field(default_factory=threading.Lock)
    tenant_locks: dict[str, threading.Lock] = field(default_factory=dict)
    tenant_locks_lock: threading.Lock = field(default_factory=threading.Lock)
    tenant_ready: dict[str, str] = field(default_factory=dict)
    migration_runner: MigrationRunner | None = None
    # Local-mode runners per shard: each keeps its migrated template schema.
    clone_runners: dict[str, TemplateCloneRunner] = field(default_factory=dict)
    clone_runners_lock: threading.Lock = field(default_factory=threading.Lock)

    def lock_for(self, name: str) -> threading.Lock:
        with self.tenant_locks_lock:
            return self.tenant_locks.setdefault(name, threading.Lock())


# -- shards --------------------------------------------------------------------------------


def read_secret_value(kube: Kube, namespace: str, name: str, key: str) -> str:
    secret = kube.get("Secret", name, namespace)
    if secret is None:
        raise WaitingFor(f"Secret {namespace}/{name} does not exist", delay=10)
    data = secret.get("data") or {}
    if key not in data:
        raise InvalidTenantSpec(f"Secret {namespace}/{name} has no key {key!r}")
    return base64.b64decode(data[key]).decode()


def shard_admin_dsn(kube: Kube, shard: dict[str, Any]) -> str:
    ref = shard["spec"]["adminSecretRef"]
    return read_secret_value(kube, ref.get("namespace", "tenantry-system"), ref["name"], ref.get("key", "dsn"))


def shard_database_dsn(admin_dsn: str, shard: dict[str, Any]) -> str:
    """The admin DSN pointed at the shard's tenant database (spec.database)."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(admin_dsn)
    params["dbname"] = shard["spec"].get("database", params.get("dbname", "tenantry"))
    return make_conninfo("", **params)


def reconcile_shard(ctx: OperatorContext, shard: dict[str, Any]) -> dict[str, Any]:
    """Connect, close the server to roles not granted, detect Citus, count tenants: the shard's status."""
    generation = shard["metadata"].get("generation", 1)
    conditions = Conditions(shard.get("status", {}).get("conditions"), generation)
    status: dict[str, Any] = {"observedGeneration": generation}
    try:
        dsn = shard_database_dsn(shard_admin_dsn(ctx.kube, shard), shard)
        # Tenant roles live on the whole server: before any is placed here, PUBLIC (every role)
        # loses CONNECT on this database, `postgres`, `template1` and the platform's databases.
        secure_shard(dsn, other_databases=ctx.config.platform_databases)
        info = shard_info(dsn)
    except (WaitingFor, InvalidTenantSpec) as exc:
        conditions.set("Ready", False, "AdminSecretUnavailable", str(exc))
    except TenantDatabaseError as exc:
        conditions.set("Ready", False, "AccessNotRestricted", str(exc))
    except Exception as exc:  # an unreachable shard is a status, not a crash
        conditions.set("Ready", False, "Unreachable", f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    else:
        status.update(
            serverVersion=info.server_version,
            citusVersion=info.citus_version or "",
            tenantCount=info.tenant_count,
        )
        conditions.set("Ready", True, "Connected", f"PostgreSQL {info.server_version}")
    status["lastCheckTime"] = now()
    status["conditions"] = conditions.as_list()
    return status


def shard_views(ctx: OperatorContext) -> list[ShardView]:
    """Shards with their load counted from the placements (fresher than their status).

    Call with `ctx.placement_lock` held.
    """
    if ctx.placements is None:
        ctx.placements = {
            tenant["metadata"]["name"]: str(tenant["status"]["shard"])
            for tenant in ctx.kube.list("Tenant")
            if (tenant.get("status") or {}).get("shard")
        }
    placed: dict[str, int] = {}
    for shard_name in ctx.placements.values():
        placed[shard_name] = placed.get(shard_name, 0) + 1
    views = []
    for shard in ctx.kube.list("DatabaseShard"):
        status = shard.get("status") or {}
        ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions", []))
        views.append(
            ShardView(
                name=shard["metadata"]["name"],
                region=shard["spec"].get("region", "local"),
                max_tenants=int(shard["spec"].get("capacity", {}).get("maxTenants", 500)),
                cordoned=bool(shard["spec"].get("cordoned", False)),
                ready=ready,
                tenant_count=max(placed.get(shard["metadata"]["name"], 0), int(status.get("tenantCount", 0))),
            )
        )
    return views


# -- tenants -------------------------------------------------------------------------------


def tenant_spec_errors(name: str, spec: dict[str, Any]) -> list[str]:
    """What the CRD schema cannot say (or an old API server did not check)."""
    errors = []
    try:
        validate_slug(name)
    except InvalidSlug as exc:
        errors.append(str(exc))
    try:
        plan_for(spec.get("plan", "free"))
    except ValueError as exc:
        errors.append(str(exc))
    if spec.get("tier", "shared") not in ("shared", "dedicated"):
        errors.append(f"spec.tier must be shared or dedicated, not {spec.get('tier')!r}")
    replicas = (spec.get("app") or {}).get("replicas") or {}
    if replicas and int(replicas.get("min", 1)) > int(replicas.get("max", replicas.get("min", 1))):
        errors.append("spec.app.replicas.min must not exceed spec.app.replicas.max")
    errors += display_name_errors(spec.get("displayName"), "spec.displayName")
    errors += format_errors(spec.get("domains") or [])
    return errors


def tenant_host(ctx: OperatorContext, slug: str) -> str:
    return f"{slug}.{ctx.config.base_domain}"


def secret_names(slug: str, tier: str) -> SecretNames:
    if tier == "dedicated":
        return SecretNames(database="tenant-app-database", broker="tenant-app-broker", django="tenant-app-django")
    return SecretNames(
        database=f"tenant-{slug}-database", broker=f"tenant-{slug}-broker", django=f"tenant-{slug}-django"
    )


def secrets_namespace(ctx: OperatorContext, slug: str, tier: str) -> str:
    return namespace_name(slug) if tier == "dedicated" else ctx.config.system_namespace


def ensure_secret(
    ctx: OperatorContext, tenant: dict[str, Any], namespace: str, name: str, data: dict[str, str]
) -> None:
    ctx.kube.ensure(render_tenant_secret(_tenant_ref(tenant), namespace, name, data))


def stored_password(ctx: OperatorContext, namespace: str, name: str, key: str = "password") -> str:
    """The password already handed out for this tenant, or a new one (kept stable across reconciles)."""
    secret = ctx.kube.get("Secret", name, namespace)
    if secret and key in (secret.get("data") or {}):
        return base64.b64decode(secret["data"][key]).decode()
    return generate_password()


def place_tenant(ctx: OperatorContext, tenant: dict[str, Any]) -> str:
    """The tenant's shard: pinned, already placed, or chosen now and recorded at once."""
    slug = tenant["metadata"]["name"]
    spec, status = tenant.get("spec") or {}, tenant.get("status") or {}
    if status.get("shard"):
        return str(status["shard"])
    pinned = (spec.get("database") or {}).get("shard")
    with ctx.placement_lock:
        recorded = ((ctx.kube.get("Tenant", slug) or {}).get("status") or {}).get("shard")
        if recorded:
            return str(recorded)
        if pinned:
            shard = ctx.kube.get("DatabaseShard", pinned)
            if shard is None:
                raise NoShardAvailable(f"the pinned DatabaseShard {pinned!r} does not exist")
            chosen = str(pinned)
        else:
            chosen = choose_shard(shard_views(ctx), spec.get("region", "local")).name
        # Recorded before anything is created on the shard, so that a crash right after
        # cannot lead a later reconcile to create the tenant on a second shard.
        ctx.kube.patch("Tenant", slug, {"status": {"shard": chosen}}, subresource="status")
        if ctx.placements is not None:
            ctx.placements[slug] = chosen
    return chosen


def run_migrations_job(
    ctx: OperatorContext, tenant: dict[str, Any], spec: dict[str, Any], shard: str, names: SecretNames
) -> bool:
    """Ensure the migrations Job of spec.app.version; True when it has succeeded."""
    ref, placement, config = _tenant_ref(tenant), Placement(shard), _render_config(ctx)
    if spec.get("tier", "shared") == "dedicated":
        job = render_migration_job(ref, spec, placement, names, config)
    else:
        job = render_shared_migration_job(ref, spec, placement, names, config, ctx.config.system_namespace)
    current, _ = ctx.kube.ensure(job)
    job_status = current.get("status") or {}
    if job_status.get("succeeded"):
        return True
    failed = any(c.get("type") == "Failed" and c.get("status") == "True" for c in job_status.get("conditions", []))
    if failed:
        raise InvalidTenantSpec(
            f"the migrations Job {job['metadata']['name']} failed; fix the app version or its migrations"
        )
    return False


def _tenant_ref(tenant: dict[str, Any]) -> TenantRef:
    meta = tenant["metadata"]
    return TenantRef(name=meta["name"], uid=meta["uid"], generation=int(meta.get("generation", 1)))


def _render_config(ctx: OperatorContext) -> RenderConfig:
    return RenderConfig(
        base_domain=ctx.config.base_domain,
        image=ctx.config.image,
        ingress_class=ctx.config.ingress_class,
        cluster_issuer=ctx.config.cluster_issuer,
    )


def reconcile_tenant(ctx: OperatorContext, tenant: dict[str, Any]) -> TenantOutcome:
    slug = tenant["metadata"]["name"]
    with ctx.lock_for(slug):
        # kopf's body may be older than a reconcile that just finished (a timer and a
        # handler queue on the lock): work from the object as it is now.
        fresh = ctx.kube.get("Tenant", slug)
        if fresh is None or fresh["metadata"].get("uid") != tenant["metadata"].get("uid"):
            raise WaitingFor(f"Tenant {slug} is gone or was recreated", delay=1)
        return _reconcile_tenant(ctx, fresh)


def _reconcile_tenant(ctx: OperatorContext, tenant: dict[str, Any]) -> TenantOutcome:
    """One Tenant brought to its spec, step by step; each step is idempotent and records its status."""
    run = _TenantRun.start(ctx, tenant)
    _check_spec(run)
    _claim_domains(run)
    _place_on_shard(run)
    _record_secret_refs(run)
    _inspect_drift(run)
    if run.tier == "dedicated":
        _ensure_namespace(run)
    _provision_database(run)
    _provision_broker(run)
    _provision_django_secret(run)
    _migrate_schema(run)
    if run.tier == "dedicated":
        _deploy_workloads(run)
    else:
        _route_on_shared_deployment(run)
    _record_app_version(run)
    _record_suspension(run)
    _report_drift(run)
    _record_url(run)
    return _report_ready(run)


@dataclass
class _TenantRun:
    """One reconcile of one Tenant: what it starts from, and what the steps have done so far."""

    ctx: OperatorContext
    tenant: dict[str, Any]
    slug: str
    spec: dict[str, Any]
    old_status: dict[str, Any]
    conditions: Conditions
    outcome: TenantOutcome
    was_ready: bool
    # Drift seen before repairing it, for the DriftRepaired event.
    repaired: list[str] = field(default_factory=list)
    # Set by the steps, in the order _reconcile_tenant runs them.
    domains: list[str] = field(init=False)
    shard_name: str = field(init=False)
    admin_dsn: str = field(init=False)
    before_db: TenantDatabaseState = field(init=False)
    tenant_db: TenantDatabase = field(init=False)
    migrated: bool = field(init=False)
    workload_message: str = field(init=False)

    @classmethod
    def start(cls, ctx: OperatorContext, tenant: dict[str, Any]) -> _TenantRun:
        old_status = tenant.get("status") or {}
        generation = int(tenant["metadata"].get("generation", 1))
        conditions = Conditions(old_status.get("conditions"), generation)
        return cls(
            ctx=ctx,
            tenant=tenant,
            slug=tenant["metadata"]["name"],
            spec=tenant.get("spec") or {},
            old_status=old_status,
            conditions=conditions,
            outcome=TenantOutcome(status={"observedGeneration": generation}),
            was_ready=conditions.is_true("Ready"),
        )

    @cached_property
    def plan(self) -> Plan:
        # Read once the spec has passed _check_spec.
        return plan_for(self.spec.get("plan", "free"))

    @property
    def tier(self) -> str:
        tier: str = self.spec.get("tier", "shared")
        return tier

    @property
    def suspended(self) -> bool:
        return bool(self.spec.get("suspended", False))

    @property
    def names(self) -> SecretNames:
        return secret_names(self.slug, self.tier)

    @property
    def secrets_namespace(self) -> str:
        return secrets_namespace(self.ctx, self.slug, self.tier)

    @property
    def target_version(self) -> str:
        version: str = (self.spec.get("app") or {}).get("version", "latest")
        return version

    @property
    def running_version(self) -> str | None:
        return self.old_status.get("appVersion")

    def finish(self, ready: bool, reason: str, message: str) -> TenantOutcome:
        """Set Ready and the phase; post Ready when the tenant just became ready."""
        self.conditions.set("Ready", ready, reason, message)
        self.outcome.status["conditions"] = self.conditions.as_list()
        self.outcome.status["phase"] = (
            "Suspended" if ready and self.spec.get("suspended") else "Ready" if ready else _failed_phase(reason)
        )
        self.ctx.tenant_ready[self.slug] = "True" if ready else "False"
        if ready and not self.was_ready:
            self.outcome.events.append(Transition("Ready", message))
        return self.outcome


def _check_spec(run: _TenantRun) -> None:
    """Refuse, without retries, a spec the CRD schema could not refuse."""
    errors = tenant_spec_errors(run.slug, run.spec)
    if errors:
        run.outcome.events.append(Transition("InvalidSpec", "; ".join(errors), warning=True))
        run.finish(False, "InvalidSpec", "; ".join(errors))
        raise InvalidTenantSpecWithStatus(run.outcome)


def _claim_domains(run: _TenantRun) -> None:
    """Claim spec.domains before anything is created or routed: a refused domain leaves the tenant as it was."""
    try:
        run.domains = claim_domains(run.ctx.kube, run.ctx.domains_lock, run.tenant, run.ctx.config.base_domain)
    except DomainRefused as exc:
        run.outcome.events.append(Transition(exc.reason, str(exc), warning=True))
        run.finish(False, exc.reason, str(exc))
        raise InvalidTenantSpecWithStatus(run.outcome) from exc
    run.outcome.status["domains"] = run.domains


def _place_on_shard(run: _TenantRun) -> None:
    """The tenant's DatabaseShard (placed now if it has none yet) and the DSN to administer it."""
    try:
        run.shard_name = place_tenant(run.ctx, run.tenant)
    except NoShardAvailable as exc:
        run.conditions.set("DatabaseReady", False, "NoShardAvailable", str(exc))
        run.outcome.events.append(Transition("NoShardAvailable", str(exc), warning=True))
        run.finish(False, "NoShardAvailable", str(exc))
        raise WaitingForWithStatus(run.outcome, str(exc), delay=10) from exc
    run.outcome.status["shard"] = run.shard_name
    shard = run.ctx.kube.get("DatabaseShard", run.shard_name)
    if shard is None:
        run.finish(False, "ShardMissing", f"DatabaseShard {run.shard_name} is gone")
        raise WaitingForWithStatus(run.outcome, f"DatabaseShard {run.shard_name} is gone", delay=30)
    run.admin_dsn = shard_database_dsn(shard_admin_dsn(run.ctx.kube, shard), shard)


def _record_secret_refs(run: _TenantRun) -> None:
    names = run.names
    run.outcome.status["secretRefs"] = {"database": names.database, "broker": names.broker, "django": names.django}
    run.outcome.status["namespace"] = namespace_name(run.slug) if run.tier == "dedicated" else ""


def _inspect_drift(run: _TenantRun) -> None:
    """Note what went missing since the last reconcile, before the next steps recreate it.

    A tenant never provisioned before has nothing to drift from: skip the inspection (a
    third of the calls of a first reconcile).
    """
    if run.conditions.is_true("DatabaseReady"):
        run.before_db = inspect_tenant_database(run.admin_dsn, run.slug)
        if not run.before_db.role_exists:
            run.repaired.append("database role")
        if not run.before_db.schema_exists:
            run.repaired.append("schema")
    else:
        run.before_db = NEVER_PROVISIONED
    if run.conditions.is_true("BrokerReady"):
        before_broker = broker.inspect_tenant_broker(run.ctx.broker_admin, run.slug)
        if not before_broker.vhost_exists:
            run.repaired.append("vhost")
        elif not before_broker.user_exists:
            run.repaired.append("broker user")


def _ensure_namespace(run: _TenantRun) -> None:
    """The dedicated tenant's Namespace, first: its Secrets live there."""
    namespace = next(
        o for o in _render(run.ctx, run.tenant, run.spec, run.shard_name, run.names) if o["kind"] == "Namespace"
    )
    _, action = run.ctx.kube.ensure(namespace)
    if action == "created" and run.old_status.get("namespace"):
        run.repaired.append("namespace")


def _provision_database(run: _TenantRun) -> None:
    """Role, schema and grants on the shard, and the Secret that hands them to the app."""
    db_password = stored_password(run.ctx, run.secrets_namespace, run.names.database)
    run.tenant_db = ensure_tenant_database(run.admin_dsn, run.slug, run.plan, db_password)
    ensure_secret(
        run.ctx, run.tenant, run.secrets_namespace, run.names.database,
        {"DATABASE_URL": run.tenant_db.dsn(), "password": db_password, "PGSCHEMA": run.tenant_db.schema},
    )  # fmt: skip
    run.conditions.set("DatabaseReady", True, "Provisioned", f"schema {run.tenant_db.schema} on shard {run.shard_name}")


def _provision_broker(run: _TenantRun) -> None:
    """Vhost, user, permissions and limits on the broker, and the Secret that hands them to the app."""
    ctx = run.ctx
    broker_password = stored_password(ctx, run.secrets_namespace, run.names.broker)
    tenant_broker = broker.ensure_tenant_broker(
        ctx.broker_admin, run.slug, run.plan, broker_password, ctx.config.broker_amqp_host, ctx.config.broker_amqp_port
    )
    ensure_secret(
        ctx, run.tenant, run.secrets_namespace, run.names.broker,
        {"BROKER_URL": tenant_broker.amqp_url(), "password": broker_password},
    )  # fmt: skip
    run.conditions.set("BrokerReady", True, "Provisioned", f"vhost {tenant_broker.vhost}")


def _provision_django_secret(run: _TenantRun) -> None:
    """The tenant app's DJANGO_SECRET_KEY, kept across reconciles (a new one if the stored one is too short)."""
    django_key = stored_password(run.ctx, run.secrets_namespace, run.names.django, key="DJANGO_SECRET_KEY")
    if len(django_key) < 50:
        django_key = generate_password(64)
    ensure_secret(run.ctx, run.tenant, run.secrets_namespace, run.names.django, {"DJANGO_SECRET_KEY": django_key})


def _migrate_schema(run: _TenantRun) -> None:
    """Migrate the schema to spec.app.version (a Job in cluster mode): the workloads wait for it."""
    run.migrated = _migrate(
        run.ctx, run.tenant, run.spec, run.shard_name, run.names, run.tenant_db,
        run.target_version, run.running_version, run.before_db, run.admin_dsn,
    )  # fmt: skip


def _deploy_workloads(run: _TenantRun) -> None:
    """The dedicated namespace's objects, at the migrated version (the running one while migrations run)."""
    rollout_version = run.target_version if run.migrated else (run.running_version or run.target_version)
    rollout_spec = {**run.spec, "app": {**(run.spec.get("app") or {}), "version": rollout_version}}
    _apply_children(run.ctx, run.tenant, rollout_spec, run.shard_name, run.names, run.repaired)
    run.workload_message = f"web, worker and beat at version {rollout_version}"


def _route_on_shared_deployment(run: _TenantRun) -> None:
    """The shard's routes from the tenant's hosts to its schema (blocked while suspended)."""
    hosts = [tenant_host(run.ctx, run.slug), *run.domains]
    routing.ensure_routes(run.admin_dsn, run.slug, hosts, suspended=run.suspended)
    run.workload_message = f"routed on the shared deployment of shard {run.shard_name}"


def _record_app_version(run: _TenantRun) -> None:
    """status.appVersion: the migrated version, else the one still running; Upgraded when it changed."""
    if run.migrated:
        run.outcome.status["appVersion"] = run.target_version
        if run.running_version and run.running_version != run.target_version:
            run.outcome.events.append(Transition("Upgraded", f"migrated and rolled out version {run.target_version}"))
    elif run.running_version:
        run.outcome.status["appVersion"] = run.running_version


def _record_suspension(run: _TenantRun) -> None:
    """The Suspended condition, with an event when the tenant is suspended or resumed."""
    if run.suspended:
        run.conditions.set(
            "Suspended",
            True,
            "SuspendedBySpec",
            "scaled to zero; data kept" if run.tier == "dedicated" else "routing blocked; data kept",
        )
        if run.old_status.get("phase") != "Suspended":
            run.outcome.events.append(Transition("Suspended", "tenant suspended; data untouched"))
    else:
        run.conditions.set("Suspended", False, "Active", "")
        if run.old_status.get("phase") == "Suspended":
            run.outcome.events.append(Transition("Resumed", "tenant resumed"))


def _report_drift(run: _TenantRun) -> None:
    """A DriftRepaired warning naming what the steps had to recreate."""
    if run.repaired:
        message = "recreated " + ", ".join(run.repaired)
        run.outcome.events.append(Transition("DriftRepaired", message, warning=True))
        log.warning("tenant %s: %s", run.slug, message, extra={"tenant": run.slug})


def _record_url(run: _TenantRun) -> None:
    run.outcome.status["url"] = f"{run.ctx.config.url_scheme}://{tenant_host(run.ctx, run.slug)}/"


def _report_ready(run: _TenantRun) -> TenantOutcome:
    """Ready once the migrations have run; until then WorkloadReady is false and the reconcile retries."""
    if not run.migrated:
        target = run.target_version
        run.conditions.set("WorkloadReady", False, "MigrationsRunning", f"waiting for the migrations of {target}")
        run.finish(False, "MigrationsRunning", f"waiting for the migrations of version {target}")
        raise WaitingForWithStatus(run.outcome, f"migrations of {target} still running", delay=5)
    run.conditions.set("WorkloadReady", True, "Deployed" if run.tier == "dedicated" else "Routed", run.workload_message)
    return run.finish(True, "Reconciled", f"{run.plan.name.value} plan, {run.tier} tier, shard {run.shard_name}")


def _failed_phase(reason: str) -> str:
    """Failed when a person must change the spec; Provisioning while waiting for something else."""
    return "Failed" if reason in ("InvalidSpec", "DomainUnderPlatform", "DomainConflict") else "Provisioning"


def _migrate(
    ctx: OperatorContext,
    tenant: dict[str, Any],
    spec: dict[str, Any],
    shard_name: str,
    names: SecretNames,
    tenant_db: TenantDatabase,
    target_version: str,
    running_version: str | None,
    before: TenantDatabaseState,
    admin_dsn: str,
) -> bool:
    if ctx.config.migrations == "job":
        return run_migrations_job(ctx, tenant, spec, shard_name, names)
    if before.migrated and running_version == target_version:
        return True
    runner = ctx.migration_runner
    if runner is None:
        with ctx.clone_runners_lock:
            runner = ctx.clone_runners.get(admin_dsn)
            if runner is None:
                manage = ManagePyMigrationRunner(ctx.config.tenant_app_manage_py)
                runner = TemplateCloneRunner(admin_dsn, manage)
                # Built once, before tenants clone it concurrently.
                runner.ensure_template()
                ctx.clone_runners[admin_dsn] = runner
    migrate_tenant_schema(tenant_db, runner)
    return True


def _render(
    ctx: OperatorContext, tenant: dict[str, Any], spec: dict[str, Any], shard: str, names: SecretNames
) -> list[dict[str, Any]]:
    return render_dedicated(_tenant_ref(tenant), spec, Placement(shard), names, _render_config(ctx))


def _apply_children(
    ctx: OperatorContext,
    tenant: dict[str, Any],
    spec: dict[str, Any],
    shard: str,
    names: SecretNames,
    repaired: list[str],
) -> None:
    desired = _render(ctx, tenant, spec, shard, names)
    wanted = {(obj["kind"], obj["metadata"]["name"]) for obj in desired}
    was_deployed = any(
        c.get("type") == "WorkloadReady" and c.get("status") == "True"
        for c in (tenant.get("status") or {}).get("conditions", [])
    )
    replicas_min = resolve_settings(spec).replicas_min
    for obj in desired:
        current, action = ctx.kube.ensure(obj)
        if action == "created" and was_deployed and obj["kind"] != "Namespace":
            repaired.append(f"{obj['kind']} {obj['metadata']['name']}")
        if obj["kind"] == "Deployment" and "replicas" not in obj["spec"] and not current["spec"].get("replicas"):
            # The HPA owns the web replicas but cannot scale up from zero (after a resume).
            ctx.kube.patch(
                "Deployment", obj["metadata"]["name"], {"spec": {"replicas": replicas_min}},
                obj["metadata"]["namespace"],
            )  # fmt: skip
    # Prune what is no longer desired (HPA and PDB when suspended, for example).
    namespace = namespace_name(tenant["metadata"]["name"])
    for kind in ("HorizontalPodAutoscaler", "PodDisruptionBudget"):
        for existing in ctx.kube.list(kind, namespace):
            if (kind, existing["metadata"]["name"]) not in wanted:
                ctx.kube.delete(kind, existing["metadata"]["name"], namespace)


class InvalidTenantSpecWithStatus(InvalidTenantSpec):
    def __init__(self, outcome: TenantOutcome) -> None:
        super().__init__(outcome.status["conditions"][0]["message"] if outcome.status.get("conditions") else "")
        self.outcome = outcome


class WaitingForWithStatus(WaitingFor):
    def __init__(self, outcome: TenantOutcome, message: str, delay: float) -> None:
        super().__init__(message, delay)
        self.outcome = outcome


def delete_tenant(ctx: OperatorContext, tenant: dict[str, Any]) -> list[Transition]:
    """Honour the deletion policies; everything 'already gone' counts as deleted."""
    slug = tenant["metadata"]["name"]
    spec, status = tenant.get("spec") or {}, tenant.get("status") or {}
    tier = spec.get("tier", "shared")
    events = []
    with ctx.lock_for(slug):
        shard_name = status.get("shard")
        shard = ctx.kube.get("DatabaseShard", shard_name) if shard_name else None
        db_policy = (spec.get("database") or {}).get("deletionPolicy", "Retain")
        if shard is not None:
            admin_dsn = shard_database_dsn(shard_admin_dsn(ctx.kube, shard), shard)
            routing.delete_routes(admin_dsn, slug)
            if db_policy == "Delete":
                drop_tenant_database(admin_dsn, slug)
                events.append(Transition("DatabaseDeleted", f"schema and role dropped on shard {shard_name}"))
            else:
                disable_tenant_database(admin_dsn, slug)
                events.append(Transition("DatabaseRetained", f"role disabled, schema kept on shard {shard_name}"))
        if (spec.get("broker") or {}).get("deletionPolicy", "Delete") == "Delete":
            broker.delete_tenant_broker(ctx.broker_admin, slug)
        if tier == "dedicated":
            ctx.kube.delete("Namespace", namespace_name(slug))
        else:
            names = secret_names(slug, tier)
            for name in (names.database, names.broker, names.django):
                ctx.kube.delete("Secret", name, ctx.config.system_namespace)
            for job in ctx.kube.list("Job", ctx.config.system_namespace):
                if job["metadata"].get("labels", {}).get(TENANT_LABEL) == slug:
                    ctx.kube.delete("Job", job["metadata"]["name"], ctx.config.system_namespace)
        ctx.tenant_ready.pop(slug, None)
        with ctx.placement_lock:
            if ctx.placements is not None:
                ctx.placements.pop(slug, None)
    return events
