"""How the portal shows its signed-in user in the identity API (Identity.me_serializer)."""

from __future__ import annotations

from rest_framework import serializers

from tenantry_kernel.identity.api import serializers as identity


class MeSerializer(identity.MeSerializer):
    is_staff = serializers.BooleanField(read_only=True, help_text="Platform staff (the operators of Tenantry).")
