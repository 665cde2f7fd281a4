"""Every change of payments: connecting a gateway, starting, confirming, capturing and refunding a payment,
and taking in a webhook.

Money moves through the order ledger: whenever the gateway's answer says more was captured or refunded
than the payment row knows, the difference is recorded with `settle_payment`/`settle_refund`
(tenant_app.orders.actions) in the same transaction as the row. `_reconcile` is that one path, used by
the buyer's return, staff's capture/refund and webhooks alike, under a row lock on the payment: so a
webhook before the redirect, the redirect before the webhook, or an event twice records each amount once.
Webhooks are taken by the gateway's event id once (a unique constraint on WebhookReceipt), and never
trusted for state: a verified event only makes the payment be read back from the gateway.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.exceptions import ErrorDetail, ValidationError

from tenant_app.access.policy import Context, require
from tenant_app.accounts.models import User
from tenant_app.audit.actions import record_security_event
from tenant_app.audit.models import AuditEventType
from tenant_app.orders.actions import settle_payment, settle_refund
from tenant_app.orders.models import OrderStatus, OrderSummary
from tenant_app.payments import vault
from tenant_app.payments.errors import GatewayNotConnected, PaymentProblem, as_api_error
from tenant_app.payments.gateways import gateway_for
from tenant_app.payments.gateways.base import (
    Gateway,
    GatewayError,
    InvalidWebhook,
    PaymentDeclined,
    PaymentState,
)
from tenant_app.payments.models import GatewayAccount, Payment, PaymentStatus, WebhookReceipt
from tenant_app.payments.selectors import credentials_of
from tenantry_kernel.money import to_minor
from tenantry_kernel.web.exceptions import Conflict


@contextmanager
def _gateway_errors() -> Iterator[None]:
    try:
        yield
    except GatewayError as exc:
        raise as_api_error(exc) from exc


def _gateway(name: str) -> Gateway:
    account = GatewayAccount.objects.filter(gateway=name).first()
    if account is None:
        raise GatewayNotConnected(f"The store has not connected {name}; a store owner connects it first.")
    return gateway_for(name, credentials_of(account))


# ---- Connections ---------------------------------------------------------------------------


def connect_gateway(
    request: HttpRequest | None, actor: User, gateway: str, *, public_id: str, secret: str, webhook_secret: str
) -> GatewayAccount:
    """Store (or replace) the store's credentials at `gateway`, the secrets sealed; audited without them."""
    require(actor, "payments.connect", context=Context.of(request))
    account, created = GatewayAccount.objects.update_or_create(
        gateway=gateway,
        defaults={
            "public_id": public_id,
            "secret": vault.seal(secret),
            "secret_last4": secret[-4:],
            "webhook_secret": vault.seal(webhook_secret),
            "connected_at": timezone.now(),
            "connected_by_id": actor.pk,
        },
    )
    record_security_event(
        request,
        AuditEventType.PAYMENT_GATEWAY_CONNECTED,
        actor=actor,
        subject=gateway,
        public_id=public_id,
        replaced=not created,
    )
    return account


def disconnect_gateway(request: HttpRequest | None, actor: User, account: GatewayAccount) -> None:
    require(actor, "payments.connect", context=Context.of(request))
    record_security_event(request, AuditEventType.PAYMENT_GATEWAY_DISCONNECTED, actor=actor, subject=account.gateway)
    account.delete()


def rotate_sealed_secrets() -> int:
    """Re-seal every stored secret under the newest key (see tenant_app.payments.vault); how many rows."""
    accounts = list(GatewayAccount.objects.select_for_update())
    for account in accounts:
        account.secret = vault.reseal(account.secret)
        account.webhook_secret = vault.reseal(account.webhook_secret)
        account.save(update_fields=["secret", "webhook_secret"])
    return len(accounts)


# ---- Payments ------------------------------------------------------------------------------


def start_payment(
    request: HttpRequest | None, actor: User, summary: OrderSummary, gateway: str, *, manual_capture: bool = False
) -> Payment:
    """A payment of the order's outstanding amount at `gateway`, waiting for the buyer (`next_action`)."""
    require(actor, "payments.create", context=Context.of(request))
    if summary.status != OrderStatus.PLACED:
        raise Conflict(
            f"Order {summary.pk} is {summary.status}; only a placed order is paid.", code="order_not_payable"
        )
    amount = summary.total - summary.paid
    try:
        to_minor(amount, summary.currency)
    except ValueError as exc:
        raise ValidationError({"order": [ErrorDetail(str(exc), "amount_not_payable")]}) from exc
    client = _gateway(gateway)
    with _gateway_errors():
        state = client.create_payment(amount, summary.currency, order_id=str(summary.pk), manual_capture=manual_capture)
    payment = Payment.objects.create(
        order_id=summary.pk,
        gateway=gateway,
        reference=state.reference,
        status=state.status,
        currency=state.currency,
        amount=state.amount,
        manual_capture=manual_capture,
        next_action=state.next_action,
        created_by_id=actor.pk,
    )
    return payment


def confirm_payment(request: HttpRequest | None, actor: User, payment: Payment, buyer: dict[str, str]) -> Payment:
    """The buyer is back from the gateway: check what they bring, capture unless the store captures by hand."""
    require(actor, "payments.create", context=Context.of(request))
    client = _gateway(payment.gateway)
    with _gateway_errors():
        try:
            state = client.confirm(payment.reference, buyer)
            if state.status == "authorized" and not payment.manual_capture and payment.gateway == "paypal":
                state = client.capture(state)  # PayPal's approved order is taken by a capture call
        except PaymentDeclined as exc:
            _mark_failed(payment.pk, exc.message)  # kept: a 402 does not roll the request back
            raise
    return _reconcile(payment.pk, state, actor.pk)


def _mark_failed(payment_id: Any, reason: str) -> None:
    Payment.objects.filter(pk=payment_id).exclude(status=PaymentStatus.CAPTURED).update(
        status=PaymentStatus.FAILED, failure=reason[:500], next_action={}
    )


def capture_payment(request: HttpRequest | None, actor: User, payment: Payment) -> Payment:
    require(actor, "orders.pay", context=Context.of(request))
    client = _gateway(payment.gateway)
    with _gateway_errors():
        state = client.retrieve(payment.reference)
        if state.status != "authorized":
            raise Conflict(
                f"The payment is {state.status}; only an authorized one is captured.", code="payment_not_capturable"
            )
        state = client.capture(state)
    return _reconcile(payment.pk, state, actor.pk)


def refund_payment(request: HttpRequest | None, actor: User, payment: Payment, amount: Decimal) -> Payment:
    require(actor, "orders.refund", context=Context.of(request))
    client = _gateway(payment.gateway)
    with _gateway_errors():
        state = client.retrieve(payment.reference)
        refundable = state.captured - state.refunded
        if state.status != "captured" or not Decimal(0) < amount <= refundable:
            message = (
                f"A refund is more than 0 and at most the {refundable} {state.currency} captured and not refunded."
            )
            raise Conflict(message, code="payment_not_refundable")
        try:
            to_minor(amount, state.currency)
        except ValueError as exc:
            raise ValidationError({"amount": [ErrorDetail(str(exc), "invalid_amount")]}) from exc
        state = client.refund(state, amount)
    return _reconcile(payment.pk, state, actor.pk)


def _reconcile(payment_id: Any, state: PaymentState, actor_id: int | None) -> Payment:
    """Make the payment row and the order ledger say what the gateway says, recording each amount once."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        source = f"gateway:{payment.gateway}"
        order_id = str(payment.order_id)
        if state.captured > payment.captured:
            settle_payment(
                order_id,
                amount=state.captured - payment.captured,
                currency=payment.currency,
                payment_reference=f"{payment.gateway}:{state.capture_reference or state.reference}",
                actor_id=actor_id,
                source=source,
            )
            payment.captured = state.captured
        if state.refunded > payment.refunded:
            settle_refund(
                order_id,
                amount=state.refunded - payment.refunded,
                currency=payment.currency,
                reason=f"refunded at {payment.gateway}",
                actor_id=actor_id,
                source=source,
            )
            payment.refunded = state.refunded
        # A status only moves forward: an older answer (a late webhook's read-back) never undoes a capture.
        if payment.status != PaymentStatus.CAPTURED or state.status == "captured":
            payment.status = state.status
        payment.capture_reference = state.capture_reference or payment.capture_reference
        payment.next_action = state.next_action if payment.status in ("pending", "requires_action") else {}
        payment.failure = state.failure[:500]
        payment.save()
        return payment


# ---- Webhooks ------------------------------------------------------------------------------


def take_webhook(request: HttpRequest, gateway: str, body: bytes, headers: dict[str, str]) -> str:
    """Verify, take once, reconcile. Returns "processed", "duplicate" or "ignored" (an event about no payment here).

    A webhook that fails verification changes nothing but the audit log (webhook_refused)."""
    account = GatewayAccount.objects.filter(gateway=gateway).first()
    if account is None:
        raise GatewayNotConnected(f"The store has not connected {gateway}.")
    client = gateway_for(gateway, credentials_of(account))
    try:
        event = client.parse_webhook(body, headers)
    except InvalidWebhook as exc:
        record_security_event(request, AuditEventType.PAYMENT_WEBHOOK_REFUSED, subject=gateway, reason=exc.code)
        raise as_api_error(exc) from exc
    except GatewayError as exc:
        raise as_api_error(exc) from exc
    try:
        with transaction.atomic():
            WebhookReceipt.objects.create(
                gateway=gateway, event_id=event.event_id, event_type=event.gateway_type, reference=event.reference
            )
    except IntegrityError:
        return "duplicate"
    payment = Payment.objects.filter(gateway=gateway, reference=event.reference).first() if event.reference else None
    if payment is None:
        return "ignored"
    with _gateway_errors():
        state = client.retrieve(payment.reference)
    _reconcile(payment.pk, state, None)
    return "processed"


__all__ = ["PaymentProblem"]
