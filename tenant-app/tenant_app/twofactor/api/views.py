"""Two-factor endpoints: the second step of signing in (/auth/two-factor/...) and the user's own settings
(/me/two-factor/...)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_app.accounts.api.serializers import TokenPairSerializer
from tenant_app.accounts.api.views import TokenEndpoint
from tenant_app.accounts.models import User
from tenant_app.twofactor import actions, selectors
from tenant_app.twofactor.api.serializers import (
    BackupCodesSerializer,
    ChallengeAnswerSerializer,
    ChallengeSerializer,
    CodeSerializer,
    EnrolledSignInSerializer,
    TotpEnrolmentSerializer,
    TwoFactorStatusSerializer,
)
from tenantry_kernel.identity.throttling import CodeThrottle


def _valid(serializer_class: type[Any], request: Request) -> dict[str, Any]:
    form = serializer_class(data=request.data)
    form.is_valid(raise_exception=True)
    return cast(dict[str, Any], form.validated_data)


def _me(request: Request) -> User:
    return cast(User, request.user)  # IsAuthenticated let only a signed-in User through


class ChallengeAnswerView(TokenEndpoint):
    throttle_classes = [*APIView.throttle_classes, CodeThrottle]

    @extend_schema(request=ChallengeAnswerSerializer, responses={200: TokenPairSerializer})
    def post(self, request: Request) -> Response:
        form = _valid(ChallengeAnswerSerializer, request)
        return Response(actions.answer_challenge(request._request, form["challenge"], form["code"]).as_dict())


class SignInEnrolmentView(TokenEndpoint):
    throttle_classes = [*APIView.throttle_classes, CodeThrottle]

    @extend_schema(request=ChallengeSerializer, responses={200: TotpEnrolmentSerializer})
    def post(self, request: Request) -> Response:
        enrolment = actions.begin_enrolment_for_sign_in(
            request._request, _valid(ChallengeSerializer, request)["challenge"]
        )
        return Response(asdict(enrolment))


class SignInEnrolmentConfirmView(TokenEndpoint):
    throttle_classes = [*APIView.throttle_classes, CodeThrottle]

    @extend_schema(request=ChallengeAnswerSerializer, responses={200: EnrolledSignInSerializer})
    def post(self, request: Request) -> Response:
        form = _valid(ChallengeAnswerSerializer, request)
        enrolled = actions.confirm_enrolment_for_sign_in(request._request, form["challenge"], form["code"])
        return Response(enrolled.as_dict())


class TwoFactorStatusView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: TwoFactorStatusSerializer})
    def get(self, request: Request) -> Response:
        return Response(TwoFactorStatusSerializer(selectors.status_of(_me(request))).data)


class TotpEnrolmentView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: TotpEnrolmentSerializer})
    def post(self, request: Request) -> Response:
        enrolment = actions.begin_totp_enrolment(request._request, _me(request))
        return Response(asdict(enrolment), status=status.HTTP_201_CREATED)


class TotpConfirmView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [*APIView.throttle_classes, CodeThrottle]

    @extend_schema(request=CodeSerializer, responses={200: BackupCodesSerializer})
    def post(self, request: Request) -> Response:
        codes = actions.confirm_totp(request._request, _me(request), _valid(CodeSerializer, request)["code"])
        return Response({"backup_codes": codes})


class BackupCodesView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [*APIView.throttle_classes, CodeThrottle]

    @extend_schema(request=CodeSerializer, responses={200: BackupCodesSerializer})
    def post(self, request: Request) -> Response:
        code = _valid(CodeSerializer, request)["code"]
        return Response({"backup_codes": actions.regenerate_backup_codes(request._request, _me(request), code)})


class DisableView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [*APIView.throttle_classes, CodeThrottle]

    @extend_schema(request=CodeSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        actions.disable(request._request, _me(request), _valid(CodeSerializer, request)["code"])
        return Response(status=status.HTTP_204_NO_CONTENT)
