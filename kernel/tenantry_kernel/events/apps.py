from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "tenantry_kernel.events"
    label = "tenantry_events"
    verbose_name = "Events (outbox, inbox, event store)"
    default_auto_field = "django.db.models.BigAutoField"
