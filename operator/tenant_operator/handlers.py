"""kopf handlers. Importing this module registers them with kopf's default registry.

They stay thin: translate kopf's calls into `reconcile.*` calls, turn the outcome into
status patches, Kubernetes Events and retry decisions.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import kopf

from tenant_operator import metrics
from tenant_operator.api import API_GROUP, API_VERSION, DATABASE_SHARD_PLURAL, TENANT_PLURAL
from tenant_operator.conditions import Conditions
from tenant_operator.config import OperatorConfig, apply_kopf_settings
from tenant_operator.kube import Kube, KubeConfig
from tenant_operator.reconcile import (
    InvalidTenantSpec,
    InvalidTenantSpecWithStatus,
    OperatorContext,
    TenantOutcome,
    WaitingFor,
    WaitingForWithStatus,
    delete_tenant,
    reconcile_shard,
    reconcile_tenant,
)
from tenantry_kernel.provisioning.broker import BrokerAdmin

TENANTS = (API_GROUP, API_VERSION, TENANT_PLURAL)
SHARDS = (API_GROUP, API_VERSION, DATABASE_SHARD_PLURAL)
# Unexpected errors (a shard restarting, the broker API timing out) are retried soon;
# kopf's default of 60 s is too slow for provisioning.
RETRY_BACKOFF = 5

# Tests and embedders may set this before the operator starts (e.g. another config or a
# migration runner); otherwise the startup handler builds it from the environment.
context: OperatorContext | None = None


def build_context(config: OperatorConfig | None = None) -> OperatorContext:
    config = config or OperatorConfig.from_env()
    return OperatorContext(
        config=config, kube=Kube(KubeConfig.load()), broker_admin=BrokerAdmin.from_url(config.broker_admin_url)
    )


@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, memo: kopf.Memo, **_: Any) -> None:
    global context
    apply_kopf_settings(settings)
    if context is None:
        context = build_context()
    memo.ctx = context
    metrics.register_tenant_gauge(lambda: dict(memo.ctx.tenant_ready))


@kopf.on.login()
def login(**_: Any) -> kopf.ConnectionInfo:
    """kopf and our adapter use the same credentials: in-cluster service account or kubeconfig."""
    config = context.kube.config if context is not None else KubeConfig.load()
    return kopf.ConnectionInfo(
        server=config.server,
        token=config.token,
        ca_path=config.ca_file,
        certificate_path=config.client_cert[0] if config.client_cert else None,
        private_key_path=config.client_cert[1] if config.client_cert else None,
        insecure=config.insecure,
    )


def _body(body: kopf.Body) -> dict[str, Any]:
    return {
        "apiVersion": body.get("apiVersion"),
        "kind": body.get("kind"),
        "metadata": dict(body.metadata),
        "spec": dict(body.spec),
        "status": dict(body.status),
    }


def _apply_outcome(outcome: TenantOutcome, body: kopf.Body, patch: kopf.Patch) -> None:
    patch.status.update(outcome.status)
    for event in outcome.events:
        # kopf.event, not kopf.info: transitions are posted whatever the posting level.
        kopf.event(body, type="Warning" if event.warning else "Normal", reason=event.reason, message=event.message)


def _reconcile(memo: kopf.Memo, body: kopf.Body, patch: kopf.Patch, logger: kopf.Logger, trigger: str) -> None:
    started = time.perf_counter()
    result = "success"
    try:
        outcome = reconcile_tenant(memo.ctx, _body(body))
        _apply_outcome(outcome, body, patch)
    except InvalidTenantSpecWithStatus as exc:
        result = "invalid"
        _apply_outcome(exc.outcome, body, patch)
        # A person must change the spec; the update handler runs again when they do.
        raise kopf.PermanentError(str(exc)) from exc
    except InvalidTenantSpec as exc:
        result = "invalid"
        kopf.event(body, type="Warning", reason="ReconcileFailed", message=str(exc))
        raise kopf.PermanentError(str(exc)) from exc
    except WaitingForWithStatus as exc:
        result = "waiting"
        _apply_outcome(exc.outcome, body, patch)
        raise kopf.TemporaryError(str(exc), delay=exc.delay) from exc
    except WaitingFor as exc:
        result = "waiting"
        raise kopf.TemporaryError(str(exc), delay=exc.delay) from exc
    except Exception:
        result = "error"
        raise
    finally:
        metrics.RECONCILES.labels("Tenant", result).inc()
        metrics.RECONCILE_DURATION.labels("Tenant").observe(time.perf_counter() - started)
        logger.info("reconciled tenant (%s): %s", trigger, result)


@kopf.on.create(*TENANTS, backoff=RETRY_BACKOFF)
def tenant_created(memo: kopf.Memo, body: kopf.Body, patch: kopf.Patch, logger: kopf.Logger, **_: Any) -> None:
    _reconcile(memo, body, patch, logger, "create")


@kopf.on.update(*TENANTS, backoff=RETRY_BACKOFF)
def tenant_updated(memo: kopf.Memo, body: kopf.Body, patch: kopf.Patch, logger: kopf.Logger, **_: Any) -> None:
    _reconcile(memo, body, patch, logger, "update")


@kopf.on.resume(*TENANTS, backoff=RETRY_BACKOFF)
def tenant_resumed(memo: kopf.Memo, body: kopf.Body, patch: kopf.Patch, logger: kopf.Logger, **_: Any) -> None:
    _reconcile(memo, body, patch, logger, "resume")


def _drift_interval() -> float:
    return OperatorConfig.from_env().drift_interval


@dataclass
class DriftGate:
    """Keeps a Tenant's drift check and its deletion apart; one per Tenant, in kopf's per-object memo.

    kopf runs the drift timer beside the deletion handler, and a check is often in flight when a
    Tenant is deleted: the first one queues on the tenant lock behind the create handler and
    runs just as the Tenant turns Ready. Two things went wrong then:

    * kopf cannot stop a sync timer. The deletion cycle logs "Timer 'tenant_drift' is still
      exiting. The next check is in 60 seconds." (`settings.background.cancellation_polling`),
      runs the deletion handler, keeps the finalizer since a timer still runs, and logs
      "Sleeping for 60 seconds for the delayed handlers". Only a watch event wakes it earlier,
      and none came: the deletion handler patched nothing, and the check's status patch, equal
      to the stored status, is a no-op that kube-apiserver (and the emulator) does not report.
      The Tenant stayed Ready, with its finalizer, for 60 s.
    * a check that got the tenant lock after `delete_tenant` provisioned the Tenant again
      ("recreated database role, schema, vhost", and its Secrets), until kopf's next poll ran
      the deletion handler once more.

    So the deletion handler waits for a check in flight and shuts out later ones; a check that
    kopf stopped while it ran patches nothing, so its timer ends without another request; and
    the deletion handler always patches the status (phase Deleting): that change's watch event
    brings kopf back, to find the timer gone and remove the finalizer.
    """

    lock: threading.Lock = field(default_factory=threading.Lock)
    deleting: bool = False


def drift_gate(memo: kopf.Memo) -> DriftGate:
    gate: DriftGate = memo.setdefault("drift_gate", DriftGate())
    return gate


@kopf.timer(*TENANTS, interval=_drift_interval(), initial_delay=_drift_interval(), backoff=RETRY_BACKOFF)
def tenant_drift(memo: kopf.Memo, body: kopf.Body, patch: kopf.Patch, logger: kopf.Logger, **kwargs: Any) -> None:
    """Detect and repair drift (a dropped role, schema or vhost, a deleted child) and refresh conditions."""
    # Set when kopf stops the timer: the Tenant is being deleted, or the operator stops.
    stopped: kopf.DaemonStopped = kwargs["stopped"]
    gate = drift_gate(memo)
    with gate.lock:
        if gate.deleting or stopped or body.metadata.get("deletionTimestamp"):
            return
        # The status says why a drift check failed; the timer comes back on its own.
        try:
            _reconcile(memo, body, patch, logger, "drift")
        except (kopf.TemporaryError, kopf.PermanentError):
            pass
        except Exception:
            logger.exception("drift check failed; retrying at the next interval")
        if stopped:
            # The Tenant is being deleted (or the operator stops): this status is moot.
            patch.clear()


@kopf.on.delete(*TENANTS, backoff=RETRY_BACKOFF)
def tenant_deleted(memo: kopf.Memo, body: kopf.Body, patch: kopf.Patch, logger: kopf.Logger, **_: Any) -> None:
    gate = drift_gate(memo)
    with gate.lock:  # a drift check in flight finishes first; none starts after this
        gate.deleting = True
    # Applied after this handler, whatever its outcome: see `DriftGate` for why it must be a change.
    conditions = Conditions(body.status.get("conditions"), int(body.metadata.get("generation") or 1))
    conditions.set("Ready", False, "Deleting", "applying the deletion policies")
    patch.status.update(phase="Deleting", conditions=conditions.as_list())
    try:
        events = delete_tenant(memo.ctx, _body(body))
    except WaitingFor as exc:
        raise kopf.TemporaryError(str(exc), delay=exc.delay) from exc
    for event in events:
        logger.info("%s: %s", event.reason, event.message)
        kopf.event(body, type="Normal", reason=event.reason, message=event.message)
    metrics.RECONCILES.labels("Tenant", "deleted").inc()


def _shard(memo: kopf.Memo, body: kopf.Body, patch: kopf.Patch) -> None:
    started = time.perf_counter()
    status = reconcile_shard(memo.ctx, _body(body))
    patch.status.update(status)
    ready = any(c["type"] == "Ready" and c["status"] == "True" for c in status["conditions"])
    was_ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in body.status.get("conditions", []))
    if ready != was_ready:
        condition = next(c for c in status["conditions"] if c["type"] == "Ready")
        kopf.event(
            body, type="Normal" if ready else "Warning", reason=condition["reason"], message=condition["message"]
        )
    metrics.RECONCILES.labels("DatabaseShard", "success" if ready else "not-ready").inc()
    metrics.RECONCILE_DURATION.labels("DatabaseShard").observe(time.perf_counter() - started)


@kopf.on.create(*SHARDS)
def shard_created(memo: kopf.Memo, body: kopf.Body, patch: kopf.Patch, **_: Any) -> None:
    _shard(memo, body, patch)


@kopf.on.update(*SHARDS)
def shard_updated(memo: kopf.Memo, body: kopf.Body, patch: kopf.Patch, **_: Any) -> None:
    _shard(memo, body, patch)


@kopf.on.resume(*SHARDS)
def shard_resumed(memo: kopf.Memo, body: kopf.Body, patch: kopf.Patch, **_: Any) -> None:
    _shard(memo, body, patch)


def _shard_interval() -> float:
    return OperatorConfig.from_env().shard_interval


@kopf.timer(*SHARDS, interval=_shard_interval(), initial_delay=_shard_interval())
def shard_check(memo: kopf.Memo, body: kopf.Body, patch: kopf.Patch, **_: Any) -> None:
    _shard(memo, body, patch)
