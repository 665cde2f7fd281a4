"""A tenant (a store) and who belongs to it.

`state` moves only through `tenants.actions.lifecycle.transition`, which checks `lifecycle.ALLOWED`,
audits the change and emits `tenant.state_changed` in the same transaction.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from tenantry_kernel.provisioning.plans import PlanName


class TenantState(models.TextChoices):
    PENDING = "pending"
    PROVISIONING = "provisioning"
    READY = "ready"
    SUSPENDED = "suspended"
    FAILED = "failed"
    DELETING = "deleting"
    DELETED = "deleted"


class Tier(models.TextChoices):
    SHARED = "shared"
    DEDICATED = "dedicated"


class DeletionPolicy(models.TextChoices):
    DELETE = "Delete"
    RETAIN = "Retain"


class Plan(models.TextChoices):
    FREE = PlanName.FREE.value
    STARTER = PlanName.STARTER.value
    GROWTH = PlanName.GROWTH.value
    ENTERPRISE = PlanName.ENTERPRISE.value


class Tenant(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The Tenant resource's name, the hostname label and the schema name's source (naming.validate_slug).
    slug = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    plan = models.CharField(max_length=20, choices=Plan.choices, default=Plan.FREE)
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.SHARED)
    region = models.CharField(max_length=40, default="local")
    deletion_policy = models.CharField(max_length=10, choices=DeletionPolicy.choices, default=DeletionPolicy.DELETE)

    state = models.CharField(max_length=20, choices=TenantState.choices, default=TenantState.PENDING, db_index=True)
    state_reason = models.CharField(max_length=500, blank=True)
    state_changed_at = models.DateTimeField(auto_now_add=True)
    # Where the workspace answers once ready, e.g. "http://acme.localhost:8000/".
    url = models.CharField(max_length=500, blank=True)
    # Mirrored from the provisioner (the Tenant resource's status in cluster mode): the
    # Kubernetes condition list, and the generation it describes.
    conditions = models.JSONField(default=list, blank=True)
    observed_generation = models.BigIntegerField(null=True, blank=True)
    shard = models.CharField(max_length=100, blank=True)
    provisioning_attempts = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class MemberRole(models.TextChoices):
    """Roles within a tenant, as the portal sees them; the tenant app maps them onto its own roles."""

    OWNER = "owner"
    ADMIN = "admin"
    BILLING = "billing"


class Membership(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=MemberRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "user"], name="one_membership_per_user_and_tenant")]

    def __str__(self) -> str:
        return f"{self.user_id} is {self.role} of {self.tenant_id}"


class Invitation(models.Model):
    """An emailed invitation to join a tenant with a role; the mail carries the token, the row only its digest."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=20, choices=MemberRole.choices)
    token_digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # One open invitation per address and tenant: inviting again re-sends it.
            models.UniqueConstraint(
                fields=["tenant", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email_and_tenant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} invited to {self.tenant_id} as {self.role}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
