"""The Job that migrates a tenant's schema to spec.app.version, for either tier."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from tenant_operator.specs.common import (
    APP_VERSION_ANNOTATION,
    Placement,
    RenderConfig,
    RenderContext,
    SecretNames,
    TenantRef,
)
from tenant_operator.specs.pod_template import pod_spec, resources
from tenantry_kernel.provisioning.naming import validate_slug

JOB = ("batch/v1", "Job")
MIGRATE_COMMAND = ["python", "tenant-app/manage.py", "migrate", "--noinput"]
MIGRATION_BACKOFF_LIMIT = 3
MIGRATION_DEADLINE_SECONDS = 30 * 60
# Long enough for the handlers and people to read the outcome; a re-run is harmless.
MIGRATION_TTL_SECONDS = 24 * 60 * 60


def render_migration_job(
    tenant: TenantRef,
    spec: dict[str, Any],
    placement: Placement,
    secrets: SecretNames,
    config: RenderConfig,
) -> dict[str, Any]:
    """The Job that migrates the tenant's schema to spec.app.version.

    Its name depends on the version and the inputs that change what migrate does, not on
    the generation: re-rendering after an unrelated spec change names the same Job, so the
    handlers do not run migrations twice.
    """
    ctx = RenderContext.of(tenant, spec, placement, secrets, config)
    name = migration_job_name(ctx.settings.version, ctx.config, ctx.placement, ctx.secrets)
    container = {
        "name": "migrate",
        "command": list(MIGRATE_COMMAND),
        "workingDir": "/app",
        "resources": resources(ctx.settings.plan.worker),
    }
    annotations = {APP_VERSION_ANNOTATION: ctx.settings.version}
    return {
        "apiVersion": JOB[0],
        "kind": JOB[1],
        "metadata": ctx.metadata(name, "migrate", annotations=annotations),
        "spec": {
            "backoffLimit": MIGRATION_BACKOFF_LIMIT,
            "activeDeadlineSeconds": MIGRATION_DEADLINE_SECONDS,
            "ttlSecondsAfterFinished": MIGRATION_TTL_SECONDS,
            "template": {
                "metadata": {"labels": ctx.labels("migrate"), "annotations": annotations},
                "spec": pod_spec(ctx, container, restart_policy="Never"),
            },
        },
    }


def render_shared_migration_job(
    tenant: TenantRef,
    spec: dict[str, Any],
    placement: Placement,
    secrets: SecretNames,
    config: RenderConfig,
    namespace: str,
) -> dict[str, Any]:
    """The migrations Job of a shared-tier tenant, run in the operator's `namespace`.

    Shared tenants have no namespace, ConfigMap or ServiceAccount of their own: the Job
    takes the tenant's Secrets (kept in `namespace`) and the few settings migrate needs.
    """
    job = render_migration_job(tenant, {**spec, "tier": "dedicated"}, placement, secrets, config)
    slug = validate_slug(tenant.name)
    job["metadata"]["namespace"] = namespace
    job["metadata"]["name"] = f"{slug}-{job['metadata']['name']}"[:63].rstrip("-")
    pod = job["spec"]["template"]["spec"]
    pod.pop("serviceAccountName", None)
    container = pod["containers"][0]
    container["envFrom"] = [ref for ref in container["envFrom"] if "secretRef" in ref]
    container["env"] = [
        {"name": "DJANGO_SETTINGS_MODULE", "value": "tenant_app.settings.production"},
        {"name": "DJANGO_ALLOWED_HOSTS", "value": f"{slug}.{config.base_domain}"},
        {"name": "TENANT_SLUG", "value": slug},
    ]
    return job


def migration_job_name(version: str, config: RenderConfig, placement: Placement, secrets: SecretNames) -> str:
    version_slug = re.sub(r"[^a-z0-9]+", "-", version.lower()).strip("-")[:30].rstrip("-") or "v"
    inputs = {
        "image": config.image,
        "version": version,
        "shard": placement.shard,
        "database_secret": secrets.database,
    }
    digest = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:10]
    return f"migrate-{version_slug}-{digest}"
