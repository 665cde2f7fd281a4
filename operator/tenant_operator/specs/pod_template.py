"""The pod every workload and Job of a tenant runs: its image, configuration, Secrets and lock-down."""

from __future__ import annotations

from typing import Any

from tenant_operator.specs.common import RenderContext
from tenant_operator.specs.config_map import CONFIG_MAP_NAME
from tenant_operator.specs.service_account import SERVICE_ACCOUNT_NAME
from tenantry_kernel.provisioning.plans import Resources

RUN_AS_USER = 10001


def pod_spec(ctx: RenderContext, container: dict[str, Any], *, restart_policy: str = "Always") -> dict[str, Any]:
    container = {
        **container,
        "image": ctx.image,
        "imagePullPolicy": "Always" if ctx.settings.version == "latest" else "IfNotPresent",
        "envFrom": [
            {"configMapRef": {"name": CONFIG_MAP_NAME}},
            {"secretRef": {"name": ctx.secrets.database}},
            {"secretRef": {"name": ctx.secrets.broker}},
            {"secretRef": {"name": ctx.secrets.django}},
        ],
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": RUN_AS_USER,
            "runAsGroup": RUN_AS_USER,
            "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],  # noqa: S108
    }
    return {
        "serviceAccountName": SERVICE_ACCOUNT_NAME,
        "automountServiceAccountToken": False,
        "restartPolicy": restart_policy,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": RUN_AS_USER,
            "runAsGroup": RUN_AS_USER,
            "fsGroup": RUN_AS_USER,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [container],
        "volumes": [{"name": "tmp", "emptyDir": {}}],
    }


def resources(bounds: Resources) -> dict[str, Any]:
    return {
        "requests": {"cpu": bounds.cpu_request, "memory": bounds.memory_request},
        "limits": {"cpu": bounds.cpu_limit, "memory": bounds.memory_limit},
    }
