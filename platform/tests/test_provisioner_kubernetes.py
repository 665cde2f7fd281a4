"""The kubernetes provisioner against the kmock-based API emulator (the operator's test emulator):
the Tenant resource gets the record's spec, and its status conditions flow back into the record."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client

from control_plane.accounts.models import User
from control_plane.tenants import tasks
from control_plane.tenants.actions import lifecycle
from control_plane.tenants.models import DeletionPolicy, Tenant, TenantState
from control_plane.tenants.provisioner.kubernetes import GROUP, PLURAL, VERSION
from control_plane.tenants.tasks import sync_tenant_status
from tenantry_kernel.testing.kubernetes import EmulatorThread

pytestmark = pytest.mark.django_db


@pytest.fixture
def emulator(settings: Any) -> Iterator[EmulatorThread]:
    with EmulatorThread() as running:
        settings.TENANT_PROVISIONER = "kubernetes"
        settings.KUBERNETES_API_URL = running.url
        yield running


def resource(emulator: EmulatorThread, slug: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = emulator.kube.get(f"{GROUP}/{VERSION}", PLURAL, slug)
    return found


def existing(emulator: EmulatorThread, slug: str) -> dict[str, Any]:
    """The Tenant resource, which the test expects to be there."""
    found = resource(emulator, slug)
    assert found is not None, f"no Tenant resource {slug!r}"
    return found


def operator_reports(emulator: EmulatorThread, slug: str, ready: bool, reason: str, **status: Any) -> None:
    """What the operator writes to the status subresource, through the same client library."""
    configuration = client.Configuration()
    configuration.host = emulator.url
    api = client.CustomObjectsApi(client.ApiClient(configuration))
    generation = existing(emulator, slug)["metadata"]["generation"]
    body = {
        "status": {
            "observedGeneration": generation,
            "conditions": [
                {"type": "DatabaseReady", "status": "True", "reason": "Provisioned", "message": "schema t_x",
                 "lastTransitionTime": "2026-11-26T10:00:00Z"},
                {"type": "Ready", "status": "True" if ready else "False", "reason": reason, "message": reason,
                 "lastTransitionTime": "2026-11-26T10:00:00Z"},
            ],
            **status,
        }
    }  # fmt: skip
    api.patch_cluster_custom_object_status(
        GROUP, VERSION, PLURAL, slug, body, _content_type="application/merge-patch+json"
    )


def provisioning_tenant(owner: User, **fields: Any) -> Tenant:
    tenant = lifecycle.create_tenant(
        name="Nordic Outdoor Gear", slug=f"nordic-{secrets.token_hex(3)}", owner=owner, plan="growth", **fields
    )
    return lifecycle.request_provisioning(tenant)


def test_provisioning_creates_the_tenant_resource_with_the_records_spec(
    emulator: EmulatorThread, make_user: Any
) -> None:
    owner = make_user(f"o-{secrets.token_hex(3)}@example.com")
    tenant = provisioning_tenant(owner, tier="dedicated")

    # the task writes the resource; the tenant stays provisioning until the operator says Ready
    assert tasks.provision_tenant.apply(args=(str(tenant.pk),)).get() == TenantState.PROVISIONING
    assert tasks.provision_tenant.apply(args=(str(tenant.pk),)).get() == TenantState.PROVISIONING  # a retry converges

    spec = existing(emulator, tenant.slug)["spec"]
    assert spec == {
        "displayName": "Nordic Outdoor Gear",
        "plan": "growth",
        "tier": "dedicated",
        "region": "local",
        "owner": {"email": owner.email},
        "database": {"deletionPolicy": "Delete"},
        "broker": {"deletionPolicy": "Delete"},
        "suspended": False,
    }
    tenant.refresh_from_db()
    assert tenant.state == TenantState.PROVISIONING


def test_status_conditions_are_mirrored_and_ready_makes_the_tenant_ready(
    emulator: EmulatorThread, make_user: Any
) -> None:
    tenant = provisioning_tenant(make_user(f"o-{secrets.token_hex(3)}@example.com"))
    tasks.provision_tenant.apply(args=(str(tenant.pk),)).get()

    # not ready yet: conditions mirrored, state unchanged
    operator_reports(emulator, tenant.slug, False, "MigrationsRunning", shard="local-1")
    synced = sync_tenant_status(Tenant.objects.get(pk=tenant.pk))
    assert synced.state == TenantState.PROVISIONING
    assert [(c["type"], c["status"]) for c in synced.conditions] == [("DatabaseReady", "True"), ("Ready", "False")]
    assert synced.shard == "local-1"

    # Ready=True → ready, with the URL the operator reports
    operator_reports(emulator, tenant.slug, True, "Reconciled", url=f"https://{tenant.slug}.tenantry.example/")
    synced = sync_tenant_status(Tenant.objects.get(pk=tenant.pk))
    assert synced.state == TenantState.READY
    assert synced.url == f"https://{tenant.slug}.tenantry.example/"
    assert synced.observed_generation == 1


def test_invalid_spec_marks_the_tenant_failed(emulator: EmulatorThread, make_user: Any) -> None:
    tenant = provisioning_tenant(make_user(f"o-{secrets.token_hex(3)}@example.com"))
    tasks.provision_tenant.apply(args=(str(tenant.pk),)).get()
    operator_reports(emulator, tenant.slug, False, "InvalidSpec")
    assert sync_tenant_status(Tenant.objects.get(pk=tenant.pk)).state == TenantState.FAILED


def test_suspend_plan_change_and_deletion_reach_the_resource(emulator: EmulatorThread, make_user: Any) -> None:
    tenant = provisioning_tenant(make_user(f"o-{secrets.token_hex(3)}@example.com"))
    tasks.provision_tenant.apply(args=(str(tenant.pk),)).get()
    operator_reports(emulator, tenant.slug, True, "Reconciled", url="https://x.example/")
    tenant = sync_tenant_status(Tenant.objects.get(pk=tenant.pk))

    lifecycle.suspend(tenant, reason="unpaid")
    tasks.suspend_tenant.apply(args=(str(tenant.pk),)).get()
    assert existing(emulator, tenant.slug)["spec"]["suspended"] is True

    lifecycle.change_plan(tenant, "enterprise")
    tasks.apply_plan.apply(args=(str(tenant.pk),)).get()
    assert existing(emulator, tenant.slug)["spec"]["plan"] == "enterprise"

    lifecycle.request_deletion(tenant, policy=DeletionPolicy.RETAIN)
    # the emulator has no operator finalizer: the resource goes at once, and the record follows
    assert tasks.delete_tenant.apply(args=(str(tenant.pk),)).get() == TenantState.DELETED
    assert resource(emulator, tenant.slug) is None
    assert Tenant.objects.get(pk=tenant.pk).state == TenantState.DELETED


def test_a_resource_held_by_a_finalizer_is_deleted_when_sync_sees_it_gone(
    emulator: EmulatorThread, make_user: Any
) -> None:
    tenant = provisioning_tenant(make_user(f"o-{secrets.token_hex(3)}@example.com"))
    tasks.provision_tenant.apply(args=(str(tenant.pk),)).get()
    configuration = client.Configuration()
    configuration.host = emulator.url
    api = client.CustomObjectsApi(client.ApiClient(configuration))
    # the operator's finalizer holds the resource while it removes the tenant's data
    api.patch_cluster_custom_object(
        GROUP, VERSION, PLURAL, tenant.slug, {"metadata": {"finalizers": ["tenantry.dev/finalizer"]}},
        _content_type="application/merge-patch+json",
    )  # fmt: skip

    lifecycle.request_deletion(tenant, policy=DeletionPolicy.DELETE)
    assert tasks.delete_tenant.apply(args=(str(tenant.pk),)).get() == TenantState.DELETING
    assert existing(emulator, tenant.slug)["spec"]["database"] == {"deletionPolicy": "Delete"}
    assert sync_tenant_status(Tenant.objects.get(pk=tenant.pk)).state == TenantState.DELETING

    api.patch_cluster_custom_object(
        GROUP, VERSION, PLURAL, tenant.slug, {"metadata": {"finalizers": None}},
        _content_type="application/merge-patch+json",
    )  # fmt: skip
    assert sync_tenant_status(Tenant.objects.get(pk=tenant.pk)).state == TenantState.DELETED
