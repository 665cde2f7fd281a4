"""Why a sign-in through an identity provider did not complete, in the API's one error shape."""

from __future__ import annotations

from rest_framework import status
from rest_framework.exceptions import APIException


class SsoError(APIException):
    """The callback cannot complete the sign-in (400); the client should start again."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    default_detail = "The sign-in could not be completed; start it again."
    default_code = "sso_failed"


class SsoConflict(SsoError):
    """The identity is fine but clashes with an account here (409), e.g. an unverified email of an existing user."""

    status_code = status.HTTP_409_CONFLICT


class ProviderUnavailable(SsoError):
    """The identity provider did not answer, or answered nonsense (502)."""

    status_code = status.HTTP_502_BAD_GATEWAY
    default_detail = "The identity provider did not answer properly; try again in a moment."
    default_code = "sso_provider_unavailable"


class AccountDisabled(SsoError):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "This account is disabled; ask the store's owner to enable it."
    default_code = "account_disabled"
