"""Error codes of payments (tenantry_kernel.web.problems), and the gateways' errors as API errors."""

from __future__ import annotations

from rest_framework.exceptions import APIException

from tenant_app.payments.gateways import base
from tenantry_kernel.web.problems import Problem

PROBLEMS = (
    Problem("payment_declined", 402, "Payment declined", "The gateway or the buyer's bank declined; pay another way."),
    Problem(
        "gateway_unavailable", 502, "Payment gateway unavailable", "The gateway did not answer; try again in a moment."
    ),
    Problem(
        "gateway_credentials_rejected",
        502,
        "Gateway credentials rejected",
        "The gateway refused the store's credentials; a store owner reconnects the gateway.",
    ),
    Problem(
        "gateway_rejected", 409, "Gateway refused", "The gateway refused the step in the payment's state; see `detail`."
    ),
    Problem(
        "amount_not_payable",
        400,
        "Amount not payable",
        "The gateway does not take this amount in this currency (its decimals); see `detail`.",
    ),
    Problem(
        "currency_not_supported",
        400,
        "Currency not supported",
        "The gateway does not take the order's currency; pay with another of the store's gateways.",
    ),
    Problem("gateway_not_connected", 409, "Gateway not connected", "The store has not connected this gateway."),
    Problem("webhook_invalid", 400, "Malformed webhook", "The webhook is not the gateway's shape; nothing changed."),
    Problem(
        "webhook_signature_invalid",
        400,
        "Webhook signature invalid",
        "The webhook's signature does not verify with the store's secret; nothing changed.",
    ),
    Problem(
        "payment_signature_invalid",
        400,
        "Payment signature invalid",
        "What the buyer's side sent back is not signed by the gateway; nothing changed.",
    ),
    Problem("payment_not_capturable", 409, "Payment not capturable", "Only an authorized payment is captured."),
    Problem(
        "payment_not_refundable",
        409,
        "Payment not refundable",
        "Only a captured payment is refunded, up to its amount.",
    ),
)

STATUSES = {
    "amount_not_payable": 400,
    "currency_not_supported": 400,
    "payment_declined": 402,
    "gateway_unavailable": 502,
    "gateway_credentials_rejected": 502,
    "gateway_rejected": 409,
    "webhook_invalid": 400,
    "webhook_signature_invalid": 400,
    "payment_signature_invalid": 400,
}


class PaymentProblem(APIException):
    def __init__(self, detail: str, code: str, status_code: int) -> None:
        self.status_code = status_code
        self.default_code = code  # GraphQL's `extensions.code` is the upper-cased default code (CURRENCY_NOT_SUPPORTED)
        super().__init__(detail, code)


def as_api_error(error: base.GatewayError) -> PaymentProblem:
    return PaymentProblem(error.message, error.code, STATUSES.get(error.code, 502))


class GatewayNotConnected(APIException):
    status_code = 409
    default_code = "gateway_not_connected"
    default_detail = "The store has not connected this gateway."
