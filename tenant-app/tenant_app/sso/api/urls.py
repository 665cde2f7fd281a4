from django.urls import path

from tenant_app.sso.api import views

urlpatterns = [
    path("auth/sso/providers/", views.ProviderList.as_view(), name="sso-providers"),
    path("auth/sso/<slug:provider>/start/", views.StartView.as_view(), name="sso-start"),
    path("auth/sso/<slug:provider>/callback/", views.CallbackView.as_view(), name="sso-callback"),
]
