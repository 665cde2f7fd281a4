"""Portal sign-in, sessions, email verification and two-factor under /api/v1/auth/."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any, cast

from django.shortcuts import get_object_or_404
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from control_plane.accounts import actions, selectors
from control_plane.accounts.api.serializers import (
    ChallengeAnswerSerializer,
    ChallengeSerializer,
    CodeSerializer,
    EmailSerializer,
    LinkSerializer,
    MeSerializer,
    RefreshSerializer,
    SessionSerializer,
    SignInSerializer,
)
from control_plane.accounts.models import RefreshFamily, User
from tenantry_kernel.identity.sessions import family_of_token
from tenantry_kernel.identity.throttling import (
    AccountEmailThrottle,
    CodeThrottle,
    PerAddressThrottle,
    SignInThrottle,
)


def _valid(serializer_class: type[Any], request: Request) -> dict[str, Any]:
    form = serializer_class(data=request.data)
    form.is_valid(raise_exception=True)
    return cast(dict[str, Any], form.validated_data)


def _me(request: Request) -> User:
    return cast(User, request.user)  # IsAuthenticated let only a signed-in User through


class PublicEndpoint(APIView):
    """Endpoints that take credentials, codes or links in the body, not a bearer token."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def get_authenticate_header(self, request: Request) -> str:
        # Failed credentials are 401 with a challenge, as on every other endpoint.
        return 'Bearer realm="api"'


class SignInView(PublicEndpoint):
    throttle_classes = [SignInThrottle]

    def post(self, request: Request) -> Response:
        form = _valid(SignInSerializer, request)
        result = actions.sign_in(request._request, email=form["email"], password=form["password"])
        return Response(result.as_dict())


class ChallengeAnswerView(PublicEndpoint):
    throttle_classes = [CodeThrottle]

    def post(self, request: Request) -> Response:
        form = _valid(ChallengeAnswerSerializer, request)
        pair = actions.answer_challenge(request._request, challenge=form["challenge"], code=form["code"])
        return Response(pair.as_dict())


class SignInEnrolmentView(PublicEndpoint):
    throttle_classes = [CodeThrottle]

    def post(self, request: Request) -> Response:
        challenge = _valid(ChallengeSerializer, request)["challenge"]
        return Response(asdict(actions.begin_enrolment_for_sign_in(request._request, challenge=challenge)))


class SignInEnrolmentConfirmView(PublicEndpoint):
    throttle_classes = [CodeThrottle]

    def post(self, request: Request) -> Response:
        form = _valid(ChallengeAnswerSerializer, request)
        enrolled = actions.confirm_enrolment_for_sign_in(
            request._request, challenge=form["challenge"], code=form["code"]
        )
        return Response(enrolled.as_dict())


class RefreshView(PublicEndpoint):
    def post(self, request: Request) -> Response:
        refresh = _valid(RefreshSerializer, request)["refresh"]
        return Response(actions.rotate(request._request, refresh=refresh).as_dict())


class SignOutView(PublicEndpoint):
    def post(self, request: Request) -> Response:
        actions.sign_out(request._request, refresh=_valid(RefreshSerializer, request)["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class VerifyEmailView(PublicEndpoint):
    def post(self, request: Request) -> Response:
        form = _valid(LinkSerializer, request)
        user = actions.verify_email(request._request, uid=form["uid"], token=form["token"])
        return Response(MeSerializer(user).data)


class ResendVerificationView(PublicEndpoint):
    throttle_classes = [AccountEmailThrottle, PerAddressThrottle]

    def post(self, request: Request) -> Response:
        actions.request_email_verification(request._request, email=_valid(EmailSerializer, request)["email"])
        # The same answer whether or not the address has an account waiting for verification.
        return Response(status=status.HTTP_202_ACCEPTED)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response(MeSerializer(_me(request)).data)


class SessionListView(APIView):
    """The signed-in user's open sessions (devices), newest first; `current` marks this one."""

    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        context = {"current_session": family_of_token(request.auth)}
        sessions = selectors.open_sessions(_me(request))
        return Response(SessionSerializer(sessions, many=True, context=context).data)


class SessionDetailView(APIView):
    permission_classes = [IsAuthenticated]

    def delete(self, request: Request, session_id: uuid.UUID) -> Response:
        user = _me(request)
        session = get_object_or_404(RefreshFamily, id=session_id, user=user, revoked_at__isnull=True)
        actions.revoke_session(request._request, user, session)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TwoFactorStatusView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response(asdict(selectors.two_factor_status(_me(request))))


class TotpEnrolView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request: Request) -> Response:
        enrolment = actions.begin_totp_enrolment(request._request, _me(request))
        return Response(asdict(enrolment), status=status.HTTP_201_CREATED)


class TotpConfirmView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [CodeThrottle]

    def post(self, request: Request) -> Response:
        code = _valid(CodeSerializer, request)["code"]
        return Response({"backup_codes": actions.confirm_totp(request._request, _me(request), code=code)})


class BackupCodesView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [CodeThrottle]

    def post(self, request: Request) -> Response:
        code = _valid(CodeSerializer, request)["code"]
        return Response({"backup_codes": actions.regenerate_backup_codes(request._request, _me(request), code=code)})


class TwoFactorDisableView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [CodeThrottle]

    def post(self, request: Request) -> Response:
        actions.disable_two_factor(request._request, _me(request), code=_valid(CodeSerializer, request)["code"])
        return Response(status=status.HTTP_204_NO_CONTENT)
