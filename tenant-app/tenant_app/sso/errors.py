"""Why a sign-in through an identity provider did not complete: the exceptions and their error codes."""

from __future__ import annotations

from rest_framework import status
from rest_framework.exceptions import APIException

from tenantry_kernel.web.problems import Problem

# The codes these exceptions carry (tenantry_kernel.web.problems); the message says what to do.
PROBLEMS = (
    Problem("sso_failed", 400, "Sign-in failed", "The sign-in through the provider could not complete; start again."),
    Problem("sso_provider_unknown", 404, "Unknown sign-in provider", "No sign-in with that provider is offered here."),
    Problem("sso_denied", 400, "Sign-in denied", "The identity provider did not sign the person in; try again."),
    Problem(
        "sso_state_invalid",
        400,
        "Unknown sign-in",
        "The sign-in is unknown, expired or finished already; start the sign-in again.",
    ),
    Problem(
        "sso_code_invalid",
        400,
        "Sign-in code refused",
        "The identity provider refused the sign-in code; start the sign-in again.",
    ),
    Problem(
        "sso_id_token_invalid",
        400,
        "Invalid ID token",
        "The identity provider sent no valid ID token; start the sign-in again.",
    ),
    Problem(
        "sso_email_missing",
        400,
        "No email address",
        "The identity provider shared no email address; allow access to it and try again.",
    ),
    Problem("sso_conflict", 409, "Sign-in under way", "Another sign-in with this address is under way; try again."),
    Problem(
        "email_not_verified",
        409,
        "Email not verified",
        "An account has this address and the provider does not confirm it is yours; sign in another way.",
    ),
    Problem(
        "sso_provider_unavailable",
        502,
        "Identity provider unavailable",
        "The identity provider did not answer properly; try again in a moment.",
    ),
    Problem(
        "account_disabled", 403, "Account disabled", "The account is disabled; ask the store's owner to enable it."
    ),
)


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
