"""The Ingress that routes the tenant's hosts to its web Service, with a cert-manager certificate."""

from __future__ import annotations

from typing import Any

from tenant_operator.specs.common import RenderContext

INGRESS = ("networking.k8s.io/v1", "Ingress")
TLS_SECRET_NAME = "web-tls"  # noqa: S105 - the name of the certificate Secret, not a password


def render_ingress(ctx: RenderContext) -> dict[str, Any]:
    hosts = ctx.hosts
    return {
        "apiVersion": INGRESS[0],
        "kind": INGRESS[1],
        "metadata": ctx.metadata(
            "web", "web", annotations={"cert-manager.io/cluster-issuer": ctx.config.cluster_issuer}
        ),
        "spec": {
            "ingressClassName": ctx.config.ingress_class,
            "tls": [{"hosts": hosts, "secretName": TLS_SECRET_NAME}],
            "rules": [
                {"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": _web_backend()}]}}
                for host in hosts
            ],
        },
    }


def _web_backend() -> dict[str, Any]:
    return {"service": {"name": "web", "port": {"name": "http"}}}
