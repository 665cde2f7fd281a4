"""What the tenants API reads and answers; the examples are what the OpenAPI schema shows."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from control_plane.tenants.models import DeletionPolicy, Invitation, MemberRole, Membership, Tenant, TenantState
from tenantry_kernel.web.openapi import request_example as _request
from tenantry_kernel.web.openapi import response_example as _response

TENANT_EXAMPLE = {
    "id": "5f0c9a4e-2b7d-4c1e-9f3a-8d6b1e2c4a70",
    "slug": "acme",
    "name": "Acme Coffee",
    "plan": "starter",
    "tier": "shared",
    "region": "local",
    "state": "ready",
    "state_reason": "",
    "state_changed_at": "2026-03-02T09:14:05Z",
    "url": "http://acme.localhost:8000/",
    "created_at": "2026-03-02T09:13:58Z",
}
TOKENS_EXAMPLE = {
    "access": "eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.c2lnbmF0dXJl",
    "refresh": "eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2lnbmF0dXJl",
}


@extend_schema_serializer(examples=[_response("A ready store", TENANT_EXAMPLE)])
class TenantSerializer(serializers.ModelSerializer[Tenant]):
    class Meta:
        model = Tenant
        fields = [
            "id", "slug", "name", "plan", "tier", "region", "state", "state_reason", "state_changed_at", "url",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema_serializer(examples=[_response("A store you own", {**TENANT_EXAMPLE, "role": "owner"})])
class MyTenantSerializer(serializers.ModelSerializer[Membership]):
    """A tenant as one of its members sees it: the tenant's own fields, and their role in it."""

    class Meta:
        model = Membership
        fields = ["role"]
        read_only_fields = fields

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        tenant_fields = TenantSerializer().get_fields()
        for name, field in tenant_fields.items():
            field.source = f"tenant.{name}"
        return {**tenant_fields, **super().get_fields()}


@extend_schema_serializer(
    examples=[
        _response(
            "A store as staff see it",
            {
                **TENANT_EXAMPLE,
                "conditions": [{"type": "Ready", "status": "True", "reason": "Reconciled"}],
                "observed_generation": 3,
                "shard": "shard-local",
                "provisioning_attempts": 1,
                "deletion_policy": "Delete",
                "updated_at": "2026-03-02T09:14:05Z",
            },
        )
    ]
)
class OpsTenantSerializer(serializers.ModelSerializer[Tenant]):
    class Meta:
        model = Tenant
        fields = [
            *TenantSerializer.Meta.fields, "conditions", "observed_generation", "shard", "provisioning_attempts",
            "deletion_policy", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class StateFilterSerializer(serializers.Serializer[Any]):
    """The ops list's query: `?state=` keeps the tenants in that state."""

    state = serializers.ChoiceField(
        choices=TenantState.choices,
        required=False,
        allow_blank=True,
        error_messages={"invalid_choice": f"Unknown state {{input!r}}; use one of {', '.join(TenantState.values)}."},
    )


@extend_schema_serializer(examples=[_request("With a reason", {"reason": "Chargeback on invoice TY-2026-000042"})])
class OpsActionSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DeleteTenantSerializer(serializers.Serializer[Any]):
    deletion_policy = serializers.ChoiceField(choices=DeletionPolicy.choices, default=DeletionPolicy.DELETE)


@extend_schema_serializer(
    examples=[
        _response(
            "An admin",
            {
                "id": 42,
                "email": "dana@example.com",
                "full_name": "Dana Reyes",
                "role": "admin",
                "created_at": "2026-03-04T16:20:00Z",
            },
        )
    ]
)
class MemberSerializer(serializers.ModelSerializer[Membership]):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "created_at"]
        read_only_fields = ["id", "email", "full_name", "created_at"]


@extend_schema_serializer(examples=[_request("Make them billing", {"role": "billing"})])
class RoleSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=MemberRole.choices)


@extend_schema_serializer(
    examples=[
        _response(
            "An open invitation",
            {
                "id": 7,
                "email": "sam@example.com",
                "role": "billing",
                "invited_by": "owner@example.com",
                "created_at": "2026-03-05T08:00:00Z",
                "expires_at": "2026-03-12T08:00:00Z",
            },
        )
    ]
)
class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    invited_by = serializers.EmailField(source="invited_by.email", read_only=True, default=None)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "invited_by", "created_at", "expires_at"]
        read_only_fields = ["id", "invited_by", "created_at", "expires_at"]


@extend_schema_serializer(examples=[_request("Invite a bookkeeper", {"email": "sam@example.com", "role": "billing"})])
class InviteSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=MemberRole.choices)


@extend_schema_serializer(
    examples=[
        _request("Signed in already", {"token": "inv_3q2Xw9sQbH1kJ0aZ"}),
        _request(
            "New to the platform",
            {"token": "inv_3q2Xw9sQbH1kJ0aZ", "password": "a long enough passphrase", "full_name": "Sam Okafor"},
        ),
    ]
)
class AcceptInvitationSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=200)
    # For someone without an account: it is created with the invited address.
    password = serializers.CharField(max_length=128, required=False, write_only=True)
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class SessionTokensSerializer(serializers.Serializer[Any]):
    """A new portal session: the access token for API calls, the refresh token for the next pair."""

    access = serializers.CharField()
    refresh = serializers.CharField()


@extend_schema_serializer(
    examples=[_response("A new account", {"tenant": {**TENANT_EXAMPLE, "role": "billing"}, "tokens": TOKENS_EXAMPLE})]
)
class AcceptedInvitationSerializer(serializers.Serializer[Any]):
    """The store joined; `tokens` only when the invitation created the account (it is signed in)."""

    tenant = MyTenantSerializer()
    tokens = SessionTokensSerializer(required=False)


@extend_schema_serializer(examples=[_response("A ticket", {"ticket": "tk_9f2c1e7a4b3d", "expires_in": 60})])
class StreamTicketSerializer(serializers.Serializer[None]):
    ticket = serializers.CharField(help_text="Pass as `?ticket=` to the store's event stream (`Location`); works once.")
    expires_in = serializers.IntegerField(help_text="Seconds left to use it.")


@extend_schema_serializer(
    examples=[
        _response("A hand-off", {"url": "http://localhost:8000/o/handoff/?code=3q2Xw9sQbH1kJ0aZ", "expires_in": 60})
    ]
)
class StoreHandoffSerializer(serializers.Serializer[None]):
    url = serializers.CharField(
        help_text="Send the browser here (the platform's sign-in provider): it signs you in there, once, and goes "
        "on to the store's own sign-in through the platform."
    )
    expires_in = serializers.IntegerField(help_text="Seconds left to use it; it works once.")
