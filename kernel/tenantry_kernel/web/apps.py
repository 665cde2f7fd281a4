from typing import Any

from django.apps import AppConfig
from django.conf import settings

PROBE_MIDDLEWARE = "tenantry_kernel.web.middleware.ProbeMiddleware"
API_ERROR_MIDDLEWARE = "tenantry_kernel.web.middleware.ApiErrorBodyMiddleware"


class TenantryWebConfig(AppConfig):
    name = "tenantry_kernel.web"
    label = "tenantry_web"
    verbose_name = "Tenantry web kernel"

    def ready(self) -> None:
        from tenantry_kernel.tracing import configure_tracing
        from tenantry_kernel.web.fields import install_input_rules
        from tenantry_kernel.web.problems import collect_problems

        # Runs inside django.setup(), before any handler loads its middleware, which is
        # when the Django instrumentation must add its own.
        configure_tracing(settings.SERVICE_NAME, django=True)
        _put_probes_first(settings)
        install_input_rules()
        collect_problems()  # every app's error codes, checked for clashes before a request is served


def _put_probes_first(settings: Any) -> None:
    """Probes must run before any middleware that validates the Host header.

    The Django instrumentation inserts its middleware at the head of the list, and it
    builds absolute URLs (so validates the host) for every request; the kubelet's probes
    with the pod IP as Host would fail there with 400.

    The API's error bodies come right after them, ahead of the instrumentation too: what it
    raises for a bad Host must also answer in JSON under the API prefixes.
    """
    middleware = list(settings.MIDDLEWARE)
    first = [name for name in (PROBE_MIDDLEWARE, API_ERROR_MIDDLEWARE) if name in middleware]
    settings.MIDDLEWARE = [*first, *(name for name in middleware if name not in first)]
