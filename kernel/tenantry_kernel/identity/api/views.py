"""The identity endpoints: sign-in and its second factor, tokens, sessions, two-factor settings, emailed links.

Each view is bound to one project's Identity when routed (`tenantry_kernel.identity.api.urls.identity_urls`); the
throttles the project sets as defaults (REST_FRAMEWORK) apply besides each endpoint's own.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any, cast

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from tenantry_kernel.identity import accounts, sessions, signin, twofactor
from tenantry_kernel.identity.api.serializers import (
    BackupCodesSerializer,
    ChallengeAnswerSerializer,
    ChallengeSerializer,
    CodeSerializer,
    EnrolledSignInSerializer,
    LinkSerializer,
    PasswordChangeSerializer,
    PasswordResetRequestSerializer,
    PasswordResetSerializer,
    ProfileSerializer,
    RefreshSerializer,
    SecondFactorChallengeSerializer,
    SessionSerializer,
    SignInSerializer,
    TokenPairSerializer,
    TotpEnrolmentSerializer,
    TwoFactorStatusSerializer,
    VerificationRequestSerializer,
)
from tenantry_kernel.identity.config import Identity
from tenantry_kernel.identity.sessions import family_of_token
from tenantry_kernel.identity.throttling import (
    AccountEmailThrottle,
    CodeThrottle,
    PerAddressThrottle,
    SignInThrottle,
)
from tenantry_kernel.web.openapi import problems, request_example, response_example
from tenantry_kernel.web.pagination import CursorPage

SIGN_IN_RESULT = PolymorphicProxySerializer(
    component_name="SignInResult",
    serializers=[TokenPairSerializer, SecondFactorChallengeSerializer],
    # Tokens, or (a "status" says which step is next) a challenge to answer before them.
    resource_type_field_name=None,
)
SIGN_IN_EXAMPLES = [
    request_example("Email and password", {"email": "dana@example.com", "password": "a long enough passphrase"}),
    response_example("Signed in", {"access": "eyJhbGciOiJIUzI1NiJ9.eyJ0eXAiOiJhY2Nlc3MifQ.c2ln", "refresh": "eyJ…"}),
    response_example(
        "A second factor is needed",
        {"status": "two_factor_required", "challenge": "eyJhbGciOiJIUzI1NiJ9.eyJpZCI6IjRmM2EifQ.c2ln",
         "methods": ["totp", "backup_code"], "expires_in": 300},
    ),
]  # fmt: skip
# Where an emailed link's outcome shows (`email_verified`), and where a reset link's password goes.
AFTER_VERIFICATION = "auth-me"
AFTER_RESET_REQUEST = "auth-password-reset-confirm"


def _valid(serializer_class: type[Any], request: Request) -> dict[str, Any]:
    form = serializer_class(data=request.data)
    form.is_valid(raise_exception=True)
    return cast(dict[str, Any], form.validated_data)


class IdentityEndpoint(APIView):
    """An endpoint of one project's identity, given as `as_view(identity=...)`."""

    identity: Identity | None = None

    def bound(self) -> Identity:
        if self.identity is None:
            raise ImproperlyConfigured(f"Route {type(self).__name__} through identity_urls(identity).")
        return self.identity

    def configured_problems(self) -> tuple[str, ...]:
        """Codes of the project's own rules this endpoint answers (the OpenAPI schema lists them with its own)."""
        return ()


class ChallengeEndpoint(IdentityEndpoint):
    def configured_problems(self) -> tuple[str, ...]:
        return (self.bound().binding.challenge_code,)  # a challenge issued elsewhere (another store, the portal)


class RefreshTokenEndpoint(IdentityEndpoint):
    def configured_problems(self) -> tuple[str, ...]:
        return (self.bound().binding.code,)  # a refresh token issued elsewhere


class AnswersTheUser(IdentityEndpoint):
    """Endpoints that answer with the user as the project shows them (Identity.me_serializer)."""

    def me(self, request: Request, user: Any) -> Response:
        return Response(self.get_serializer_class()(user, context={"request": request}).data)

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        # The OpenAPI schema reads it too (drf-spectacular), so answers left out of extend_schema's `responses`
        # are documented as the project's serializer.
        return self.bound().me_serializer_class


class SignedInEndpoint(IdentityEndpoint):
    permission_classes = [IsAuthenticated]

    def user(self, request: Request) -> Any:
        """The signed-in user (IsAuthenticated let no one else through), of the project's user model."""
        return request.user


class PublicEndpoint(IdentityEndpoint):
    """Endpoints that take credentials, codes or links in the body, not a bearer token."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def get_authenticate_header(self, request: Request) -> str:
        # Failed credentials are 401 with a challenge, as on every other endpoint.
        return 'Bearer realm="api"'


class SignInView(PublicEndpoint):
    """Sign in with email and password: tokens, or a second-factor challenge to answer first."""

    throttle_classes = [*APIView.throttle_classes, SignInThrottle]

    @extend_schema(
        summary="Sign in",
        description="With email and password: a token pair, or (for an account with two-factor, or one that must "
        "set it up) a challenge whose `status` says which step comes next. Budgeted per address and account.",
        request=SignInSerializer,
        responses={200: SIGN_IN_RESULT, **problems("invalid", "invalid_credentials")},
        examples=SIGN_IN_EXAMPLES,
    )
    def post(self, request: Request) -> Response:
        form = _valid(SignInSerializer, request)
        return Response(signin.sign_in(self.bound(), request._request, form["email"], form["password"]).as_dict())


class ChallengeAnswerView(PublicEndpoint, ChallengeEndpoint):
    """The second step of signing in: a code from the authenticator app, or a backup code."""

    throttle_classes = [*APIView.throttle_classes, CodeThrottle]

    @extend_schema(
        summary="Answer a sign-in challenge",
        description="The second step of signing in: the challenge and a code from the authenticator app (or an "
        "unused backup code) start the session. Wrong codes in a row lock codes for a while.",
        request=ChallengeAnswerSerializer,
        responses={
            200: TokenPairSerializer,
            **problems("invalid", "challenge_invalid", ("two_factor_code_invalid", 401), "two_factor_locked"),
        },
    )
    def post(self, request: Request) -> Response:
        form = _valid(ChallengeAnswerSerializer, request)
        tokens = twofactor.answer_challenge(self.bound(), request._request, form["challenge"], form["code"])
        return Response(tokens.as_dict())


class SignInEnrolmentView(PublicEndpoint, ChallengeEndpoint):
    """A user who must have two-factor and has none sets up an authenticator app before their first session."""

    throttle_classes = [*APIView.throttle_classes, CodeThrottle]

    @extend_schema(
        summary="Set up two-factor while signing in",
        description="For an `enrolment_required` challenge: a new authenticator app's secret, as a key URI and a "
        "QR code. POST its first code to sign-in/enrolment/confirm/ with the same challenge.",
        request=ChallengeSerializer,
        responses={
            200: TotpEnrolmentSerializer,
            **problems("invalid", "challenge_invalid", "two_factor_already_enabled"),
        },
    )
    def post(self, request: Request) -> Response:
        challenge = _valid(ChallengeSerializer, request)["challenge"]
        return Response(asdict(twofactor.begin_enrolment_for_sign_in(self.bound(), request._request, challenge)))


class SignInEnrolmentConfirmView(PublicEndpoint, ChallengeEndpoint):
    """The app's first code turns two-factor on and signs in: the tokens, and the backup codes shown this once."""

    throttle_classes = [*APIView.throttle_classes, CodeThrottle]

    @extend_schema(
        summary="Confirm two-factor and sign in",
        description="The new app's first code turns two-factor on and starts the session: the token pair, and the "
        "backup codes, shown this once.",
        request=ChallengeAnswerSerializer,
        responses={
            200: EnrolledSignInSerializer,
            **problems("invalid", "challenge_invalid", "two_factor_code_invalid", "two_factor_enrolment_not_started"),
        },
    )
    def post(self, request: Request) -> Response:
        form = _valid(ChallengeAnswerSerializer, request)
        enrolled = twofactor.confirm_enrolment_for_sign_in(
            self.bound(), request._request, form["challenge"], form["code"]
        )
        return Response(enrolled.as_dict())


class RefreshView(PublicEndpoint, RefreshTokenEndpoint):
    """A new token pair for a refresh token, used once: a second use signs the whole session out."""

    @extend_schema(
        summary="Refresh the tokens",
        description="A new pair for the refresh token, which is used up: a second use of it signs its whole session "
        "out (`token_reused`).",
        request=RefreshSerializer,
        responses={200: TokenPairSerializer, **problems("invalid", "token_invalid", "token_revoked", "token_reused")},
    )
    def post(self, request: Request) -> Response:
        refresh = _valid(RefreshSerializer, request)["refresh"]
        return Response(sessions.rotate(self.bound(), request._request, refresh).as_dict())


class SignOutView(PublicEndpoint, RefreshTokenEndpoint):
    """End the session of the refresh token; its access tokens stop working at once."""

    @extend_schema(
        summary="Sign out",
        description="Ends the session of the refresh token: its access tokens stop working at once.",
        request=RefreshSerializer,
        responses={204: None, **problems("invalid", "token_invalid")},
    )
    def post(self, request: Request) -> Response:
        sessions.sign_out(self.bound(), request._request, _valid(RefreshSerializer, request)["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(SignedInEndpoint, AnswersTheUser):
    @extend_schema(summary="Read yourself", description="The signed-in user, as this project shows them.")
    def get(self, request: Request) -> Response:
        return self.me(request, self.user(request))

    @extend_schema(
        summary="Change your name",
        description="The signed-in user's own name; the answer is the user as GET shows them.",
        request=ProfileSerializer,  # answers the project's user (get_serializer_class), as GET does
    )
    def patch(self, request: Request) -> Response:
        form = ProfileSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        user = self.user(request)
        if "full_name" in form.validated_data:
            user = accounts.update_profile(user, full_name=form.validated_data["full_name"])
        return self.me(request, user)


class NewestFirst(CursorPage):
    ordering = "-created_at"


class SessionListView(SignedInEndpoint, generics.ListAPIView[Any]):
    """The signed-in user's open sessions (devices), newest first; `current` marks the one asking."""

    serializer_class = SessionSerializer
    pagination_class = NewestFirst

    def get_queryset(self) -> QuerySet[Any]:
        return self.bound().sessions._default_manager.filter(user=self.user(self.request), revoked_at__isnull=True)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "current_session": family_of_token(self.request.auth)}

    @extend_schema(
        summary="List your sessions",
        description="Your open sessions (one per sign-in on a device), newest first; `current` marks the one "
        "asking. Sign one out with DELETE sessions/{session_id}/.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


SESSION_ID = OpenApiParameter("session_id", uuid.UUID, OpenApiParameter.PATH, description="A session's `id`.")


class SessionDetailView(SignedInEndpoint):
    @extend_schema(
        summary="Sign a session out",
        description="Ends one of your sessions (another device): its tokens stop working at once.",
        parameters=[SESSION_ID],
        responses={204: None, **problems("not_found")},
    )
    def delete(self, request: Request, session_id: uuid.UUID) -> Response:
        identity = self.bound()
        mine = identity.sessions._default_manager.filter(user=self.user(request), revoked_at__isnull=True)
        sessions.revoke_session(identity, request._request, self.user(request), get_object_or_404(mine, id=session_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TwoFactorStatusView(SignedInEndpoint):
    """Whether two-factor is on, how a challenge can be passed, and whether it must stay on."""

    @extend_schema(
        summary="Read your two-factor settings",
        description="Whether two-factor is on, which methods pass a challenge, how many backup codes are left, and "
        "whether your account must keep it on.",
        responses={200: TwoFactorStatusSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(TwoFactorStatusSerializer(twofactor.status_of(self.bound(), self.user(request))).data)


class TotpEnrolmentView(SignedInEndpoint):
    """Set up an authenticator app: on once POST totp/confirm/ has seen a code from it."""

    @extend_schema(
        summary="Set up an authenticator app",
        description="A new app's secret, as a key URI and a QR code; two-factor is on once POST two-factor/totp/"
        "confirm/ has seen a code from it. `Location` is your two-factor settings.",
        request=None,
        responses={201: TotpEnrolmentSerializer, **problems("two_factor_already_enabled")},
    )
    def post(self, request: Request) -> Response:
        enrolment = twofactor.begin_totp_enrolment(self.bound(), request._request, self.user(request))
        return Response(
            asdict(enrolment), status=status.HTTP_201_CREATED, headers={"Location": reverse("auth-two-factor")}
        )


class TotpConfirmView(SignedInEndpoint):
    """The new app's first code turns two-factor on; the backup codes are shown this once."""

    throttle_classes = [*APIView.throttle_classes, CodeThrottle]

    @extend_schema(
        summary="Confirm the authenticator app",
        description="Its first code turns two-factor on; the answer holds the backup codes, shown this once.",
        request=CodeSerializer,
        responses={
            200: BackupCodesSerializer,
            **problems("two_factor_code_invalid", "two_factor_enrolment_not_started"),
        },
    )
    def post(self, request: Request) -> Response:
        code = _valid(CodeSerializer, request)["code"]
        return Response(
            {"backup_codes": twofactor.confirm_totp(self.bound(), request._request, self.user(request), code)}
        )


class BackupCodesView(SignedInEndpoint):
    """New backup codes for a current app code; the old ones stop working."""

    throttle_classes = [*APIView.throttle_classes, CodeThrottle]

    @extend_schema(
        summary="Renew your backup codes",
        description="New backup codes for a current app code (not a backup code); the old ones stop working.",
        request=CodeSerializer,
        responses={
            200: BackupCodesSerializer,
            **problems("two_factor_code_invalid", "two_factor_locked", "two_factor_not_enabled"),
        },
    )
    def post(self, request: Request) -> Response:
        code = _valid(CodeSerializer, request)["code"]
        codes = twofactor.regenerate_backup_codes(self.bound(), request._request, self.user(request), code)
        return Response({"backup_codes": codes})


class TwoFactorDisableView(SignedInEndpoint):
    """Turn two-factor off with a current code (or a backup code, for a lost phone)."""

    throttle_classes = [*APIView.throttle_classes, CodeThrottle]

    def configured_problems(self) -> tuple[str, ...]:
        return (self.bound().required_code,)  # the project's rule that keeps it on for some accounts

    @extend_schema(
        summary="Turn two-factor off",
        description="With a current app code, or a backup code for a lost phone; not for an account that must keep "
        "it on.",
        request=CodeSerializer,
        responses={
            204: None,
            **problems("two_factor_code_invalid", "two_factor_locked", "two_factor_not_enabled"),
        },
    )
    def post(self, request: Request) -> Response:
        twofactor.disable(self.bound(), request._request, self.user(request), _valid(CodeSerializer, request)["code"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class VerifyEmailView(PublicEndpoint, AnswersTheUser):
    """Confirm the address with the uid and token of the emailed link; the link works once."""

    @extend_schema(
        summary="Confirm your email address",
        description="With the uid and token of the mailed link, which works once; answers the user, now verified.",
        request=LinkSerializer,
    )
    def post(self, request: Request) -> Response:
        form = _valid(LinkSerializer, request)
        return self.me(request, accounts.verify_email(self.bound(), request._request, **form))


class EmailVerificationRequestView(IdentityEndpoint):
    """Mail a new verification link: to the signed-in user, or to `email` when no one is signed in. The answer is
    the same whether or not there is an unverified account."""

    permission_classes = [AllowAny]
    throttle_classes = [*APIView.throttle_classes, AccountEmailThrottle, PerAddressThrottle]

    @extend_schema(
        summary="Mail a new confirmation link",
        description="To the signed-in user, or to `email` when no one is signed in; the answer is the same whether "
        "or not that address has an unverified account. `Location` is where the outcome shows once the link is "
        "followed (`email_verified` of GET me/, signed in).",
        request=VerificationRequestSerializer,
        responses={202: None},
    )
    def post(self, request: Request) -> Response:
        form = VerificationRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user: Any = request.user
        if user is not None and user.is_authenticated:
            accounts.request_email_verification(self.bound(), request._request, user)
        elif "email" in form.validated_data:
            accounts.request_email_verification_by_address(self.bound(), request._request, form.validated_data["email"])
        else:
            raise ValidationError(
                {"email": [ErrorDetail("Give the address to confirm, or sign in first.", code="required")]}
            )
        return Response(status=status.HTTP_202_ACCEPTED, headers={"Location": reverse(AFTER_VERIFICATION)})


class PasswordResetRequestView(PublicEndpoint):
    """Mail a link that sets a new password; the answer is the same whether or not the address has an account."""

    throttle_classes = [*APIView.throttle_classes, AccountEmailThrottle, PerAddressThrottle]

    @extend_schema(
        summary="Mail a password reset link",
        description="Its uid and token set a new password; the answer is the same whether or not the address has "
        "an account. `Location` is where they go with the new password.",
        request=PasswordResetRequestSerializer,
        responses={202: None},
    )
    def post(self, request: Request) -> Response:
        email = _valid(PasswordResetRequestSerializer, request)["email"]
        accounts.request_password_reset(self.bound(), request._request, email=email)
        return Response(status=status.HTTP_202_ACCEPTED, headers={"Location": reverse(AFTER_RESET_REQUEST)})


class PasswordResetView(PublicEndpoint):
    """Set a new password with the uid and token of an emailed link (a reset, or an invitation); every session of
    the account is signed out."""

    @extend_schema(
        summary="Set a new password from a link",
        description="With the uid and token of a mailed link (a reset, or an invitation's): every session of the "
        "account is signed out.",
        request=PasswordResetSerializer,
        responses={204: None},
    )
    def post(self, request: Request) -> Response:
        accounts.reset_password(self.bound(), request._request, **_valid(PasswordResetSerializer, request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(SignedInEndpoint):
    """A new password for the current one; every other session is signed out, this one stays."""

    @extend_schema(
        summary="Change your password",
        description="The current password and a new one; every other session of yours is signed out, this one stays.",
        request=PasswordChangeSerializer,
        responses={204: None},
    )
    def post(self, request: Request) -> Response:
        form = _valid(PasswordChangeSerializer, request)
        accounts.change_password(
            self.bound(),
            request._request,
            self.user(request),
            current=form["current_password"],
            new=form["new_password"],
            session=family_of_token(request.auth),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
