from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "tenant_app.sso"
    label = "sso"
    verbose_name = "Single sign-on"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import checks

        from tenant_app.sso.providers import check_configuration

        checks.register(check_configuration)
