from typing import Any

from django.apps import AppConfig
from django.conf import settings


PROBE_MIDDLEWARE = "tenantry_kernel.web.middleware.ProbeMiddleware"


class TenantryWebConfig(AppConfig):
    name = "tenantry_kernel.web"
    label = "tenantry_web"
    verbose_name = "Tenantry web kernel"

    def ready(self) -> None:
        from tenantry_kernel.tracing import configure_tracing

        # Runs inside django.setup(), before any handler loads its middleware, which is
        # when the Django instrumentation must add its own.
        configure_tracing(settings.SERVICE_NAME, django=True)
        _put_probes_first(settings)


def _put_probes_first(settings: Any) -> None:
    """Probes must run before any middleware that validates the Host header.

    The Django instrumentation inserts its middleware at the head of the list, and it
    builds absolute URLs (so validates the host) for every request; the kubelet's probes
    with the pod IP as Host would fail there with 400.
    """
    middleware = list(settings.MIDDLEWARE)
    if PROBE_MIDDLEWARE in middleware:
        middleware.remove(PROBE_MIDDLEWARE)
        settings.MIDDLEWARE = [PROBE_MIDDLEWARE, *middleware]
