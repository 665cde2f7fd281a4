from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tenant_app.audit"
    label = "audit"
    verbose_name = "Audit log"
