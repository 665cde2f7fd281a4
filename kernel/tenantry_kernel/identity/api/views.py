"""The identity endpoints: sign-in and its second factor, tokens, sessions, two-factor settings, emailed links.

Each view is bound to one project's Identity when routed (`tenantry_kernel.identity.api.urls.identity_urls`); the
throttles the project sets as defaults (REST_FRAMEWORK) apply besides each endpoint's own.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any, cast

from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import status
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

SIGN_IN_RESULT = PolymorphicProxySerializer(
    component_name="SignInResult",
    serializers=[TokenPairSerializer, SecondFactorChallengeSerializer],
    # Tokens, or (a "status" says which step is next) a challenge to answer before them.
    resource_type_field_name=None,
)


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

    @extend_schema(request=SignInSerializer, responses={200: SIGN_IN_RESULT})
    def post(self, request: Request) -> Response:
        form = _valid(SignInSerializer, request)
        return Response(signin.sign_in(self.bound(), request._request, form["email"], form["password"]).as_dict())


class ChallengeAnswerView(PublicEndpoint):
    """The second step of signing in: a code from the authenticator app, or a backup code."""

    throttle_classes = [*APIView.throttle_classes, CodeThrottle]

    @extend_schema(request=ChallengeAnswerSerializer, responses={200: TokenPairSerializer})
    def post(self, request: Request) -> Response:
        form = _valid(ChallengeAnswerSerializer, request)
        tokens = twofactor.answer_challenge(self.bound(), request._request, form["challenge"], form["code"])
        return Response(tokens.as_dict())


class SignInEnrolmentView(PublicEndpoint):
    """A user who must have two-factor and has none sets up an authenticator app before their first session."""

    throttle_classes = [*APIView.throttle_classes, CodeThrottle]

    @extend_schema(request=ChallengeSerializer, responses={200: TotpEnrolmentSerializer})
    def post(self, request: Request) -> Response:
        challenge = _valid(ChallengeSerializer, request)["challenge"]
        return Response(asdict(twofactor.begin_enrolment_for_sign_in(self.bound(), request._request, challenge)))


class SignInEnrolmentConfirmView(PublicEndpoint):
    """The app's first code turns two-factor on and signs in: the tokens, and the backup codes shown this once."""

    throttle_classes = [*APIView.throttle_classes, CodeThrottle]

    @extend_schema(request=ChallengeAnswerSerializer, responses={200: EnrolledSignInSerializer})
    def post(self, request: Request) -> Response:
        form = _valid(ChallengeAnswerSerializer, request)
        enrolled = twofactor.confirm_enrolment_for_sign_in(
            self.bound(), request._request, form["challenge"], form["code"]
        )
        return Response(enrolled.as_dict())


class RefreshView(PublicEndpoint):
    """A new token pair for a refresh token, used once: a second use signs the whole session out."""

    @extend_schema(request=RefreshSerializer, responses={200: TokenPairSerializer})
    def post(self, request: Request) -> Response:
        refresh = _valid(RefreshSerializer, request)["refresh"]
        return Response(sessions.rotate(self.bound(), request._request, refresh).as_dict())


class SignOutView(PublicEndpoint):
    """End the session of the refresh token; its access tokens stop working at once."""

    @extend_schema(request=RefreshSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        sessions.sign_out(self.bound(), request._request, _valid(RefreshSerializer, request)["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(SignedInEndpoint, AnswersTheUser):
    def get(self, request: Request) -> Response:
        """The signed-in user."""
        return self.me(request, self.user(request))

    @extend_schema(request=ProfileSerializer)
    def patch(self, request: Request) -> Response:
        """Change one's own name."""
        form = ProfileSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        user = self.user(request)
        if "full_name" in form.validated_data:
            user = accounts.update_profile(user, full_name=form.validated_data["full_name"])
        return self.me(request, user)


class SessionListView(SignedInEndpoint):
    """The signed-in user's open sessions (devices), newest first; `current` marks the one asking."""

    @extend_schema(responses={200: SessionSerializer(many=True)})
    def get(self, request: Request) -> Response:
        mine = self.bound().sessions._default_manager.filter(user=self.user(request), revoked_at__isnull=True)
        context = {"current_session": family_of_token(request.auth)}
        return Response(SessionSerializer(mine.order_by("-created_at"), many=True, context=context).data)


class SessionDetailView(SignedInEndpoint):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, session_id: uuid.UUID) -> Response:
        """Sign one of one's sessions out (another device); its tokens stop working at once."""
        identity = self.bound()
        mine = identity.sessions._default_manager.filter(user=self.user(request), revoked_at__isnull=True)
        sessions.revoke_session(identity, request._request, self.user(request), get_object_or_404(mine, id=session_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TwoFactorStatusView(SignedInEndpoint):
    """Whether two-factor is on, how a challenge can be passed, and whether it must stay on."""

    @extend_schema(responses={200: TwoFactorStatusSerializer})
    def get(self, request: Request) -> Response:
        return Response(TwoFactorStatusSerializer(twofactor.status_of(self.bound(), self.user(request))).data)


class TotpEnrolmentView(SignedInEndpoint):
    """Set up an authenticator app: on once POST totp/confirm/ has seen a code from it."""

    @extend_schema(request=None, responses={201: TotpEnrolmentSerializer})
    def post(self, request: Request) -> Response:
        enrolment = twofactor.begin_totp_enrolment(self.bound(), request._request, self.user(request))
        return Response(asdict(enrolment), status=status.HTTP_201_CREATED)


class TotpConfirmView(SignedInEndpoint):
    """The new app's first code turns two-factor on; the backup codes are shown this once."""

    throttle_classes = [*APIView.throttle_classes, CodeThrottle]

    @extend_schema(request=CodeSerializer, responses={200: BackupCodesSerializer})
    def post(self, request: Request) -> Response:
        code = _valid(CodeSerializer, request)["code"]
        return Response(
            {"backup_codes": twofactor.confirm_totp(self.bound(), request._request, self.user(request), code)}
        )


class BackupCodesView(SignedInEndpoint):
    """New backup codes for a current app code; the old ones stop working."""

    throttle_classes = [*APIView.throttle_classes, CodeThrottle]

    @extend_schema(request=CodeSerializer, responses={200: BackupCodesSerializer})
    def post(self, request: Request) -> Response:
        code = _valid(CodeSerializer, request)["code"]
        codes = twofactor.regenerate_backup_codes(self.bound(), request._request, self.user(request), code)
        return Response({"backup_codes": codes})


class TwoFactorDisableView(SignedInEndpoint):
    """Turn two-factor off with a current code (or a backup code, for a lost phone)."""

    throttle_classes = [*APIView.throttle_classes, CodeThrottle]

    @extend_schema(request=CodeSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        twofactor.disable(self.bound(), request._request, self.user(request), _valid(CodeSerializer, request)["code"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class VerifyEmailView(PublicEndpoint, AnswersTheUser):
    """Confirm the address with the uid and token of the emailed link; the link works once."""

    @extend_schema(request=LinkSerializer)
    def post(self, request: Request) -> Response:
        form = _valid(LinkSerializer, request)
        return self.me(request, accounts.verify_email(self.bound(), request._request, **form))


class EmailVerificationRequestView(IdentityEndpoint):
    """Mail a new verification link: to the signed-in user, or to `email` when no one is signed in. The answer is
    the same whether or not there is an unverified account."""

    permission_classes = [AllowAny]
    throttle_classes = [*APIView.throttle_classes, AccountEmailThrottle, PerAddressThrottle]

    @extend_schema(request=VerificationRequestSerializer, responses={202: None})
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
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetRequestView(PublicEndpoint):
    """Mail a link that sets a new password; the answer is the same whether or not the address has an account."""

    throttle_classes = [*APIView.throttle_classes, AccountEmailThrottle, PerAddressThrottle]

    @extend_schema(request=PasswordResetRequestSerializer, responses={202: None})
    def post(self, request: Request) -> Response:
        email = _valid(PasswordResetRequestSerializer, request)["email"]
        accounts.request_password_reset(self.bound(), request._request, email=email)
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetView(PublicEndpoint):
    """Set a new password with the uid and token of an emailed link (a reset, or an invitation); every session of
    the account is signed out."""

    @extend_schema(request=PasswordResetSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        accounts.reset_password(self.bound(), request._request, **_valid(PasswordResetSerializer, request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(SignedInEndpoint):
    """A new password for the current one; every other session is signed out, this one stays."""

    @extend_schema(request=PasswordChangeSerializer, responses={204: None})
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
