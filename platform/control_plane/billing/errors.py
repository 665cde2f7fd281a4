"""Error codes of billing (tenantry_kernel.web.problems): plan changes, payments and Stripe's webhooks."""

from tenantry_kernel.web.problems import Problem

PROBLEMS = (
    Problem("plan_unchanged", 409, "Plan unchanged", "The tenant is already on that plan; pick another one."),
    Problem(
        "payment_method_required",
        409,
        "Payment method required",
        "A paid plan needs a payment method; add one, then subscribe.",
    ),
    Problem("no_subscription", 409, "No subscription", "The tenant has no paid subscription to cancel."),
    Problem(
        "payment_failed", 402, "Payment failed", "The payment was declined; use another payment method and try again."
    ),
    Problem("stripe_rejected", 400, "Refused by Stripe", "Stripe refused the request; `detail` gives its reason."),
    Problem("stripe_unavailable", 503, "Payment provider unavailable", "Stripe did not answer; try again in a moment."),
    Problem(
        "billing_not_configured",
        503,
        "Billing not configured",
        "This platform has no Stripe key (STRIPE_SECRET_KEY); billing is off.",
    ),
    Problem(
        "invalid_signature",
        400,
        "Invalid webhook signature",
        "The Stripe-Signature header does not match the body, or webhooks are not set up here.",
    ),
    Problem(
        "signature_too_old",
        400,
        "Webhook signature too old",
        "The signature's timestamp is past the tolerance: refused as a possible replay; Stripe retries.",
    ),
    Problem(
        "signature_in_future",
        400,
        "Webhook signature in the future",
        "The signature's timestamp is ahead of this server's clock by more than the tolerance.",
    ),
    Problem(
        "webhook_not_processed",
        503,
        "Webhook not processed",
        "The event was stored but not handled yet; Stripe delivers it again.",
    ),
)
