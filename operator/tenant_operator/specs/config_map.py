"""The ConfigMap of settings the tenant's pods read at start (nothing secret)."""

from __future__ import annotations

import json
from typing import Any

from tenant_operator.specs.common import APP_NAME, RenderContext

CONFIG_MAP = ("v1", "ConfigMap")
CONFIG_MAP_NAME = "tenant-app-config"


def config_data(ctx: RenderContext) -> dict[str, str]:
    hosts = ctx.hosts
    plan = ctx.settings.plan
    return {
        "TENANT_SLUG": ctx.slug,
        "TENANT_PLAN": plan.name.value,
        "TENANT_SHARD": ctx.placement.shard,
        "TENANT_FEATURES": json.dumps(dict(ctx.settings.features), sort_keys=True, separators=(",", ":")),
        "SERVICE_NAME": APP_NAME,
        "DJANGO_SETTINGS_MODULE": "tenant_app.settings.production",
        "DJANGO_ALLOWED_HOSTS": ",".join(hosts),
        "DJANGO_CSRF_TRUSTED_ORIGINS": ",".join(f"https://{host}" for host in hosts),
        "LOG_LEVEL": "INFO",
        # The role's connection limit, less two for migrations and workers, across the web replicas.
        "DATABASE_POOL_SIZE": str(min(10, max(2, (plan.db_connection_limit - 2) // plan.replicas_max))),
        "OTEL_SERVICE_NAME": APP_NAME,
        "OTEL_RESOURCE_ATTRIBUTES": f"tenantry.tenant={ctx.slug},tenantry.plan={plan.name.value}",
    }


def render_config_map(ctx: RenderContext) -> dict[str, Any]:
    return {
        "apiVersion": CONFIG_MAP[0],
        "kind": CONFIG_MAP[1],
        "metadata": ctx.metadata(CONFIG_MAP_NAME, "config"),
        "data": config_data(ctx),
    }
