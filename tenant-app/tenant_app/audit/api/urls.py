from django.urls import path

from tenant_app.audit.api import views

urlpatterns = [path("audit-events/", views.AuditEventList.as_view(), name="audit-events")]
