"""Provisioning work and invitation mail, run by the control plane's worker after the action that decided it commits,
and the periodic mirror of the Tenant resources' status (cluster mode).

Each task re-reads the tenant and does nothing when its state moved on (a stale message), so
redelivery and retries are harmless; the provisioner backends are idempotent. A failure is
retried with exponential backoff and full jitter; provisioning that keeps failing marks the
tenant failed (ops can retry it).
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING, Any

from celery import Task, shared_task
from django.conf import settings

from control_plane.tenants import emails
from control_plane.tenants.actions import lifecycle, members
from control_plane.tenants.models import Tenant, TenantState
from control_plane.tenants.provisioner import provisioner
from tenantry_kernel.mail import MAIL_TASK_OPTIONS, send

if TYPE_CHECKING:
    from control_plane.tenants.provisioner.kubernetes import KubernetesProvisioner

logger = logging.getLogger("tenantry.tenants.tasks")


def _tenant(tenant_id: str, *states: str) -> Tenant | None:
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None or tenant.state not in states:
        logger.info("skipping stale provisioning task", extra={"tenant_id": tenant_id})
        return None
    return tenant


def _may_retry(task: Task[Any, Any]) -> bool:
    retries: int = settings.TENANT_PROVISIONING_RETRIES
    return int(task.request.retries or 0) < retries


def _retry(task: Task[Any, Any], error: Exception) -> Exception:
    """The retry to raise: exponential backoff with full jitter, so tenants that failed together spread out."""
    ceiling = min(settings.TENANT_PROVISIONING_BACKOFF * 2 ** int(task.request.retries or 0), 600)
    countdown = random.uniform(0, ceiling)  # noqa: S311 - jitter, not a secret
    return task.retry(exc=error, countdown=countdown, max_retries=settings.TENANT_PROVISIONING_RETRIES)


@shared_task(bind=True, name="tenants.provision", acks_late=True)
def provision_tenant(self: Task[Any, Any], tenant_id: str) -> str | None:
    tenant = _tenant(tenant_id, TenantState.PROVISIONING)
    if tenant is None:
        return None
    try:
        outcome = provisioner().provision(tenant)
    except Exception as error:
        logger.warning("provisioning failed", extra={"tenant": tenant.slug}, exc_info=True)
        if _may_retry(self):
            raise _retry(self, error) from error
        lifecycle.mark_failed(tenant, reason=f"{type(error).__name__}: {error}"[:500])
        return TenantState.FAILED
    lifecycle.record_status(tenant, conditions=outcome.conditions, shard=outcome.shard)
    if outcome.ready:
        return lifecycle.mark_ready(tenant, url=outcome.url).state
    return tenant.state


def _lifecycle_task(self: Task[Any, Any], tenant_id: str, states: tuple[str, ...], step: str) -> bool:
    tenant = _tenant(tenant_id, *states)
    if tenant is None:
        return False
    try:
        getattr(provisioner(), step)(tenant)
    except Exception as error:
        logger.warning("%s failed", step, extra={"tenant": tenant.slug}, exc_info=True)
        if _may_retry(self):
            raise _retry(self, error) from error
        raise
    return True


@shared_task(bind=True, name="tenants.suspend", acks_late=True)
def suspend_tenant(self: Task[Any, Any], tenant_id: str) -> bool:
    return _lifecycle_task(self, tenant_id, (TenantState.SUSPENDED,), "suspend")


@shared_task(bind=True, name="tenants.resume", acks_late=True)
def resume_tenant(self: Task[Any, Any], tenant_id: str) -> bool:
    return _lifecycle_task(self, tenant_id, (TenantState.READY,), "resume")


@shared_task(bind=True, name="tenants.apply_plan", acks_late=True)
def apply_plan(self: Task[Any, Any], tenant_id: str) -> bool:
    return _lifecycle_task(self, tenant_id, (TenantState.READY, TenantState.SUSPENDED), "apply_plan")


@shared_task(bind=True, name="tenants.delete", acks_late=True)
def delete_tenant(self: Task[Any, Any], tenant_id: str) -> str | None:
    tenant = _tenant(tenant_id, TenantState.DELETING)
    if tenant is None:
        return None
    try:
        gone = provisioner().delete(tenant)
    except Exception as error:
        logger.warning("deletion failed", extra={"tenant": tenant.slug}, exc_info=True)
        if _may_retry(self):
            raise _retry(self, error) from error
        raise
    if gone:
        return lifecycle.mark_deleted(tenant).state
    return tenant.state


def sync_tenant_status(tenant: Tenant, backend: KubernetesProvisioner | None = None) -> Tenant:
    """Mirror the Tenant resource's status into the record: conditions, generation, shard, URL, and
    the state they imply (Ready=True → ready; InvalidSpec → failed; resource gone while deleting → deleted).

    The provisioner only reports (`KubernetesProvisioner.status`); what the report means for the tenant is decided here.
    """
    from control_plane.tenants.provisioner.kubernetes import KubernetesProvisioner

    backend = backend or KubernetesProvisioner()
    status = backend.status(tenant.slug)
    if status is None:
        if tenant.state == TenantState.DELETING:
            return lifecycle.mark_deleted(tenant)
        return tenant
    tenant = lifecycle.record_status(
        tenant, conditions=status.conditions, observed_generation=status.observed_generation, shard=status.shard
    )
    ready = status.condition("Ready")
    if ready is None:
        return tenant
    if tenant.state == TenantState.PROVISIONING and status.current:
        if ready.get("status") == "True":
            return lifecycle.mark_ready(tenant, url=status.url, source="provisioner")
        if ready.get("reason") == "InvalidSpec":
            return lifecycle.mark_failed(tenant, reason=str(ready.get("message") or "InvalidSpec"))
    return tenant


@shared_task(name="tenants.sync_status")
def sync_tenants() -> int:
    """Mirror every live tenant's resource status (kubernetes backend); Beat runs it periodically."""
    from control_plane.tenants.provisioner.kubernetes import KubernetesProvisioner

    if settings.TENANT_PROVISIONER != "kubernetes":
        return 0
    backend = KubernetesProvisioner()
    count = 0
    for tenant in Tenant.objects.exclude(state=TenantState.DELETED).order_by("slug"):
        sync_tenant_status(tenant, backend)
        count += 1
    return count


@shared_task(name="tenants.send_invitation", **MAIL_TASK_OPTIONS)
def send_invitation(invitation_id: int) -> None:
    """Mail the invitation with a token made now (tenants.emails says why); nothing if it was closed meanwhile."""
    issued = members.issue_invitation_token(invitation_id)
    if issued is None:
        logger.info("invitation not mailed: accepted, revoked or expired", extra={"invitation_id": invitation_id})
        return
    invitation, token = issued
    send(emails.invitation_email(invitation, token))
