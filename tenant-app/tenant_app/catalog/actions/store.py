"""The store's languages, currencies and exchange-rate overrides (StoreSettings), changed by those who may publish
products (`products.publish`: what shoppers see and pay in)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from tenant_app.access.policy import Context, require
from tenant_app.accounts.models import User
from tenant_app.audit.actions import record_security_event
from tenant_app.audit.models import AuditEventType
from tenant_app.catalog.actions.common import catalog_changed
from tenant_app.catalog.models import Product, StoreSettings

EDITABLE = frozenset({"languages", "default_language", "currencies", "default_currency", "rate_overrides"})


def update_store_settings(request: HttpRequest | None, actor: User, **changes: Any) -> StoreSettings:
    """Change the store's settings (validated by the caller's serializer: codes, defaults among the lists)."""
    if unknown := sorted(changes.keys() - EDITABLE):
        raise TypeError(f"store settings have no editable fields {unknown}")
    require(actor, "products.publish", None, Context.of(request))
    with transaction.atomic():
        StoreSettings.current()
        store = StoreSettings.objects.select_for_update().get(singleton=True)
        changed = {key: value for key, value in changes.items() if getattr(store, key) != value}
        if not changed:
            return store
        history = {key: {"from": getattr(store, key), "to": value} for key, value in changed.items()}
        for key, value in changed.items():
            setattr(store, key, value)
        store.save(update_fields=[*changed, "updated_at"])
        if "default_language" in changed:
            # Products' own text is now read as the new default language: search stems it so.
            Product.objects.update(text_language=store.default_language)
        catalog_changed("store_settings", store.pk, "updated")
        record_security_event(
            request, AuditEventType.CATALOG_CHANGED, actor=actor, subject="store-settings", changes=history
        )
    return store
