from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "tenant_app.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"
