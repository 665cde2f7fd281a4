from django.apps import AppConfig


class SchedulesConfig(AppConfig):
    name = "tenant_app.schedules"
    label = "schedules"
    verbose_name = "Schedules"
