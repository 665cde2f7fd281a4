from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tenant_app.accounts.api.serializers import TokenPairSerializer
from tenant_app.twofactor.models import Method, PendingSignIn


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
        choices=PendingSignIn.Kind.choices,
        help_text="two_factor_required: send a code to /auth/two-factor/. "
        "enrolment_required: set up an authenticator app through /auth/two-factor/enrolment/ first.",
    )
    challenge = serializers.CharField(help_text="Single use, valid for expires_in seconds on this store only.")
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
    required_by_role = serializers.BooleanField()
