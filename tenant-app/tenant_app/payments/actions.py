"""Every change of payments: connecting a gateway, starting, confirming, capturing and refunding a payment,
and taking in a webhook.

**No gateway call inside a database transaction.** A gateway's HTTP call can take seconds and can succeed while
our transaction later rolls back (or the other way round), so each action runs in steps: read and check in one
short tenant transaction (tenancy.context.tenant_step), call the gateway with no transaction open (`_call`
refuses to run inside one), then record what the gateway answered in another short transaction. The REST views
of payments open no request-wide transaction (`own_transactions`); GraphQL runs these actions on a thread of
their own (tenant_app.payments.graphql). A crash between the call and the record loses nothing: the gateway's
webhook, or `reconcile_payment`, reads the payment back and records it then.

**Every payment state change goes through the order ledger** (tenant_app.orders.actions), in the transaction
that updates the payment row: authorized (`order.payment_authorized`), captured (`order.paid`), refunded
(`order.refunded`), declined or the hold lost (`order.payment_failed`). A capture that fails, or a hold that
expired or was voided at the gateway, cancels the order through `cancel_order` (so whatever returns stock on
cancellation runs). `_reconcile` is that one path, used by the buyer's return, staff's capture/refund, webhooks
and the reconcile task alike, under a row lock on the payment: a webhook before the redirect, the redirect before
the webhook, an event twice or events out of order record each step once.

Webhooks are never trusted for state: a verified event only makes the payment be read back from the gateway, and
its id is kept (WebhookReceipt) in the same transaction as what it changed, so an event that failed half-way is
taken again when the gateway retries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from tenant_app.access.policy import Context, require
from tenant_app.accounts.models import User
from tenant_app.audit.actions import record_security_event
from tenant_app.audit.models import AuditEventType
from tenant_app.orders.actions import (
    authorize_payment,
    cancel_order,
    record_payment_failure,
    settle_payment,
    settle_refund,
)
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
from tenant_app.tenancy.context import tenant_step
from tenantry_kernel.web.exceptions import Conflict

T = TypeVar("T")


class TransactionOpen(RuntimeError):
    """A gateway call was about to run inside an open database transaction (a programming error)."""


def _call(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call the gateway, never inside a database transaction (see the module's first paragraph)."""
    if connection.in_atomic_block:
        raise TransactionOpen(
            "A payment gateway must not be called inside a database transaction: read in a tenant_step, "
            "call, then record in another."
        )
    return function(*args, **kwargs)


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
    with tenant_step():
        require(actor, "payments.create", context=Context.of(request))
        summary = OrderSummary.objects.get(pk=summary.pk)  # as it is now, not as the caller read it
        if summary.status != OrderStatus.PLACED:
            raise Conflict(
                f"Order {summary.pk} is {summary.status}; only a placed order is paid.", code="order_not_payable"
            )
        client = _gateway(gateway)
    amount = summary.total - summary.paid
    with _gateway_errors():
        state = _call(
            client.create_payment, amount, summary.currency, order_id=str(summary.pk), manual_capture=manual_capture
        )
    with tenant_step():
        # get_or_create: a retried create that the gateway answered with the same payment (PayPal-Request-Id).
        payment, _ = Payment.objects.get_or_create(
            gateway=gateway,
            reference=state.reference,
            defaults={
                "order_id": summary.pk,
                "status": state.status,
                "currency": state.currency,
                "amount": state.amount,
                "manual_capture": manual_capture,
                "next_action": state.next_action,
                "created_by_id": actor.pk,
            },
        )
    return payment


def confirm_payment(request: HttpRequest | None, actor: User, payment: Payment, buyer: dict[str, str]) -> Payment:
    """The buyer is back from the gateway: check what they bring, capture unless the store captures by hand."""
    with tenant_step():
        require(actor, "payments.create", context=Context.of(request))
        client = _gateway(payment.gateway)
    with _gateway_errors():
        try:
            state = _call(client.confirm, payment.reference, buyer)
        except PaymentDeclined as exc:
            _record_failure(payment.pk, exc.message, actor.pk, capture=False)  # its own transaction: kept
            raise
        if state.status == "authorized" and not payment.manual_capture and payment.gateway == "paypal":
            # PayPal's approved order is taken by a capture call; the approval is not a hold worth recording.
            state = _capture(client, payment, state, actor.pk)
    return _reconcile(payment.pk, state, actor.pk)


def capture_payment(request: HttpRequest | None, actor: User, payment: Payment) -> Payment:
    with tenant_step():
        require(actor, "orders.pay", context=Context.of(request))
        client = _gateway(payment.gateway)
    with _gateway_errors():
        state = _call(client.retrieve, payment.reference)
        if state.status != "authorized":
            _reconcile(payment.pk, state, actor.pk)  # e.g. the hold expired: recorded (and the order cancelled)
            raise Conflict(
                f"The payment is {state.status}; only an authorized one is captured.", code="payment_not_capturable"
            )
        state = _capture(client, payment, state, actor.pk)
    return _reconcile(payment.pk, state, actor.pk)


def _capture(client: Gateway, payment: Payment, state: PaymentState, actor_id: int | None) -> PaymentState:
    """Take the held money; a capture the gateway refuses fails the payment and cancels the order."""
    try:
        return _call(client.capture, state)
    except PaymentDeclined as exc:
        _record_failure(payment.pk, exc.message, actor_id, capture=True)
        raise


def refund_payment(request: HttpRequest | None, actor: User, payment: Payment, amount: Decimal) -> Payment:
    with tenant_step():
        require(actor, "orders.refund", context=Context.of(request))
        client = _gateway(payment.gateway)
    with _gateway_errors():
        state = _call(client.retrieve, payment.reference)
        refundable = state.captured - state.refunded
        if state.status != "captured" or not Decimal(0) < amount <= refundable:
            message = (
                f"A refund is more than 0 and at most the {refundable} {state.currency} captured and not refunded."
            )
            raise Conflict(message, code="payment_not_refundable")
        state = _call(client.refund, state, amount)
    return _reconcile(payment.pk, state, actor.pk)


def reconcile_payment(payment: Payment) -> Payment:
    """Read the payment back from its gateway and record what changed (a crash between a call and its record,
    a webhook that never came, a hold that expired)."""
    with tenant_step():
        client = _gateway(payment.gateway)
    with _gateway_errors():
        state = _call(client.retrieve, payment.reference)
    return _reconcile(payment.pk, state, None)


# Payments that may still move at the gateway without telling us; older than this, the reconcile task reads them.
OPEN_STATUSES = (PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION, PaymentStatus.AUTHORIZED)


def reconcile_open_payments(older_than: timedelta = timedelta(minutes=15)) -> dict[str, int]:
    """Reconcile every open payment not updated for `older_than` (the schedule's task); how many per outcome.
    A gateway that fails for one payment does not stop the others."""
    with tenant_step():
        stale = list(Payment.objects.filter(status__in=OPEN_STATUSES, updated_at__lt=timezone.now() - older_than))
    outcome = {"reconciled": 0, "failed": 0}
    for payment in stale:
        try:
            reconcile_payment(payment)
        except (PaymentProblem, GatewayNotConnected):
            outcome["failed"] += 1
        else:
            outcome["reconciled"] += 1
    return outcome


# ---- Recording what the gateway said (one short transaction each) ------------------------


# How far each status is along; a read-back that is behind what we recorded (a stale answer racing a newer one)
# does not move the payment back. failed and cancelled are left by a new attempt (another card) only.
_PROGRESS = {
    PaymentStatus.PENDING: 0,
    PaymentStatus.REQUIRES_ACTION: 1,
    PaymentStatus.FAILED: 1,
    PaymentStatus.AUTHORIZED: 2,
    PaymentStatus.CANCELLED: 3,
    PaymentStatus.CAPTURED: 4,
}


def _record_failure(payment_id: Any, reason: str, actor_id: int | None, *, capture: bool) -> None:
    """A decline (the buyer may pay again) or a failed capture (the order is cancelled), in its own transaction."""
    with tenant_step():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status in (PaymentStatus.CAPTURED, PaymentStatus.CANCELLED, PaymentStatus.FAILED):
            return  # recorded already (a webhook got there first)
        _fail(payment, PaymentStatus.FAILED, reason, actor_id, cancel=capture)


def _fail(payment: Payment, status: str, reason: str, actor_id: int | None, *, cancel: bool) -> None:
    source = f"gateway:{payment.gateway}"
    order_id = str(payment.order_id)
    summary = OrderSummary.objects.get(pk=order_id)
    if summary.status == OrderStatus.PLACED:
        record_payment_failure(
            order_id,
            payment_reference=f"{payment.gateway}:{payment.reference}",
            reason=reason or status,
            actor_id=actor_id,
            source=source,
        )
        if cancel:
            summary = OrderSummary.objects.get(pk=order_id)
            cancel_order(
                None, None, summary, reason=f"payment {status} at {payment.gateway}: {reason}"[:500], source=source
            )
    payment.status = status
    payment.failure = reason[:500]
    payment.next_action = {}
    payment.save(update_fields=["status", "failure", "next_action", "updated_at"])


def _reconcile(payment_id: Any, state: PaymentState, actor_id: int | None) -> Payment:
    with tenant_step():
        return _reconcile_in_transaction(payment_id, state, actor_id)


def _reconcile_in_transaction(payment_id: Any, state: PaymentState, actor_id: int | None) -> Payment:
    """Make the payment row and the order ledger say what the gateway says, recording each step once."""
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    source = f"gateway:{payment.gateway}"
    order_id = str(payment.order_id)
    reference = f"{payment.gateway}:{state.capture_reference or state.reference}"
    held = payment.status == PaymentStatus.AUTHORIZED
    newly_held = state.status == "authorized" and payment.status not in (
        PaymentStatus.AUTHORIZED,
        PaymentStatus.CAPTURED,
    )
    if newly_held and OrderSummary.objects.filter(pk=order_id, status=OrderStatus.PLACED).exists():
        authorize_payment(
            order_id,
            amount=payment.amount,
            currency=payment.currency,
            payment_reference=reference,
            actor_id=actor_id,
            source=source,
        )
    if state.captured > payment.captured:
        settle_payment(
            order_id,
            amount=state.captured - payment.captured,
            currency=payment.currency,
            payment_reference=reference,
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
    if state.status in ("failed", "cancelled") and payment.captured == 0:
        if payment.status not in (PaymentStatus.FAILED, PaymentStatus.CANCELLED):
            # Held and now gone (expired, voided, the capture failed): the order is cancelled. Never held: declined.
            _fail(payment, state.status, state.failure, actor_id, cancel=held)
        return payment
    if _PROGRESS[PaymentStatus(state.status)] >= _PROGRESS[PaymentStatus(payment.status)] or payment.status in (
        PaymentStatus.FAILED,
        PaymentStatus.CANCELLED,
    ):
        payment.status = state.status
    payment.capture_reference = state.capture_reference or payment.capture_reference
    payment.next_action = state.next_action if payment.status in ("pending", "requires_action") else {}
    payment.failure = state.failure[:500]
    payment.save()
    return payment


# ---- Webhooks ------------------------------------------------------------------------------


def take_webhook(request: HttpRequest, gateway: str, body: bytes, headers: dict[str, str]) -> str:
    """Verify, read the payment back, then record once. Returns "processed", "duplicate" or "ignored" (an event
    about no payment here).

    A webhook that fails verification changes nothing but the audit log (webhook_refused)."""
    with tenant_step():
        account = GatewayAccount.objects.filter(gateway=gateway).first()
        if account is None:
            raise GatewayNotConnected(f"The store has not connected {gateway}.")
        client = gateway_for(gateway, credentials_of(account))
    try:
        event = _call(client.parse_webhook, body, headers)  # PayPal verifies through its API: an HTTP call
    except InvalidWebhook as exc:
        with tenant_step():
            record_security_event(request, AuditEventType.PAYMENT_WEBHOOK_REFUSED, subject=gateway, reason=exc.code)
        raise as_api_error(exc) from exc
    except GatewayError as exc:
        raise as_api_error(exc) from exc
    with tenant_step():
        if WebhookReceipt.objects.filter(gateway=gateway, event_id=event.event_id).exists():
            return "duplicate"
        payment = (
            Payment.objects.filter(gateway=gateway, reference=event.reference).first() if event.reference else None
        )
    state = None
    if payment is not None:
        with _gateway_errors():
            state = _call(client.retrieve, payment.reference)
    with tenant_step():
        try:
            with transaction.atomic():
                WebhookReceipt.objects.create(
                    gateway=gateway, event_id=event.event_id, event_type=event.gateway_type, reference=event.reference
                )
        except IntegrityError:
            return "duplicate"  # the same event, taken by another worker meanwhile
        if payment is None or state is None:
            return "ignored"
        _reconcile_in_transaction(payment.pk, state, None)
    return "processed"


__all__ = ["PaymentProblem", "TransactionOpen"]
