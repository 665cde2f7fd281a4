"""Error codes of carts and checkout (tenantry_kernel.web.problems), and the exceptions that carry them."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import APIException, ErrorDetail, ValidationError

from tenantry_kernel.web.exceptions import Conflict
from tenantry_kernel.web.problems import Problem

PROBLEMS = (
    Problem(
        "out_of_stock",
        409,
        "Out of stock",
        "Not enough stock for some lines (`lines` names them, with what is left); lower them or remove them.",
    ),
    Problem("cart_closed", 409, "Cart closed", "The cart became an order, was merged or expired; start a new cart."),
    Problem(
        "prices_changed",
        409,
        "Prices changed",
        "Some prices changed since they were added; the cart now shows today's prices: review it and complete again.",
    ),
    Problem(
        "idempotency_key_reused",
        422,
        "Idempotency key reused",
        "This Idempotency-Key completed another request; send a new key for a different request.",
    ),
    Problem(
        "idempotency_key_required",
        400,
        "Idempotency-Key required",
        "Completing a checkout needs an Idempotency-Key header (a unique string per attempt, up to 200 characters).",
    ),
    Problem("cart_token_invalid", 404, "Cart not found", "No open cart of this store has this id and token."),
    Problem("voucher_invalid", 400, "Voucher not valid", "The voucher is unknown, inactive, expired or used up."),
    Problem(
        "voucher_already_used", 409, "Voucher already used", "This voucher is once per customer and you have used it."
    ),
    Problem(
        "voucher_min_spend", 400, "Minimum spend not reached", "The cart's subtotal is below the voucher's minimum."
    ),
    Problem(
        "voucher_currency", 400, "Voucher in another currency", "A fixed voucher applies to carts in its currency."
    ),
    Problem(
        "checkout_incomplete",
        400,
        "Checkout incomplete",
        "The cart lacks what an order needs; `errors` names each missing field (email, addresses, shipping method).",
    ),
)


class OutOfStock(Conflict):
    """Some lines cannot have their quantities: `errors` (problem details' member) names each, with what is left."""

    default_code = "out_of_stock"

    def __init__(self, short: list[dict[str, Any]]) -> None:
        names = ", ".join(f"{line['sku']} ({line['requested']} wanted, {line['available']} left)" for line in short)
        super().__init__(f"Not enough stock for {names}; lower the quantities or remove the lines.", "out_of_stock")
        self.short = short

    @property
    def errors(self) -> list[dict[str, str]]:
        return [
            {
                "pointer": line["pointer"],
                "detail": f"{line['sku']}: {line['requested']} wanted, {line['available']} left.",
                "code": "out_of_stock",
            }
            for line in self.short
        ]


def conflict(message: str, code: str) -> APIException:
    return Conflict(message, code)


def invalid(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ErrorDetail(message, code)]})


class Refused(APIException):
    """A refusal with one of this app's own codes and the status its Problem registers (400 unless told)."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code)
        self.status_code = _STATUS.get(code, 400)


_STATUS = {problem.code: problem.status for problem in PROBLEMS}
