from django.apps import AppConfig


class SignupConfig(AppConfig):
    name = "control_plane.signup"
    label = "signup"
    default_auto_field = "django.db.models.BigAutoField"
