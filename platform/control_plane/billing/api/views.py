"""The billing API: public plans, a tenant's subscription, payment methods, invoices, and Stripe's webhook."""

from __future__ import annotations

import logging
import time
from typing import Any

import stripe
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from djstripe.models import PaymentMethod
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import generics, status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from control_plane.billing import selectors
from control_plane.billing.actions import customers, stripe_events, subscriptions
from control_plane.billing.api.serializers import (
    PREVIEW_EXAMPLE,
    SUBSCRIPTION_EXAMPLE,
    CancelSerializer,
    CardSetupSerializer,
    InvoiceSerializer,
    PaymentMethodAttachSerializer,
    PaymentMethodSerializer,
    PlanChangePreviewSerializer,
    PlanListSerializer,
    StripeEventSerializer,
    SubscriptionChangeSerializer,
    SubscriptionSerializer,
    UsageQuerySerializer,
    UsageSeriesSerializer,
    WebhookReceiptSerializer,
    subscription_body,
)
from control_plane.billing.models import Invoice
from control_plane.billing.pdf import invoice_pdf
from control_plane.billing.plans import OFFERS, ORDER
from tenantry_kernel.web import parsers
from tenantry_kernel.web.openapi import problems
from tenantry_kernel.web.pagination import CursorPage, one_page

logger = logging.getLogger(__name__)

SLUG = OpenApiParameter("slug", str, OpenApiParameter.PATH, description="The store's slug, e.g. `acme`.")
# Whoever is not an owner or billing member of the store: 403; not a member at all: 404.
BILLING_ACCESS = ("permission_denied", "not_found")
# Calls that reach Stripe.
STRIPE = ("stripe_rejected", "stripe_unavailable", "billing_not_configured")


class PlanList(APIView):
    """Every plan with its price, features and limits; public (the pricing page reads it)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="List the plans",
        description="Every plan with its monthly price, features and limits, cheapest first; public (the pricing "
        "page reads it). A short, fixed list: one page, `next` is null.",
        responses={200: PlanListSerializer, **problems("not_acceptable")},
    )
    def get(self, request: Request) -> Response:
        return Response(one_page([OFFERS[name].public() for name in ORDER]))


SUBSCRIPTION_OR_PREVIEW = PolymorphicProxySerializer(
    component_name="SubscriptionOrPreview",
    serializers=[SubscriptionSerializer, PlanChangePreviewSerializer],
    resource_type_field_name=None,  # `preview` in the request says which
)


class TenantSubscription(APIView):
    """GET the tenant's plan and subscription; POST `{"plan"}` to change it (`"preview": true` to price it)."""

    @extend_schema(
        summary="Read the subscription",
        description="The store's plan and, on a paid plan, its Stripe subscription and any dunning under way; "
        "for owners and billing members.",
        parameters=[SLUG],
        responses={200: SubscriptionSerializer, **problems(*BILLING_ACCESS)},
    )
    def get(self, request: Request, slug: str) -> Response:
        tenant = selectors.tenant_for_billing(request.user, slug)
        return Response(subscription_body(tenant, selectors.profile_of(tenant)))

    @extend_schema(
        summary="Change the plan",
        description=(
            "Subscribe to a paid plan (a payment method first), move up or down (Stripe prorates), or drop to "
            "free (cancels now). The store moves only once Stripe accepted: a declined payment changes nothing "
            "(402). With `preview: true`, answers what the change would cost and changes nothing."
        ),
        parameters=[SLUG],
        request=SubscriptionChangeSerializer,
        responses={
            200: OpenApiResponse(
                SUBSCRIPTION_OR_PREVIEW,
                description="The subscription after the change, or (`preview`) its price.",
                examples=[
                    OpenApiExample("Changed", value={**SUBSCRIPTION_EXAMPLE, "plan": "growth"}),
                    OpenApiExample("Previewed", value=PREVIEW_EXAMPLE),
                ],
            ),
            **problems(
                "invalid", *BILLING_ACCESS, "plan_unchanged", "payment_method_required", "payment_failed",
                "tenant_deleted", *STRIPE,
            ),
        },
    )  # fmt: skip
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
    @extend_schema(
        summary="Cancel the subscription",
        description="At the end of the paid period (by default: the store stays on its plan until then), or now "
        "(it drops to free at once).",
        parameters=[SLUG],
        request=CancelSerializer,
        responses={200: SubscriptionSerializer, **problems("invalid", *BILLING_ACCESS, "no_subscription", *STRIPE)},
    )
    def post(self, request: Request, slug: str) -> Response:
        tenant = selectors.tenant_for_billing(request.user, slug)
        form = CancelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        profile = subscriptions.cancel_subscription(
            tenant, at_period_end=form.validated_data["at_period_end"], actor=request.user, request=request._request
        )
        return Response(subscription_body(tenant, profile))


class PaymentMethods(generics.ListCreateAPIView[PaymentMethod]):
    """GET the tenant's cards (the default one flagged); POST `{"payment_method": "pm_..."}` from Stripe.js."""

    serializer_class = PaymentMethodSerializer

    def get_queryset(self) -> QuerySet[PaymentMethod]:
        self.tenant = selectors.tenant_for_billing(self.request.user, self.kwargs["slug"])
        return selectors.payment_methods_of(self.tenant)

    def get_serializer_context(self) -> dict[str, Any]:
        tenant = getattr(self, "tenant", None)
        default_id = selectors.default_payment_method_id(tenant) if tenant is not None else ""
        return {**super().get_serializer_context(), "default_id": default_id}

    @extend_schema(
        summary="List payment methods",
        description="The store's saved payment methods, oldest first, with the one Stripe charges flagged "
        "`default`; for owners and billing members.",
        parameters=[SLUG],
        responses={200: PaymentMethodSerializer(many=True), **problems("invalid", *BILLING_ACCESS)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Add a payment method",
        description="Attaches a payment method made by Stripe.js (`pm_…`) to the store's Stripe customer and makes "
        "it the default. `Location` is the list of the store's payment methods (there is no page per method).",
        parameters=[SLUG],
        request=PaymentMethodAttachSerializer,
        responses={201: PaymentMethodSerializer, **problems("invalid", *BILLING_ACCESS, "payment_failed", *STRIPE)},
    )
    def post(self, request: Request, slug: str) -> Response:
        tenant = selectors.tenant_for_billing(request.user, slug)
        form = PaymentMethodAttachSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        method = customers.attach_payment_method(
            tenant, form.validated_data["payment_method"], actor=request.user, request=request._request
        )
        body = PaymentMethodSerializer(method, context={"default_id": method.id}).data
        location = reverse("billing-payment-methods", kwargs={"slug": slug})
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


class CardSetup(APIView):
    @extend_schema(
        summary="Start saving a card",
        description="A new Stripe SetupIntent for the store's customer (made on first use), and the publishable "
        "key: Stripe.js confirms the intent with the card typed into its element (`confirmCardSetup`), then the "
        "payment method it made is added with `POST …/payment-methods`. For owners and billing members.",
        parameters=[SLUG],
        request=None,
        responses={200: CardSetupSerializer, **problems(*BILLING_ACCESS, *STRIPE)},
    )
    def post(self, request: Request, slug: str) -> Response:
        tenant = selectors.tenant_for_billing(request.user, slug)
        return Response(customers.start_card_setup(tenant, actor=request.user))


class NewestFirst(CursorPage):
    ordering = ("-issued_at", "-number")


class InvoiceList(generics.ListAPIView[Invoice]):
    serializer_class = InvoiceSerializer
    pagination_class = NewestFirst

    @extend_schema(
        summary="List invoices",
        description="The store's invoices, newest first, with their tax; each has a PDF. For owners and billing "
        "members.",
        parameters=[SLUG],
        responses={200: InvoiceSerializer(many=True), **problems("invalid", *BILLING_ACCESS)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Invoice]:
        return selectors.invoices_of(selectors.tenant_for_billing(self.request.user, self.kwargs["slug"]))


class InvoicePdf(APIView):
    @extend_schema(
        summary="Download an invoice",
        description="The invoice as a one-page A4 PDF, named after its number.",
        parameters=[SLUG],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The PDF, as an attachment.",
                examples=[OpenApiExample("A PDF", value="%PDF-1.7 …", media_type="application/pdf")],
            ),
            **problems(*BILLING_ACCESS),
        },
    )
    def get(self, request: Request, slug: str, number: str) -> HttpResponse:
        tenant = selectors.tenant_for_billing(request.user, slug)
        invoice = selectors.invoice_of(tenant, number)
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
        return response


class UsageSeries(APIView):
    @extend_schema(
        summary="Read usage and spend per day",
        description="The store's metered usage per metric and its charges and payments per currency, one entry per "
        "day (UTC) from `from` to `to` (both included; by default the last 30 days), from the billing ledger's "
        "projections. Days without entries are at zero. For owners and billing members.",
        parameters=[
            SLUG,
            OpenApiParameter("from", OpenApiTypes.DATE, description="The first day (default: 29 days before `to`)."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="The last day (default: today, UTC)."),
        ],
        responses={200: UsageSeriesSerializer, **problems("invalid", *BILLING_ACCESS)},
    )
    def get(self, request: Request, slug: str) -> Response:
        tenant = selectors.tenant_for_billing(request.user, slug)
        query = UsageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(selectors.usage_series(tenant, query.validated_data["from"], query.validated_data["to"]))


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

    @extend_schema(
        summary="Receive a Stripe event",
        description=(
            "For Stripe only: events signed with the endpoint's secret (`Stripe-Signature`), within five minutes "
            "of now either way. Each event is stored once by id and handled once; one that cannot be handled yet "
            "is answered 503, and Stripe delivers it again."
        ),
        parameters=[
            OpenApiParameter("Stripe-Signature", str, OpenApiParameter.HEADER, required=True,
                             description="Stripe's signature of the body: `t=<unix time>,v1=<HMAC-SHA256>`."),
        ],
        request=StripeEventSerializer,
        responses={
            200: WebhookReceiptSerializer,
            **problems("invalid", "invalid_signature", "signature_too_old", "signature_in_future",
                       "webhook_not_processed"),
        },
    )  # fmt: skip
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
