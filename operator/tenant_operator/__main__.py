"""Run the operator: `python -m tenant_operator`.

JSON logs on stdout, Prometheus metrics on OPERATOR_METRICS_PORT, kopf's liveness
endpoint on OPERATOR_LIVENESS_PORT (`/healthz`), traces through OTLP when configured.
"""

from __future__ import annotations

import kopf

from tenant_operator import handlers  # noqa: F401  (registers the handlers)
from tenant_operator.config import OperatorConfig
from tenantry_kernel.logging import configure_logging
from tenantry_kernel.metrics import serve_metrics
from tenantry_kernel.tracing import configure_tracing

SERVICE = "tenant-operator"


def main() -> None:
    config = OperatorConfig.from_env()
    configure_logging(SERVICE)
    configure_tracing(SERVICE)
    if config.metrics_port:
        serve_metrics(config.metrics_port)
    kopf.run(
        clusterwide=config.namespace_scope is None,
        namespaces=[config.namespace_scope] if config.namespace_scope else (),
        standalone=not config.peering,
        liveness_endpoint=f"http://0.0.0.0:{config.liveness_port}/healthz",
    )


if __name__ == "__main__":
    main()
