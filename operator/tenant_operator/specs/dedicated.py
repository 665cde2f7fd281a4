"""Every object of a dedicated-tier tenant's namespace, assembled in a safe order to apply."""

from __future__ import annotations

from typing import Any

from tenant_operator.specs.common import Placement, RenderConfig, RenderContext, SecretNames, TenantRef
from tenant_operator.specs.config_map import CONFIG_MAP, render_config_map
from tenant_operator.specs.deployment import DEPLOYMENT, render_deployment
from tenant_operator.specs.horizontal_pod_autoscaler import (
    HORIZONTAL_POD_AUTOSCALER,
    render_horizontal_pod_autoscaler,
)
from tenant_operator.specs.ingress import INGRESS, render_ingress
from tenant_operator.specs.limit_range import LIMIT_RANGE, render_limit_range
from tenant_operator.specs.namespace import NAMESPACE, render_namespace
from tenant_operator.specs.network_policy import NETWORK_POLICY, render_network_policies
from tenant_operator.specs.pod_disruption_budget import POD_DISRUPTION_BUDGET, render_pod_disruption_budget
from tenant_operator.specs.resource_quota import RESOURCE_QUOTA, render_resource_quota
from tenant_operator.specs.service import SERVICE, render_service
from tenant_operator.specs.service_account import SERVICE_ACCOUNT, render_service_account
from tenant_operator.specs.settings import resolve_settings

# Every kind render_dedicated can produce: the handlers prune MANAGED_KINDS - desired_kinds(spec).
# Migration Jobs are not pruned by kind; ttlSecondsAfterFinished removes them.
MANAGED_KINDS: frozenset[tuple[str, str]] = frozenset(
    {
        NAMESPACE,
        SERVICE_ACCOUNT,
        RESOURCE_QUOTA,
        LIMIT_RANGE,
        NETWORK_POLICY,
        CONFIG_MAP,
        SERVICE,
        DEPLOYMENT,
        HORIZONTAL_POD_AUTOSCALER,
        POD_DISRUPTION_BUDGET,
        INGRESS,
    }
)


def desired_kinds(spec: dict[str, Any]) -> set[tuple[str, str]]:
    """(apiVersion, kind) of the objects render_dedicated returns for this spec."""
    settings = resolve_settings(spec)
    kinds = set(MANAGED_KINDS)
    if not settings.autoscaled:
        kinds.discard(HORIZONTAL_POD_AUTOSCALER)
    if not settings.disruption_budget:
        kinds.discard(POD_DISRUPTION_BUDGET)
    return kinds


def render_dedicated(
    tenant: TenantRef,
    spec: dict[str, Any],
    placement: Placement,
    secrets: SecretNames,
    config: RenderConfig,
) -> list[dict[str, Any]]:
    """Every object of the tenant's namespace, in an order that is safe to apply one by one.

    The namespace comes first, then the quota, limits and network policies that must be in
    place before any pod starts, then the configuration the pods read, the workloads, and
    finally what routes traffic to them.

    While the web Deployment is autoscaled its `replicas` is left out, so that applying
    the manifest never resets what the HPA chose. An HPA does not scale up from 0: when
    resuming a suspended tenant, the handlers must not leave a stale `replicas: 0` behind
    (server-side apply drops it; a merge patch must set it to replicas_min).
    """
    ctx = RenderContext.of(tenant, spec, placement, secrets, config)
    objects = [
        render_namespace(ctx),
        render_service_account(ctx),
        render_resource_quota(ctx),
        render_limit_range(ctx),
        *render_network_policies(ctx),
        render_config_map(ctx),
        render_service(ctx),
        render_deployment(ctx, "web"),
        render_deployment(ctx, "worker"),
        render_deployment(ctx, "beat"),
    ]
    if ctx.settings.autoscaled:
        objects.append(render_horizontal_pod_autoscaler(ctx))
    if ctx.settings.disruption_budget:
        objects.append(render_pod_disruption_budget(ctx))
    objects.append(render_ingress(ctx))
    return objects
