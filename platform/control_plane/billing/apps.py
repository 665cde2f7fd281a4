from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "control_plane.billing"
    label = "billing"
    default_auto_field = "django.db.models.BigAutoField"
