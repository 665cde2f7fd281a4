"""Reads of the access app that several APIs share."""

from __future__ import annotations

from rest_framework.exceptions import ErrorDetail, ValidationError

from tenant_app.access.models import Role


def role_named(slug: str, field: str = "role") -> Role:
    """The role with this slug; a 400 on `field` naming the slug when there is none."""
    role = Role.objects.filter(slug=slug).first()
    if role is None:
        raise ValidationError({field: [ErrorDetail(f"No role has the slug {slug!r}; see `roles`.", "unknown_role")]})
    return role
