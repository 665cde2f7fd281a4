"""Cluster mode: the control plane writes `Tenant` resources; the operator reconciles them and
reports back in their status, which `KubernetesProvisioner.status` reads and the tenants' task
(`tasks.sync_tenant_status`) mirrors into the tenant record.

Uses the official `kubernetes` client: in-cluster credentials, a kubeconfig, or the
KUBERNETES_API_URL setting (an API server on loopback, e.g. the kmock emulator in tests).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from control_plane.tenants.provisioner import ProvisionOutcome

if TYPE_CHECKING:
    from control_plane.tenants.models import Tenant

logger = logging.getLogger("tenantry.provisioner.kubernetes")

# What the operator serves (operator/tenant_operator/crds.py; crds/tenant.yaml).
GROUP = "tenantry.dev"
VERSION = "v1alpha1"
PLURAL = "tenants"
KIND = "Tenant"
MERGE_PATCH = "application/merge-patch+json"


def as_object(answer: object) -> dict[str, Any]:
    """The client types custom objects as `object`; they are JSON objects."""
    if not isinstance(answer, dict):
        raise TypeError(f"the API server answered {type(answer).__name__}, not a JSON object")
    return answer


def api_client() -> client.ApiClient:
    url = str(settings.KUBERNETES_API_URL)
    if url:
        configuration = client.Configuration()
        configuration.host = url
        configuration.api_key = (
            {"authorization": f"Bearer {settings.KUBERNETES_API_TOKEN}"} if (settings.KUBERNETES_API_TOKEN) else {}
        )
        return client.ApiClient(configuration)
    try:
        config.load_incluster_config()  # type: ignore[no-untyped-call]  # the client's loaders are untyped
    except config.ConfigException:
        config.load_kube_config()  # type: ignore[no-untyped-call]  # the client's loaders are untyped
    return client.ApiClient()


def tenant_spec(tenant: Tenant) -> dict[str, Any]:
    """The resource's spec: a pure function of the record."""
    from control_plane.tenants.models import MemberRole, TenantState

    owner = tenant.memberships.filter(role=MemberRole.OWNER).select_related("user").order_by("id").first()
    return {
        "displayName": tenant.name[:100],
        "plan": tenant.plan,
        "tier": tenant.tier,
        "region": tenant.region,
        "owner": {"email": owner.user.email if owner is not None else f"owner@{tenant.slug}.invalid"},
        "database": {"deletionPolicy": tenant.deletion_policy},
        "broker": {"deletionPolicy": tenant.deletion_policy},
        "suspended": tenant.state == TenantState.SUSPENDED,
    }


def tenant_resource(tenant: Tenant) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": KIND,
        "metadata": {
            "name": tenant.slug,
            "labels": {"app.kubernetes.io/managed-by": "tenantry-control-plane"},
            "annotations": {f"{GROUP}/control-plane-id": str(tenant.pk)},
        },
        "spec": tenant_spec(tenant),
    }


@dataclass(frozen=True)
class ResourceStatus:
    """What the operator reports in a Tenant resource's status."""

    conditions: list[dict[str, Any]]
    observed_generation: int | None
    shard: str
    url: str
    # The status describes the resource's latest spec (or does not say which generation it describes).
    current: bool

    def condition(self, type_: str) -> dict[str, Any] | None:
        return next((c for c in self.conditions if c.get("type") == type_), None)


class KubernetesProvisioner:
    name = "kubernetes"

    def __init__(self, api: client.ApiClient | None = None) -> None:
        self.api = client.CustomObjectsApi(api or api_client())

    def get(self, slug: str) -> dict[str, Any] | None:
        try:
            found = as_object(self.api.get_cluster_custom_object(GROUP, VERSION, PLURAL, slug))
        except ApiException as error:
            if error.status == 404:
                return None
            raise
        return found

    def _patch_spec(self, slug: str, spec: dict[str, Any]) -> dict[str, Any]:
        return as_object(
            self.api.patch_cluster_custom_object(
                GROUP, VERSION, PLURAL, slug, {"spec": spec}, _content_type=MERGE_PATCH
            )
        )

    def apply(self, tenant: Tenant) -> dict[str, Any]:
        """Create the resource, or bring an existing one's spec to the record (a retry, a change)."""
        try:
            return as_object(self.api.create_cluster_custom_object(GROUP, VERSION, PLURAL, tenant_resource(tenant)))
        except ApiException as error:
            if error.status != 409:
                raise
        return self._patch_spec(tenant.slug, tenant_spec(tenant))

    def status(self, slug: str) -> ResourceStatus | None:
        """The operator's report on the Tenant resource `slug`; None when the resource is gone."""
        resource = self.get(slug)
        if resource is None:
            return None
        status = resource.get("status") or {}
        observed = status.get("observedGeneration")
        generation = int((resource.get("metadata") or {}).get("generation", 1))
        return ResourceStatus(
            conditions=list(status.get("conditions") or []),
            observed_generation=observed,
            shard=str(status.get("shard") or ""),
            url=str(status.get("url") or ""),
            current=observed in (None, generation),
        )

    def provision(self, tenant: Tenant) -> ProvisionOutcome:
        resource = self.apply(tenant)
        status = resource.get("status") or {}
        # Ready only once the operator says so (tasks.sync_tenant_status), never at creation.
        return ProvisionOutcome(
            ready=False, shard=str(status.get("shard", "")), conditions=status.get("conditions") or []
        )

    def apply_plan(self, tenant: Tenant) -> None:
        self.apply(tenant)

    def suspend(self, tenant: Tenant) -> None:
        self.apply(tenant)

    def resume(self, tenant: Tenant) -> None:
        self.apply(tenant)

    def delete(self, tenant: Tenant) -> bool:
        """Set the deletion policy, then delete; the operator's finalizer removes the rest."""
        if self.get(tenant.slug) is None:
            return True
        policy = {
            "database": {"deletionPolicy": tenant.deletion_policy},
            "broker": {"deletionPolicy": tenant.deletion_policy},
        }
        try:
            self._patch_spec(tenant.slug, policy)
            self.api.delete_cluster_custom_object(GROUP, VERSION, PLURAL, tenant.slug)
        except ApiException as error:
            if error.status == 404:
                return True
            raise
        return self.get(tenant.slug) is None
