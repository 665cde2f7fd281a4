"""`POST /api/v1/signup/` (retry-safe with `Idempotency-Key`) and `GET /api/v1/signup/slug/` (availability)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from control_plane.accounts.actions import start_session
from control_plane.accounts.models import User
from control_plane.signup import actions
from control_plane.signup.api.serializers import (
    SignupResultSerializer,
    SignupSerializer,
    SlugAvailabilitySerializer,
    SlugQuerySerializer,
)
from control_plane.signup.models import IdempotentRequest
from control_plane.signup.selectors import slug_availability, slug_from_name
from control_plane.signup.throttling import (
    SignupPerAddressThrottle,
    SignupPerEmailThrottle,
    SlugCheckPerAddressThrottle,
)
from control_plane.tenants.api.serializers import TenantSerializer
from control_plane.tenants.models import Plan
from tenantry_kernel.web.openapi import problems

SCOPE = "signup"
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = (
        "This Idempotency-Key was used with a different request body; "
        "send the same body, or a new key for a new signup."
    )


def request_digest(data: Any) -> str:
    """The body as canonical JSON, hashed: key order and spacing do not make two requests differ."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _tokens(request: Request, user: User) -> dict[str, str]:
    """A new portal session of the owner who just signed up."""
    return start_session(request, user, method="signup").as_dict()


def _where_to_watch(body: dict[str, Any]) -> str:
    """The store's address in the portal API, whose `state` says when it is ready."""
    return reverse("tenant-detail", kwargs={"slug": body["tenant"]["slug"]})


def _replay(request: Request, record: IdempotentRequest, digest: str) -> Response:
    if record.request_digest != digest:
        raise IdempotencyKeyReused()
    body = dict(record.response)
    if record.user is not None:
        body["tokens"] = _tokens(request, record.user)  # tokens are never stored; the owner gets fresh ones
    headers = {REPLAYED_HEADER: "true", "Location": _where_to_watch(body)}
    return Response(body, status=record.status_code, headers=headers)


class SignupView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [SignupPerAddressThrottle, SignupPerEmailThrottle]

    @extend_schema(
        summary="Sign up: an owner account and a store",
        description=(
            "Creates the owner's account (signed in at once: `tokens`; the address is confirmed by a mailed link) "
            "and the store, which is provisioned in the background: `Location` is the store in the portal API, "
            "whose `state` moves from pending through provisioning to ready. A paid plan waits for a payment "
            "method (`subscription`). Retry safely with the same `Idempotency-Key`: the first answer comes back, "
            "marked `Idempotent-Replayed: true`, with fresh tokens."
        ),
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                description="Any unique string of up to 255 characters (a UUID): the same key, the same signup.",
            ),
            OpenApiParameter(
                REPLAYED_HEADER,
                str,
                OpenApiParameter.HEADER,
                response=[202],
                description="`true` when the answer is the one given to an earlier request with the same key.",
            ),
        ],
        request=SignupSerializer,
        responses={202: SignupResultSerializer, **problems("invalid", "idempotency_key_reused")},
    )
    def post(self, request: Request) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if len(key) > 255:
            raise ValidationError({IDEMPOTENCY_HEADER: ["Use a key of at most 255 characters (a UUID is typical)."]})
        digest = request_digest(request.data)
        with transaction.atomic():
            if key:
                # Take the key first. A concurrent request with the same key blocks on the unique
                # index until this transaction ends, then finds the answer (or, after a rollback,
                # does the work itself): never two signups for one key.
                try:
                    with transaction.atomic():
                        record = IdempotentRequest.objects.create(
                            scope=SCOPE, key=key, request_digest=digest, status_code=0
                        )
                except IntegrityError:
                    existing = IdempotentRequest.objects.select_related("user").get(scope=SCOPE, key=key)
                    return _replay(request, existing, digest)
            payload = SignupSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
            user, tenant = actions.sign_up(
                email=data["email"], password=data["password"], full_name=data["full_name"],
                store_name=data["store_name"], slug=data["slug"], plan=data["plan"], request=request,
            )  # fmt: skip
            body: dict[str, Any] = {
                "user": {
                    "id": user.pk,
                    "email": user.email,
                    "full_name": user.full_name,
                    "email_verified": user.email_verified,
                },
                "tenant": TenantSerializer(tenant).data,
            }
            if data["plan"] != Plan.FREE:
                # The chosen paid plan starts with its subscription (billing), after a payment method.
                body["subscription"] = {
                    "plan": data["plan"],
                    "status": "payment_method_required",
                    "url": f"/api/v1/tenants/{tenant.slug}/subscription",
                }
            if key:
                record.status_code = status.HTTP_202_ACCEPTED
                record.response = json.loads(json.dumps(body, default=str))
                record.user = user
                record.save(update_fields=["status_code", "response", "user"])
            tokens = _tokens(request, user)
        return Response(
            {**body, "tokens": tokens}, status=status.HTTP_202_ACCEPTED, headers={"Location": _where_to_watch(body)}
        )


class SlugAvailabilityView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [SlugCheckPerAddressThrottle]

    @extend_schema(
        summary="Check a store address",
        description="Whether a slug is free (or the one a store name would make); a taken or reserved one comes "
        "with suggestions. Signing up checks again: this answer is a hint, not a reservation.",
        parameters=[SlugQuerySerializer],
        responses={200: SlugAvailabilitySerializer, **problems("invalid")},
    )
    def get(self, request: Request) -> Response:
        query = SlugQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        slug = query.validated_data["slug"] or slug_from_name(query.validated_data["store_name"])
        return Response(asdict(slug_availability(slug)))
