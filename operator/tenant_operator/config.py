"""Operator configuration from the environment, and how it maps onto kopf's settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import kopf

from tenant_operator.api import API_GROUP
from tenantry_kernel.config import getenv


@dataclass(frozen=True)
class OperatorConfig:
    metrics_port: int = 9090
    liveness_port: int = 8080
    namespace_scope: str | None = None  # None: the whole cluster
    peering: bool = True
    # Where the Secrets of shared-tier tenants and their migration Jobs live.
    system_namespace: str = "tenantry-system"
    base_domain: str = "tenantry.localhost"
    url_scheme: str = "https"
    image: str = "ghcr.io/tenantry/tenantry"
    broker_admin_url: str = "http://guest:guest@127.0.0.1:15672"
    broker_amqp_host: str = "127.0.0.1"
    broker_amqp_port: int = 5672
    # "job": a Kubernetes Job runs the tenant app's migrations (cluster mode);
    # "local": the operator runs them itself through the tenant app's manage.py.
    migrations: str = "job"
    tenant_app_manage_py: Path = field(default_factory=lambda: Path("tenant-app/manage.py"))
    drift_interval: float = 60.0
    shard_interval: float = 30.0
    ingress_class: str = "nginx"
    cluster_issuer: str = "letsencrypt"
    # The control plane's databases: on a shard's server (when one shares it) they are closed to
    # every role not granted, as the server's own databases are.
    platform_databases: tuple[str, ...] = ("tenantry_platform",)

    @classmethod
    def from_env(cls) -> OperatorConfig:
        """The configuration from the environment; each default is declared in tenantry_kernel.config's catalog."""
        return cls(
            metrics_port=int(getenv("OPERATOR_METRICS_PORT")),
            liveness_port=int(getenv("OPERATOR_LIVENESS_PORT")),
            namespace_scope=getenv("OPERATOR_NAMESPACE") or None,
            # Operators of equal priority see each other through kopf's peering objects and
            # pause while more than one runs: run one replica (Recreate) with peering on.
            peering=getenv("OPERATOR_PEERING").lower() == "true",
            system_namespace=getenv("OPERATOR_SYSTEM_NAMESPACE"),
            base_domain=getenv("TENANT_BASE_DOMAIN", cls.base_domain),
            url_scheme=getenv("TENANT_URL_SCHEME"),
            image=getenv("TENANT_APP_IMAGE"),
            broker_admin_url=getenv("BROKER_ADMIN_URL"),
            broker_amqp_host=getenv("BROKER_AMQP_HOST"),
            broker_amqp_port=int(getenv("BROKER_AMQP_PORT")),
            migrations=getenv("OPERATOR_MIGRATIONS"),
            tenant_app_manage_py=Path(getenv("TENANT_APP_MANAGE_PY", "tenant-app/manage.py")),
            drift_interval=float(getenv("OPERATOR_DRIFT_INTERVAL")),
            shard_interval=float(getenv("OPERATOR_SHARD_INTERVAL")),
            ingress_class=getenv("TENANT_INGRESS_CLASS"),
            cluster_issuer=getenv("TENANT_CLUSTER_ISSUER"),
            platform_databases=tuple(
                name.strip() for name in getenv("OPERATOR_PLATFORM_DATABASES").split(",") if name.strip()
            ),
        )


def apply_kopf_settings(settings: kopf.OperatorSettings) -> None:
    """Tune kopf for Tenantry: our own finalizer and annotations, quiet events, bounded retries."""
    settings.persistence.finalizer = f"{API_GROUP}/finalizer"
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=API_GROUP)
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(
        prefix=API_GROUP, key="last-handled-configuration"
    )
    # Kubernetes Events for warnings and important transitions, not every debug line.
    settings.posting.level = logging.WARNING
    settings.posting.reporting_component = "tenantry-operator"
    # Watches reconnect before proxies cut idle connections.
    settings.watching.server_timeout = 300
    settings.watching.client_timeout = 330
    settings.networking.request_timeout = 30
    settings.networking.error_backoffs = [1, 2, 5, 10, 20]
    # Provisioning is blocking I/O (psycopg, requests) in kopf's executor threads.
    settings.execution.max_workers = int(getenv("OPERATOR_MAX_WORKERS"))
