"""Every change of the search records, each in one transaction with the backend's update.

Called by the `search` event consumer (`search.events`). Events may arrive more than once
(the inbox drops exact repeats) and out of order (retries, several consumers): each record
keeps the time of the latest event applied (`source_time`) and an older event changes
nothing. A deleted tenant is final: its products are removed and later events about it ignored.

Every change of one tenant's records runs under a lock on its directory entry, so a product
written while its tenant becomes ready (or suspended) cannot miss the new `tenant_ready`.
The backend is updated inside the transaction: if it fails, the transaction rolls back and
the consumer retries the event; an index written by a transaction that later failed holds
what the retry writes again. No audit records and no events: these are projections of
events that were audited and announced where they happened.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from control_plane.search.backends import get_backend
from control_plane.search.backends.base import words_of
from control_plane.search.models import ProductEntry, TenantEntry, TenantState, Word

# Control characters (but tab and newline) never reach the records: they would confuse highlighting.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean(text: str) -> str:
    return _CONTROL.sub("", text)


def _learn_words(text: str) -> None:
    """Add the words of a name to the vocabulary typos are corrected against."""
    words = {word for word in words_of(text) if 3 <= len(word) <= 100}
    Word.objects.bulk_create([Word(word=word) for word in sorted(words)], ignore_conflicts=True)


def _locked_entry(slug: str) -> TenantEntry:
    """The tenant's directory entry, created empty if its products arrive first, locked until commit."""
    TenantEntry.objects.get_or_create(slug=slug)
    return TenantEntry.objects.select_for_update().get(slug=slug)


def record_product(tenant: str, data: dict[str, Any], *, published: bool, event_time: datetime) -> ProductEntry | None:
    """A product as `catalog.product.published` or `.updated` describes it (`published`: its state then).

    Returns the record, or None for a product of a deleted tenant. An event older than the
    record's last one leaves it as it is.
    """
    with transaction.atomic():
        owner = _locked_entry(tenant)
        if owner.state == TenantState.DELETED:
            return None
        product = ProductEntry.objects.filter(tenant=tenant, product_id=data["product_id"]).first()
        if product is not None and product.source_time > event_time:
            return product
        if product is None:
            product = ProductEntry(tenant=tenant, product_id=data["product_id"])
        product.name = _clean(data["name"])
        product.description = _clean(data["description"])
        product.price_amount = Decimal(data["price"]["amount"])
        product.price_currency = data["price"]["currency"]
        if published:
            # `published` carries its date; an update of a published product keeps the one known.
            if "published_at" in data:
                product.published_at = datetime.fromisoformat(data["published_at"])
            elif product.published_at is None:
                product.published_at = event_time
        else:
            product.published_at = None
        product.published = published
        product.tenant_ready = owner.listed
        product.tenant_name = owner.name
        product.source_time = event_time
        product.save()
        if published:
            _learn_words(product.name)
        get_backend().product_changed(product)
        return product


def withdraw_product(tenant: str, product_id: str, *, event_time: datetime) -> ProductEntry | None:
    """`catalog.product.unpublished`: out of search. The record stays (unpublished) so that an older
    `published` arriving late cannot bring the product back."""
    with transaction.atomic():
        owner = _locked_entry(tenant)
        if owner.state == TenantState.DELETED:
            return None
        product, created = ProductEntry.objects.get_or_create(
            tenant=tenant,
            product_id=product_id,
            defaults={"source_time": event_time, "tenant_ready": owner.listed, "tenant_name": owner.name},
        )
        if not created and product.source_time > event_time:
            return product
        product.published = False
        product.published_at = None
        product.source_time = event_time
        product.save(update_fields=["published", "published_at", "source_time", "updated_at"])
        get_backend().product_changed(product)
        return product


def record_tenant_state(slug: str, data: dict[str, Any], *, event_time: datetime) -> TenantEntry:
    """`tenant.state_changed`: the directory entry follows, and with it whether the tenant's products show.

    Ready lists the tenant and shows its published products; any other state hides them;
    deleted removes its products and leaves only the slug (later events about it are ignored).
    """
    with transaction.atomic():
        entry = _locked_entry(slug)
        if entry.state == TenantState.DELETED:
            return entry
        if entry.source_time is not None and entry.source_time > event_time:
            return entry
        entry.source_time = event_time
        if data["to_state"] == TenantState.DELETED:
            ProductEntry.objects.filter(tenant=slug).delete()
            entry.state = TenantState.DELETED
            entry.name = entry.plan = entry.url = ""
            entry.save()
            get_backend().tenant_removed(slug)
            return entry
        entry.state = data["to_state"]
        entry.name = _clean(data["name"])
        entry.plan = data["plan"]
        entry.url = data.get("url", "")
        entry.save()
        if entry.listed:
            _learn_words(entry.name)
        ProductEntry.objects.filter(tenant=slug).update(tenant_ready=entry.listed, tenant_name=entry.name)
        get_backend().tenant_changed(entry)
        return entry
