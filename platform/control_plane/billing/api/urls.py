from django.urls import path

from control_plane.billing.api import views

urlpatterns = [
    path("plans/", views.PlanList.as_view(), name="billing-plans"),
    path("billing/stripe/webhook", views.StripeWebhook.as_view(), name="billing-stripe-webhook"),
    path("tenants/<slug:slug>/subscription", views.TenantSubscription.as_view(), name="billing-subscription"),
    path("tenants/<slug:slug>/subscription/cancel", views.CancelSubscription.as_view(), name="billing-cancel"),
    path("tenants/<slug:slug>/payment-methods", views.PaymentMethods.as_view(), name="billing-payment-methods"),
    path("tenants/<slug:slug>/usage", views.UsageSeries.as_view(), name="billing-usage"),
    path("tenants/<slug:slug>/payment-methods/setup", views.CardSetup.as_view(), name="billing-card-setup"),
    path("tenants/<slug:slug>/invoices/", views.InvoiceList.as_view(), name="billing-invoices"),
    path("tenants/<slug:slug>/invoices/<str:number>/pdf", views.InvoicePdf.as_view(), name="billing-invoice-pdf"),
]
