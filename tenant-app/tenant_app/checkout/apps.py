from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "tenant_app.checkout"
    label = "checkout"
    verbose_name = "Checkout"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A cancelled order that came from a checkout gives its stock back, in the cancellation's transaction.
        from tenant_app.checkout.actions import return_stock_of_cancelled_order
        from tenant_app.orders.actions import on_cancellation

        on_cancellation(return_stock_of_cancelled_order)
