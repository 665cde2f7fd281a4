from django.apps import AppConfig
from django.core import checks


class BillingConfig(AppConfig):
    name = "control_plane.billing"
    label = "billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from djstripe import checks as djstripe_checks

        # Stripe's webhooks come to billing's own endpoint (signed with STRIPE_WEBHOOK_SECRET), not to
        # dj-stripe's WebhookEndpoint views, which are not routed here. dj-stripe's checks of those
        # endpoints query the database whenever checks run (Celery runs them at worker start), so they go.
        for check in (djstripe_checks.check_webhook_validation, djstripe_checks.check_webhook_endpoint_has_secret):
            checks.registry.registry.registered_checks.discard(check)
