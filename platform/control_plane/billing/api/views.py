"""The billing API: public plans, a tenant's subscription, payment methods, invoices, and Stripe's webhook."""

from __future__ import annotations

import logging
import time
from typing import Any

import stripe
from django.conf import settings
from django.http import HttpResponse
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from control_plane.billing import selectors
from control_plane.billing.actions import customers, stripe_events, subscriptions
from control_plane.billing.api.serializers import (
    CancelSerializer,
    InvoiceSerializer,
    PaymentMethodAttachSerializer,
    StripeEventSerializer,
    SubscriptionChangeSerializer,
    subscription_body,
)
from control_plane.billing.pdf import invoice_pdf
from control_plane.billing.plans import OFFERS, ORDER
from tenantry_kernel.web import parsers

logger = logging.getLogger(__name__)


class PlanList(APIView):
    """Every plan with its price, features and limits; public (the pricing page reads it)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"results": [OFFERS[name].public() for name in ORDER]})


class TenantSubscription(APIView):
    """GET the tenant's plan and subscription; POST `{"plan"}` to change it (`"preview": true` to price it)."""

    def get(self, request: Request, slug: str) -> Response:
        tenant = selectors.tenant_for_billing(request.user, slug)
        return Response(subscription_body(tenant, selectors.profile_of(tenant)))

    def post(self, request: Request, slug: str) -> Response:
        tenant = selectors.tenant_for_billing(request.user, slug)
        form = SubscriptionChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        plan: str = form.validated_data["plan"]
        if "country" in form.validated_data:
            customers.set_billing_country(
                tenant, form.validated_data["country"], actor=request.user, request=request._request
            )
        if form.validated_data["preview"]:
            return Response(subscriptions.preview_plan_change(tenant, plan))
        profile = subscriptions.change_subscription(tenant, plan, actor=request.user, request=request._request)
        return Response(subscription_body(tenant, profile))


class CancelSubscription(APIView):
    def post(self, request: Request, slug: str) -> Response:
        tenant = selectors.tenant_for_billing(request.user, slug)
        form = CancelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        profile = subscriptions.cancel_subscription(
            tenant, at_period_end=form.validated_data["at_period_end"], actor=request.user, request=request._request
        )
        return Response(subscription_body(tenant, profile))


class PaymentMethods(APIView):
    """GET the tenant's cards (default first flagged); POST `{"payment_method": "pm_..."}` from Stripe.js."""

    def get(self, request: Request, slug: str) -> Response:
        tenant = selectors.tenant_for_billing(request.user, slug)
        default = selectors.default_payment_method_id(tenant)
        results = []
        for method in selectors.payment_methods_of(tenant):
            card = method.stripe_data.get("card") or {}
            results.append(
                {
                    "id": method.id,
                    "type": method.type,
                    "brand": card.get("brand", ""),
                    "last4": card.get("last4", ""),
                    "exp_month": card.get("exp_month"),
                    "exp_year": card.get("exp_year"),
                    "default": method.id == default,
                }
            )
        return Response({"results": results})

    def post(self, request: Request, slug: str) -> Response:
        tenant = selectors.tenant_for_billing(request.user, slug)
        form = PaymentMethodAttachSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        method = customers.attach_payment_method(
            tenant, form.validated_data["payment_method"], actor=request.user, request=request._request
        )
        card = method.stripe_data.get("card") or {}
        body = {"id": method.id, "type": method.type, "brand": card.get("brand", ""), "last4": card.get("last4", "")}
        return Response({**body, "default": True}, status=status.HTTP_201_CREATED)


class InvoiceList(APIView):
    def get(self, request: Request, slug: str) -> Response:
        tenant = selectors.tenant_for_billing(request.user, slug)
        return Response({"results": InvoiceSerializer(selectors.invoices_of(tenant), many=True).data})


class InvoicePdf(APIView):
    def get(self, request: Request, slug: str, number: str) -> HttpResponse:
        tenant = selectors.tenant_for_billing(request.user, slug)
        invoice = selectors.invoice_of(tenant, number)
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
        return response


class InvalidSignature(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_signature"
    default_detail = "The Stripe-Signature header does not match the body."


# Seconds a signature's timestamp may be from now, either way: Stripe's own default for old ones.
SIGNATURE_TOLERANCE = stripe.Webhook.DEFAULT_TOLERANCE


class SignatureTooOld(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "signature_too_old"
    default_detail = "The Stripe-Signature timestamp is too old; Stripe retries with a new signature."


class SignatureInFuture(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "signature_in_future"
    default_detail = "The Stripe-Signature timestamp is in the future; check this server's clock."


def signed_at(header: str) -> int:
    """The `t=` of a Stripe-Signature header verify_header accepted, read as it reads it (the first one)."""
    items = [item.split("=", 2) for item in header.split(",")]
    return int(next(item[1] for item in items if item[0] == "t"))


def check_signature_age(timestamp: int) -> None:
    """Refuse a signature from outside the tolerance: an old one may be a replay, a future one replayable for long."""
    age = round(time.time()) - timestamp
    if age > SIGNATURE_TOLERANCE:
        raise SignatureTooOld(
            f"The Stripe-Signature timestamp is {age} seconds old, more than the {SIGNATURE_TOLERANCE} allowed; "
            "the event is refused as a possible replay (Stripe retries with a new signature)."
        )
    if -age > SIGNATURE_TOLERANCE:
        raise SignatureInFuture(
            f"The Stripe-Signature timestamp is {-age} seconds in the future, more than the {SIGNATURE_TOLERANCE} "
            "allowed; check that this server's clock is right."
        )


class WebhookNotProcessed(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "webhook_not_processed"
    default_detail = "The event was stored but could not be handled yet; Stripe will deliver it again."


class StripeWebhook(APIView):
    """Stripe's events: the signature and its age are checked, the event stored once by id, then handled once.

    The body is read raw (the signature covers its bytes), within the API's size and depth limits.
    """

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        secret: str = settings.STRIPE_WEBHOOK_SECRET
        if not secret:
            raise InvalidSignature("Webhooks are not accepted: STRIPE_WEBHOOK_SECRET is unset on this platform.")
        signature = request.headers.get("Stripe-Signature", "")
        body = request.body  # past DATA_UPLOAD_MAX_MEMORY_SIZE: 413 (tenantry_kernel.web.errors)
        try:
            # The signature only (no tolerance): its age is judged below, in both directions.
            stripe.WebhookSignature.verify_header(body, signature, secret, tolerance=None)
        except stripe.SignatureVerificationError as exc:
            raise InvalidSignature() from exc
        except UnicodeDecodeError as exc:
            raise ParseError("The body is not UTF-8 text; Stripe sends its events as JSON.") from exc
        check_signature_age(signed_at(signature))
        event = parsers.loads(body)
        StripeEventSerializer(data=event).is_valid(raise_exception=True)
        try:
            stored = stripe_events.receive_stripe_event(event)
        except APIException:
            raise
        except Exception as exc:
            # Kept with its error on the stored event; a non-2xx answer makes Stripe retry later.
            logger.exception("stripe event %s (%s) failed", event["id"], event["type"])
            raise WebhookNotProcessed(
                f"Event {event['id']} was stored but could not be handled ({type(exc).__name__}); it will be retried."
            ) from exc
        return Response({"id": stored.id, "type": stored.type, "processed": stored.processed_at is not None})
