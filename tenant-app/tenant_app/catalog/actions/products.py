"""Products: created, changed, published and withdrawn; authorized, written, emitted through the outbox, audited.

Each action is one transaction: the row, its outbox event and its audit record commit together
or not at all. Actions that change a product lock its row first, so two changes of one product
queue up and their events reach the outbox (and consumers) in the order they happened.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.exceptions import ErrorDetail, ValidationError

from tenant_app.access.policy import Context, require
from tenant_app.accounts.models import User
from tenant_app.audit.actions import record_security_event
from tenant_app.audit.models import AuditEventType
from tenant_app.catalog import events
from tenant_app.catalog.actions.common import bump_catalog_version, catalog_changed, unique_slug
from tenant_app.catalog.models import Category, Collection, Product, StoreSettings
from tenant_app.catalog.money import money
from tenant_app.notifications.actions import notify
from tenantry_kernel.events.outbox import emit

# Roles told when a product goes live (built-in roles: tenant_app.access.permission_catalog.BUILTIN_ROLES).
TEAM_NOTIFIED_OF_PUBLICATION = ("owner", "admin")

# What update_product may change; `published` changes only through publish/unpublish.
EDITABLE = frozenset({"name", "description", "price_amount", "price_currency", "location", "slug", "category"})


def create_product(
    request: HttpRequest | None,
    actor: User,
    *,
    name: str,
    price_amount: Decimal,
    price_currency: str,
    description: str = "",
    location: str = "",
    slug: str = "",
    category: Category | None = None,
    collections: list[Collection] | None = None,
) -> Product:
    """A new, unpublished product (its slug made from the name unless given); its text is in the store's default
    language."""
    context = Context.of(request)
    product = Product(
        name=name,
        description=description,
        price_amount=price_amount,
        price_currency=price_currency,
        location=location,
        slug=slug,
        category=category,
    )
    # The new product is the resource: a policy on the location (or anything else) applies to creation too.
    require(actor, "products.create", product, context)
    with transaction.atomic():
        product.text_language = StoreSettings.current().default_language
        product.slug = slug or unique_slug(Product, name)
        _saved(product, force_insert=True)
        if collections:
            product.collections.set(collections)
        emit(events.PRODUCT_CREATED, events.product_created(product), subject=events.subject_of(product))
        bump_catalog_version()  # its own event is the product's: the cache consumer reads those too
        record_security_event(
            request,
            AuditEventType.PRODUCT_CREATED,
            actor=actor,
            subject=events.subject_of(product),
            name=product.name,
            price=money(product.price_amount, product.price_currency),
            location=product.location,
        )
    return product


def update_product(request: HttpRequest | None, actor: User, product: Product, **changes: Any) -> Product:
    """Change some of name, description, price (amount, currency) and location; no change, no event."""
    if unknown := sorted(changes.keys() - EDITABLE):
        raise TypeError(f"products have no editable fields {unknown}")
    context = Context.of(request)
    require(actor, "products.update", product, context)
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        require(actor, "products.update", product, context)  # as it is now, not as the caller read it
        changed = {key: value for key, value in changes.items() if getattr(product, key) != value}
        if not changed:
            return product
        history = {key: {"from": _plain(getattr(product, key)), "to": _plain(value)} for key, value in changed.items()}
        for key, value in changed.items():
            setattr(product, key, value)
        # As it will be, too: whoever may change products of one location cannot move one out of it.
        require(actor, "products.update", product, context)
        _saved(product, update_fields=[*changed, "updated_at"])
        emit(events.PRODUCT_UPDATED, events.product_updated(product), subject=events.subject_of(product))
        bump_catalog_version()  # its own event is the product's: the cache consumer reads those too
        record_security_event(
            request, AuditEventType.PRODUCT_UPDATED, actor=actor, subject=events.subject_of(product), changes=history
        )
    return product


def publish_product(request: HttpRequest | None, actor: User, product: Product) -> Product:
    """Show the product to shoppers and the marketplace; publishing a published product changes nothing."""
    context = Context.of(request)
    require(actor, "products.publish", product, context)
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        if product.published:
            return product
        product.published, product.published_at = True, timezone.now()
        product.save(update_fields=["published", "published_at", "updated_at"])
        emit(events.PRODUCT_PUBLISHED, events.product_published(product), subject=events.subject_of(product))
        bump_catalog_version()  # its own event is the product's: the cache consumer reads those too
        record_security_event(
            request, AuditEventType.PRODUCT_PUBLISHED, actor=actor, subject=events.subject_of(product)
        )
        # The people who run the store hear of it live (pushed once the publication commits).
        notify(
            User.objects.filter(role__slug__in=TEAM_NOTIFIED_OF_PUBLICATION, is_active=True),
            "catalog.product_published",
            f"{product.name} is live",
            f"Published by {actor.full_name or actor.email}; shoppers and the marketplace see it now.",
            data={"product_id": str(product.pk)},
        )
    return product


def unpublish_product(request: HttpRequest | None, actor: User, product: Product) -> Product:
    """Withdraw the product from sale; withdrawing an unpublished product changes nothing."""
    context = Context.of(request)
    require(actor, "products.publish", product, context)
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        if not product.published:
            return product
        product.published, product.published_at = False, None
        product.save(update_fields=["published", "published_at", "updated_at"])
        emit(events.PRODUCT_UNPUBLISHED, events.product_unpublished(product), subject=events.subject_of(product))
        bump_catalog_version()  # its own event is the product's: the cache consumer reads those too
        record_security_event(
            request, AuditEventType.PRODUCT_UNPUBLISHED, actor=actor, subject=events.subject_of(product)
        )
    return product


def set_product_collections(
    request: HttpRequest | None, actor: User, product: Product, collections: list[Collection]
) -> Product:
    """Put the product in exactly these collections."""
    context = Context.of(request)
    require(actor, "products.update", product, context)
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        before = sorted(product.collections.values_list("slug", flat=True))
        after = sorted(collection.slug for collection in collections)
        if before == after:
            return product
        product.collections.set(collections)
        product.save(update_fields=["updated_at"])
        catalog_changed("product", product.pk, "updated", product_id=product.pk)
        record_security_event(
            request,
            AuditEventType.CATALOG_CHANGED,
            actor=actor,
            subject=events.subject_of(product),
            changes={"collections": {"from": before, "to": after}},
        )
    return product


def _saved(product: Product, **save: Any) -> None:
    """Save the product, a slug another product has answered as `slug_taken` rather than a crash."""
    try:
        with transaction.atomic():
            product.save(**save)
    except IntegrityError as exc:
        if "slug" not in str(exc):
            raise
        message = f"Another product has the slug {product.slug!r}; choose another."
        raise ValidationError({"slug": [ErrorDetail(message, "slug_taken")]}) from exc


def _plain(value: Any) -> Any:
    """A value for the audit record's JSON: decimals as their exact text, rows as their slug or id."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Category):
        return value.slug
    return value
