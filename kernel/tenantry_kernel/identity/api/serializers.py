"""What the identity API reads and answers. A project may extend `MeSerializer` (Identity.me_serializer).

The examples are what the OpenAPI schema shows (tenantry_kernel.web.openapi).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from tenantry_kernel.identity.models import AbstractPendingSignIn, Method
from tenantry_kernel.web.openapi import request_example, response_example

EMAIL = "dana@example.com"
PASSWORD = "a long enough passphrase"  # noqa: S105 (an example in the docs)
TOKENS = {
    "access": "eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.c2lnbmF0dXJl",
    "refresh": "eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2lnbmF0dXJl",
}
CHALLENGE = "eyJhbGciOiJIUzI1NiJ9.eyJpZCI6IjRmM2EifQ.c2lnbmF0dXJl"
BACKUP_CODES = ["k7wq-2mzd", "p3xv-9hta", "c8rn-4fue", "w2jy-6bsk", "t5gl-3qoe"]
LINK = {"uid": "MTI", "token": "cjz9ks-8f1e2d3c4b5a69788796a5b4c3d2e1f0"}


@extend_schema_serializer(examples=[request_example("Email and password", {"email": EMAIL, "password": PASSWORD})])
class SignInSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


@extend_schema_serializer(examples=[request_example("A refresh token", {"refresh": TOKENS["refresh"]})])
class RefreshSerializer(serializers.Serializer[Any]):
    refresh = serializers.CharField(max_length=4096)


@extend_schema_serializer(examples=[response_example("A new pair", TOKENS)])
class TokenPairSerializer(serializers.Serializer[Any]):
    access = serializers.CharField(help_text="For API calls (Authorization: Bearer …); lives a few minutes.")
    refresh = serializers.CharField(help_text="For the next pair, once (POST refresh/); a second use signs out.")


@extend_schema_serializer(examples=[request_example("An app code", {"code": "492039"})])
class CodeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(
        max_length=32, help_text="The code the authenticator app shows now, or an unused backup code."
    )


@extend_schema_serializer(examples=[request_example("The challenge", {"challenge": CHALLENGE})])
class ChallengeSerializer(serializers.Serializer[Any]):
    challenge = serializers.CharField(max_length=512, help_text="The challenge the sign-in answered with.")


@extend_schema_serializer(
    examples=[
        request_example("An app code", {"challenge": CHALLENGE, "code": "492039"}),
        request_example("A backup code", {"challenge": CHALLENGE, "code": BACKUP_CODES[0]}),
    ]
)
class ChallengeAnswerSerializer(ChallengeSerializer, CodeSerializer):
    pass


@extend_schema_serializer(
    examples=[
        response_example(
            "A code is needed",
            {
                "status": "two_factor_required",
                "challenge": CHALLENGE,
                "methods": ["totp", "backup_code"],
                "expires_in": 300,
            },
        )
    ]
)
class SecondFactorChallengeSerializer(serializers.Serializer[Any]):
    """What a sign-in answers instead of tokens when the user needs a second factor."""

    status = serializers.ChoiceField(
        choices=AbstractPendingSignIn.Kind.choices,
        help_text="two_factor_required: answer the challenge with a code (POST sign-in/challenge/). "
        "enrolment_required: set up an authenticator app first (POST sign-in/enrolment/, then its confirm/).",
    )
    challenge = serializers.CharField(help_text="Single use, valid for expires_in seconds where it was issued only.")
    methods = serializers.ListField(child=serializers.ChoiceField(choices=Method.choices))
    expires_in = serializers.IntegerField()


@extend_schema_serializer(
    examples=[
        response_example(
            "An app to set up",
            {
                "otpauth_uri": "otpauth://totp/acme.localhost:dana%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=acme.localhost",
                "qr_code": "data:image/svg+xml;charset=utf-8,%3Csvg%20xmlns%3D%22http://www.w3.org/2000/svg%22%3E%3C/svg%3E",
                "secret": "JBSWY3DPEHPK3PXP",
            },
        )
    ]
)
class TotpEnrolmentSerializer(serializers.Serializer[Any]):
    otpauth_uri = serializers.CharField(help_text="Key URI for authenticator apps (otpauth://totp/...).")
    qr_code = serializers.CharField(help_text="The otpauth URI as a QR code: an SVG data URI for an <img> src.")
    secret = serializers.CharField(help_text="The base32 secret, for typing into an app by hand.")


@extend_schema_serializer(examples=[response_example("Shown this once", {"backup_codes": BACKUP_CODES})])
class BackupCodesSerializer(serializers.Serializer[Any]):
    backup_codes = serializers.ListField(
        child=serializers.CharField(), help_text="Single-use codes, shown this once; each replaces an app code once."
    )


@extend_schema_serializer(examples=[response_example("Signed in", {**TOKENS, "backup_codes": BACKUP_CODES})])
class EnrolledSignInSerializer(BackupCodesSerializer, TokenPairSerializer):
    pass


@extend_schema_serializer(
    examples=[
        response_example(
            "On, with backup codes",
            {"enabled": True, "methods": ["totp", "backup_code"], "backup_codes_remaining": 9, "required": False},
        )
    ]
)
class TwoFactorStatusSerializer(serializers.Serializer[Any]):
    enabled = serializers.BooleanField()
    methods = serializers.ListField(child=serializers.ChoiceField(choices=Method.choices))
    backup_codes_remaining = serializers.IntegerField()
    # Shadows nothing: DRF's metaclass takes declared fields off the class (Field.required is an instance's).
    required = serializers.BooleanField(  # type: ignore[assignment]
        help_text="Whether the account must keep two-factor on (and so cannot turn it off)."
    )


@extend_schema_serializer(
    examples=[
        response_example(
            "This browser",
            {
                "id": "0b6f5d4e-7a8c-4e2f-9d1b-3c5a7e9f1b2d",
                "method": "password+2fa",
                "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
                "ip_address": "203.0.113.7",
                "created_at": "2026-03-02T09:14:05Z",
                "last_used_at": "2026-03-02T11:40:12Z",
                "current": True,
            },
        )
    ]
)
class SessionSerializer(serializers.Serializer[Any]):
    """A session: one sign-in on one device, with every refresh token rotated from it."""

    id = serializers.UUIDField(read_only=True)
    method = serializers.CharField(read_only=True, help_text='How it began: "password", "sso:<provider>", "…+2fa".')
    user_agent = serializers.CharField(read_only=True)
    ip_address = serializers.IPAddressField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    last_used_at = serializers.DateTimeField(read_only=True)
    current = serializers.SerializerMethodField(help_text="Whether this is the session of the token asking.")

    def get_current(self, session: Any) -> bool:
        return str(session.id) == str(self.context.get("current_session"))


@extend_schema_serializer(
    examples=[
        response_example(
            "Dana",
            {
                "id": 12,
                "email": EMAIL,
                "full_name": "Dana Reyes",
                "email_verified": True,
                "date_joined": "2026-03-02T09:13:58Z",
            },
        )
    ]
)
class MeSerializer(serializers.Serializer[Any]):
    """The signed-in user as every project shows them; a project's subclass adds its own fields."""

    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    email_verified = serializers.BooleanField(read_only=True)
    date_joined = serializers.DateTimeField(read_only=True)


@extend_schema_serializer(examples=[request_example("A new name", {"full_name": "Dana Reyes-Okafor"})])
class ProfileSerializer(serializers.Serializer[Any]):
    full_name = serializers.CharField(max_length=150, allow_blank=True)


@extend_schema_serializer(examples=[request_example("From the mailed link", LINK)])
class LinkSerializer(serializers.Serializer[Any]):
    """The uid and token of an emailed link."""

    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)


@extend_schema_serializer(
    examples=[request_example("Signed in", {}), request_example("Not signed in", {"email": EMAIL})]
)
class VerificationRequestSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(
        max_length=254,
        required=False,
        help_text="Whose address to confirm when no one is signed in; a signed-in user's own otherwise.",
    )


@extend_schema_serializer(examples=[request_example("The address", {"email": EMAIL})])
class PasswordResetRequestSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)


@extend_schema_serializer(examples=[request_example("A new password", {**LINK, "password": PASSWORD})])
class PasswordResetSerializer(LinkSerializer):
    password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)


@extend_schema_serializer(
    examples=[request_example("Old and new", {"current_password": PASSWORD, "new_password": "another long passphrase"})]
)
class PasswordChangeSerializer(serializers.Serializer[Any]):
    current_password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)
    new_password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)
