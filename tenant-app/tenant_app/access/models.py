"""Roles (named permission sets) and policies (attribute conditions on them), kept in each tenant's schema."""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models


class Role(models.Model):
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    # Built-in roles (owner, admin, manager, staff, customer) cannot be renamed or deleted.
    builtin = models.BooleanField(default=False)
    # Permissions are "<resource>.<action>" strings, e.g. "users.view", "products.update".
    permissions = ArrayField(models.CharField(max_length=80), default=list, blank=True)
    # Members of this role must use a second factor to sign in.
    requires_two_factor = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Policy(models.Model):
    """A condition over subject, resource and context attributes on some actions of some roles."""

    class Effect(models.TextChoices):
        ALLOW = "allow"  # the role's permission holds only when the condition does
        DENY = "deny"  # refused whenever the condition holds, whatever the role

    # Machine-readable: decisions name it ("denied_by_policy:<name>").
    name = models.SlugField(max_length=60, unique=True)
    description = models.CharField(max_length=300, blank=True)
    effect = models.CharField(max_length=5, choices=Effect.choices)
    # Catalog actions, "<resource>.*" or "*".
    actions = ArrayField(models.CharField(max_length=80))
    # No roles: the policy applies to everyone.
    roles = models.ManyToManyField(Role, blank=True, related_name="policies")
    # A CEL expression over `subject`, `resource` and `context`; empty means always.
    condition = models.TextField(blank=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return self.name


class AccessRevision(models.Model):
    """One row per tenant, stamped anew with every change of its roles or policies.

    Processes compare the stamp with the one their cached policy set was built from. A random
    stamp rather than a counter: a rolled-back change can never be mistaken for a later one.
    """

    stamp = models.UUIDField(default=uuid.uuid4)

    def __str__(self) -> str:
        return str(self.stamp)
