"""Roles: named permission sets. Built-in roles come with every workspace; custom ones are the tenant's own."""

from __future__ import annotations

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
