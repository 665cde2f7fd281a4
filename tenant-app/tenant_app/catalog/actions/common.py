"""What every catalog action does besides its own write: count the change (the storefront cache's version) and
tell consumers through the outbox, in the action's transaction."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import F
from django.utils.text import slugify

from tenant_app.catalog import events
from tenant_app.catalog.models import CatalogVersion
from tenantry_kernel.events.outbox import emit


def bump_catalog_version() -> int:
    """The catalog's change count plus one, written in the caller's transaction (the row stays locked until it
    commits, so versions follow commit order)."""
    updated = CatalogVersion.objects.filter(singleton=True).update(version=F("version") + 1)
    if not updated:  # a schema migrated before the row existed: make it (concurrent makers meet the unique key)
        CatalogVersion.objects.get_or_create(singleton=True)
        CatalogVersion.objects.filter(singleton=True).update(version=F("version") + 1)
    return CatalogVersion.objects.values_list("version", flat=True).get(singleton=True)


def catalog_changed(kind: str, object_id: int, change: str, *, product_id: int | None = None) -> int:
    """Count the change and emit `catalog.changed` (what the storefront's cache listens to); the new version."""
    version = bump_catalog_version()
    emit(
        events.CATALOG_CHANGED,
        events.catalog_changed(kind, object_id, change, version, product_id),
        subject=f"{kind}/{object_id}",
    )
    return version


def unique_slug(model: type[models.Model], name: str) -> str:
    """A slug from `name` that no row of `model` has yet (a short random tail when the plain one is taken)."""
    field = model._meta.get_field("slug")
    room = (field.max_length if isinstance(field, models.Field) else None) or 50
    base = slugify(name)[: room - 7].strip("-") or model._meta.model_name or "item"  # room for the random tail
    if not model._default_manager.filter(slug=base).exists():
        return base
    return f"{base}-{secrets.token_hex(3)}"
