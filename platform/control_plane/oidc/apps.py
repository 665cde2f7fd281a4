from django.apps import AppConfig


class OidcConfig(AppConfig):
    name = "control_plane.oidc"
    label = "oidc"
    verbose_name = "OpenID Connect provider"
    default_auto_field = "django.db.models.BigAutoField"
