from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "tenant_app.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        # Stamps the current tenant into every task message this process publishes.
        from tenant_app.tenancy import tasks  # noqa: F401
