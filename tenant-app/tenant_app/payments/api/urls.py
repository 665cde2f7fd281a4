from django.urls import path

from tenant_app.payments.api import views

urlpatterns = [
    path("payments/gateways/", views.ConnectionList.as_view(), name="payment-gateway-list"),
    path("payments/gateways/<slug:gateway>/", views.ConnectionDetail.as_view(), name="payment-gateway-detail"),
    path("payments/webhooks/<slug:gateway>/", views.Webhook.as_view(), name="payment-webhook"),
    path("payments/", views.PaymentCreate.as_view(), name="payment-list"),
    path("payments/<uuid:pk>/", views.PaymentDetail.as_view(), name="payment-detail"),
    path("payments/<uuid:pk>/confirm/", views.PaymentConfirm.as_view(), name="payment-confirm"),
    path("payments/<uuid:pk>/capture/", views.PaymentCapture.as_view(), name="payment-capture"),
    path("payments/<uuid:pk>/refund/", views.PaymentRefund.as_view(), name="payment-refund"),
]
