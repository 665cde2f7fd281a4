"""Names derived from a tenant's slug, and the rules a slug must follow.

A slug is the Tenant resource's name: a DNS label (it becomes a hostname and a
namespace), 3-40 characters, not one of the reserved names.
"""

from __future__ import annotations

import re

SLUG_PATTERN = r"^[a-z]([-a-z0-9]{1,38})[a-z0-9]$"
SLUG_MIN, SLUG_MAX = 3, 40
_SLUG = re.compile(SLUG_PATTERN)

# Hostnames and schema names the platform itself uses, or that PostgreSQL reserves.
RESERVED_SLUGS = frozenset(
    {
        "public",
        "admin",
        "www",
        "api",
        "app",
        "apps",
        "auth",
        "login",
        "mail",
        "static",
        "media",
        "status",
        "portal",
        "platform",
        "tenantry",
        "system",
        "default",
        "template",
        "information-schema",
        "information_schema",
        "postgres",
        "root",
        "kube-system",
        "kube-public",
        "kube-node-lease",
    }
)
RESERVED_PREFIXES = ("pg-", "pg_", "kube-", "tenantry-")


class InvalidSlug(ValueError):
    """The slug cannot name a tenant; the message says why."""


def validate_slug(slug: str) -> str:
    if not SLUG_MIN <= len(slug) <= SLUG_MAX:
        raise InvalidSlug(f"the tenant name must be {SLUG_MIN} to {SLUG_MAX} characters long, not {len(slug)}")
    if not _SLUG.match(slug):
        raise InvalidSlug(
            "the tenant name must be a DNS label: lowercase letters, digits and '-', "
            "starting with a letter and ending with a letter or digit"
        )
    if "--" in slug:
        raise InvalidSlug("the tenant name must not contain '--'")
    if slug in RESERVED_SLUGS or slug.startswith(RESERVED_PREFIXES):
        raise InvalidSlug(f"the tenant name {slug!r} is reserved; choose another")
    return slug


def schema_name(slug: str) -> str:
    """PostgreSQL schema of the tenant (identifiers cannot hold '-')."""
    return "t_" + slug.replace("-", "_")


def tenant_of_schema(schema: str) -> str | None:
    """The tenant a schema belongs to (the inverse of `schema_name`), or None for any other schema."""
    if not schema.startswith("t_"):
        return None
    slug = schema[2:].replace("_", "-")
    try:
        validate_slug(slug)
    except InvalidSlug:
        return None
    return slug


def role_name(slug: str) -> str:
    """PostgreSQL login role owning the tenant's schema."""
    return "tenant_" + slug.replace("-", "_")


def vhost_name(slug: str) -> str:
    """RabbitMQ virtual host of the tenant."""
    return f"tenant-{slug}"


def broker_user(slug: str) -> str:
    return f"tenant-{slug}"


def namespace_name(slug: str) -> str:
    """Kubernetes namespace of a dedicated-tier tenant."""
    return f"tenant-{slug}"


def routing_key_pattern(slug: str) -> str:
    """Topic permission: the routing keys a tenant may publish on the platform exchange."""
    return f"^{re.escape(slug)}\\."
