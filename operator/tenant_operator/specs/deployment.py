"""The web, worker and beat Deployments."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tenant_operator.specs.common import APP_NAME, APP_VERSION_ANNOTATION, WEB_PORT, RenderContext
from tenant_operator.specs.config_map import config_data
from tenant_operator.specs.pod_template import pod_spec, resources

DEPLOYMENT = ("apps/v1", "Deployment")
CONFIG_HASH_ANNOTATION = "tenantry.dev/config-hash"

WEB_COMMAND = [
    "python",
    "-m",
    "tenantry_kernel.serve",
    "tenant_app.asgi:application",
    "--service",
    APP_NAME,
    "--host",
    "0.0.0.0",  # noqa: S104 - the pod's own interface; the NetworkPolicy limits who reaches it
    "--port",
    str(WEB_PORT),
]
WORKER_COMMAND = ["celery", "-A", "tenant_app", "worker", "--loglevel", "INFO"]
# Beat reads its entries from the tenant's own schema (django-celery-beat), so nothing is
# written to the read-only root filesystem; the worker and beat reach the tenant's own vhost
# through BROKER_URL in the broker Secret.
BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
BEAT_COMMAND = ["celery", "-A", "tenant_app", "beat", "--scheduler", BEAT_SCHEDULER, "--loglevel", "INFO"]


def render_deployment(ctx: RenderContext, component: str) -> dict[str, Any]:
    plan = ctx.settings.plan
    container: dict[str, Any] = {"name": component}
    spec: dict[str, Any] = {}
    if component == "web":
        container |= {
            "command": list(WEB_COMMAND),
            "ports": [{"name": "http", "containerPort": WEB_PORT, "protocol": "TCP"}],
            "resources": resources(plan.web),
            "startupProbe": _http_probe("/healthz", period=5, failures=30),
            "livenessProbe": _http_probe("/healthz", period=10, failures=3),
            "readinessProbe": _http_probe("/readyz", period=10, failures=3),
        }
        # Autoscaled: the HPA owns the count (see dedicated.render_dedicated).
        if not ctx.settings.autoscaled:
            spec["replicas"] = 0 if ctx.settings.suspended else ctx.settings.replicas_min
        spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    elif component == "worker":
        container |= {"command": list(WORKER_COMMAND), "resources": resources(plan.worker)}
        spec["replicas"] = 0 if ctx.settings.suspended else ctx.settings.replicas_min
        spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    elif component == "beat":
        # One scheduler only, even during a rollout: two would send every periodic task twice.
        container |= {"command": list(BEAT_COMMAND), "resources": resources(plan.worker)}
        spec["replicas"] = 0 if ctx.settings.suspended else 1
        spec["strategy"] = {"type": "Recreate"}
    else:
        raise ValueError(f"unknown workload {component!r}; expected web, worker or beat")

    pod = pod_spec(ctx, container)
    if component == "worker":
        pod["terminationGracePeriodSeconds"] = 60  # let Celery finish running tasks
    spec |= {
        "revisionHistoryLimit": 5,
        "selector": {"matchLabels": ctx.selector(component)},
        "template": {
            "metadata": {
                "labels": ctx.labels(component),
                "annotations": {
                    APP_VERSION_ANNOTATION: ctx.settings.version,
                    # The ConfigMap is read at start: a change in it must roll the pods.
                    CONFIG_HASH_ANNOTATION: _digest(config_data(ctx)),
                },
            },
            "spec": pod,
        },
    }
    return {
        "apiVersion": DEPLOYMENT[0],
        "kind": DEPLOYMENT[1],
        "metadata": ctx.metadata(component, component),
        "spec": spec,
    }


def _http_probe(path: str, *, period: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": "http"},
        "periodSeconds": period,
        "timeoutSeconds": 3,
        "failureThreshold": failures,
    }


def _digest(data: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
