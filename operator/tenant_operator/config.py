"""Operator configuration from the environment, and how it maps onto kopf's settings."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import kopf

API_GROUP = "tenantry.dev"


@dataclass(frozen=True)
class OperatorConfig:
    metrics_port: int
    liveness_port: int
    namespace_scope: str | None  # None: the whole cluster
    peering: bool

    @classmethod
    def from_env(cls) -> OperatorConfig:
        return cls(
            metrics_port=int(os.environ.get("OPERATOR_METRICS_PORT", "9090")),
            liveness_port=int(os.environ.get("OPERATOR_LIVENESS_PORT", "8080")),
            namespace_scope=os.environ.get("OPERATOR_NAMESPACE") or None,
            # Several replicas coordinate through kopf's peering objects: one is active.
            peering=os.environ.get("OPERATOR_PEERING", "true").lower() == "true",
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
