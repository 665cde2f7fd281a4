from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tenant_app.notifications"
    label = "notifications"
    verbose_name = "Notifications"
