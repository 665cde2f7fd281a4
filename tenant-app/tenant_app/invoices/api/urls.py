from django.urls import path

from tenant_app.invoices.api import views

urlpatterns = [
    path("orders/<uuid:order_id>/invoice.pdf", views.InvoicePdf.as_view(), name="order-invoice-pdf"),
]
