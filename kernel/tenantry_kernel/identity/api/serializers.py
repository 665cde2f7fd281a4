"""What the identity API reads and answers. A project may extend `MeSerializer` (Identity.me_serializer)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tenantry_kernel.identity.models import AbstractPendingSignIn, Method


class SignInSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class RefreshSerializer(serializers.Serializer[Any]):
    refresh = serializers.CharField(max_length=4096)


class TokenPairSerializer(serializers.Serializer[Any]):
    access = serializers.CharField(help_text="For API calls (Authorization: Bearer …); lives a few minutes.")
    refresh = serializers.CharField(help_text="For the next pair, once (POST refresh/); a second use signs out.")


class CodeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(
        max_length=32, help_text="The code the authenticator app shows now, or an unused backup code."
    )


class ChallengeSerializer(serializers.Serializer[Any]):
    challenge = serializers.CharField(max_length=512, help_text="The challenge the sign-in answered with.")


class ChallengeAnswerSerializer(ChallengeSerializer, CodeSerializer):
    pass


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


class TotpEnrolmentSerializer(serializers.Serializer[Any]):
    otpauth_uri = serializers.CharField(help_text="Key URI for authenticator apps (otpauth://totp/...).")
    qr_code = serializers.CharField(help_text="The otpauth URI as a QR code: an SVG data URI for an <img> src.")
    secret = serializers.CharField(help_text="The base32 secret, for typing into an app by hand.")


class BackupCodesSerializer(serializers.Serializer[Any]):
    backup_codes = serializers.ListField(
        child=serializers.CharField(), help_text="Single-use codes, shown this once; each replaces an app code once."
    )


class EnrolledSignInSerializer(BackupCodesSerializer, TokenPairSerializer):
    pass


class TwoFactorStatusSerializer(serializers.Serializer[Any]):
    enabled = serializers.BooleanField()
    methods = serializers.ListField(child=serializers.ChoiceField(choices=Method.choices))
    backup_codes_remaining = serializers.IntegerField()
    # Shadows nothing: DRF's metaclass takes declared fields off the class (Field.required is an instance's).
    required = serializers.BooleanField(  # type: ignore[assignment]
        help_text="Whether the account must keep two-factor on (and so cannot turn it off)."
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


class MeSerializer(serializers.Serializer[Any]):
    """The signed-in user as every project shows them; a project's subclass adds its own fields."""

    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    email_verified = serializers.BooleanField(read_only=True)
    date_joined = serializers.DateTimeField(read_only=True)


class ProfileSerializer(serializers.Serializer[Any]):
    full_name = serializers.CharField(max_length=150, allow_blank=True)


class LinkSerializer(serializers.Serializer[Any]):
    """The uid and token of an emailed link."""

    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)


class VerificationRequestSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(
        max_length=254,
        required=False,
        help_text="Whose address to confirm when no one is signed in; a signed-in user's own otherwise.",
    )


class PasswordResetRequestSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)


class PasswordResetSerializer(LinkSerializer):
    password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)


class PasswordChangeSerializer(serializers.Serializer[Any]):
    current_password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)
    new_password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)
