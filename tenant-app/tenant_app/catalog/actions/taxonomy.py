"""Categories (a tree), collections, attributes and their values: how shoppers browse and filter the catalog.

Each action is one transaction: authorized (`products.update` on the row), written, the catalog's version counted,
`catalog.changed` emitted, audited.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils.text import slugify
from rest_framework.exceptions import ErrorDetail, ValidationError

from tenant_app.access.policy import Context, require
from tenant_app.accounts.models import User
from tenant_app.audit.actions import record_security_event
from tenant_app.audit.models import AuditEventType
from tenant_app.catalog.actions.common import catalog_changed, unique_slug
from tenant_app.catalog.models import Attribute, AttributeValue, Category, Collection

CATEGORY_EDITABLE = frozenset({"name", "slug", "description", "parent", "position"})
COLLECTION_EDITABLE = frozenset({"name", "slug", "description", "published"})
# A category tree deeper than this is refused: menus and breadcrumbs stay usable, and walks stay short.
MAX_CATEGORY_DEPTH = 8


def _invalid(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ErrorDetail(message, code)]})


def _saved(row: models.Model, kind: str, **save: Any) -> None:
    """Save `row`, a taken slug answered as `slug_taken` rather than a crash."""
    try:
        with transaction.atomic():
            row.save(**save)
    except IntegrityError as exc:
        message = f"Another {kind} has the slug {getattr(row, 'slug', '')!r}; choose another."
        raise _invalid("slug", message, "slug_taken") from exc


def _audit(request: HttpRequest | None, actor: User, subject: str, **details: Any) -> None:
    record_security_event(request, AuditEventType.CATALOG_CHANGED, actor=actor, subject=subject, **details)


def _check_parent(category: Category | None, parent: Category | None) -> None:
    """The parent exists in the tree without making a loop through `category`, and the tree stays shallow."""
    depth, node = 1, parent
    while node is not None:
        if category is not None and node.pk == category.pk:
            raise _invalid("parent", "A category cannot sit under itself or one of its own subcategories.", "cycle")
        depth += 1
        if depth > MAX_CATEGORY_DEPTH:
            raise _invalid("parent", f"Categories nest at most {MAX_CATEGORY_DEPTH} deep.", "too_deep")
        node = node.parent


def create_category(
    request: HttpRequest | None,
    actor: User,
    *,
    name: str,
    slug: str = "",
    description: str = "",
    parent: Category | None = None,
    position: int = 0,
) -> Category:
    category = Category(name=name, slug=slug, description=description, parent=parent, position=position)
    require(actor, "products.update", category, Context.of(request))
    with transaction.atomic():
        _check_parent(None, parent)
        category.slug = slug or unique_slug(Category, name)
        _saved(category, "category", force_insert=True)
        catalog_changed("category", category.pk, "created")
        _audit(request, actor, f"category/{category.pk}", change="category_created", slug=category.slug)
    return category


def update_category(request: HttpRequest | None, actor: User, category: Category, **changes: Any) -> Category:
    if unknown := sorted(changes.keys() - CATEGORY_EDITABLE):
        raise TypeError(f"categories have no editable fields {unknown}")
    require(actor, "products.update", category, Context.of(request))
    with transaction.atomic():
        category = Category.objects.select_for_update().get(pk=category.pk)
        changed = {key: value for key, value in changes.items() if getattr(category, key) != value}
        if not changed:
            return category
        if "parent" in changed:
            _check_parent(category, changed["parent"])
        for key, value in changed.items():
            setattr(category, key, value)
        _saved(category, "category", update_fields=[*changed, "updated_at"])
        catalog_changed("category", category.pk, "updated")
        _audit(request, actor, f"category/{category.pk}", change="category_updated", fields=sorted(changed))
    return category


def create_collection(
    request: HttpRequest | None,
    actor: User,
    *,
    name: str,
    slug: str = "",
    description: str = "",
    published: bool = True,
) -> Collection:
    collection = Collection(name=name, slug=slug, description=description, published=published)
    require(actor, "products.update", collection, Context.of(request))
    with transaction.atomic():
        collection.slug = slug or unique_slug(Collection, name)
        _saved(collection, "collection", force_insert=True)
        catalog_changed("collection", collection.pk, "created")
        _audit(request, actor, f"collection/{collection.pk}", change="collection_created", slug=collection.slug)
    return collection


def update_collection(request: HttpRequest | None, actor: User, collection: Collection, **changes: Any) -> Collection:
    if unknown := sorted(changes.keys() - COLLECTION_EDITABLE):
        raise TypeError(f"collections have no editable fields {unknown}")
    require(actor, "products.update", collection, Context.of(request))
    with transaction.atomic():
        collection = Collection.objects.select_for_update().get(pk=collection.pk)
        changed = {key: value for key, value in changes.items() if getattr(collection, key) != value}
        if not changed:
            return collection
        for key, value in changed.items():
            setattr(collection, key, value)
        _saved(collection, "collection", update_fields=[*changed, "updated_at"])
        catalog_changed("collection", collection.pk, "updated")
        _audit(request, actor, f"collection/{collection.pk}", change="collection_updated", fields=sorted(changed))
    return collection


def create_attribute(
    request: HttpRequest | None, actor: User, *, name: str, slug: str = "", values: list[str] | None = None
) -> Attribute:
    """An attribute (size, colour…) with its values in the order given."""
    attribute = Attribute(name=name, slug=slug)
    require(actor, "products.update", attribute, Context.of(request))
    with transaction.atomic():
        attribute.slug = slug or unique_slug(Attribute, name)
        _saved(attribute, "attribute", force_insert=True)
        for position, value in enumerate(values or []):
            _add_value(attribute, value, position)
        catalog_changed("attribute", attribute.pk, "created")
        _audit(request, actor, f"attribute/{attribute.pk}", change="attribute_created", slug=attribute.slug)
    return attribute


def add_attribute_value(
    request: HttpRequest | None, actor: User, attribute: Attribute, *, name: str, slug: str = ""
) -> AttributeValue:
    require(actor, "products.update", attribute, Context.of(request))
    with transaction.atomic():
        attribute = Attribute.objects.select_for_update().get(pk=attribute.pk)
        position = attribute.values.count()
        value = _add_value(attribute, name, position, slug)
        catalog_changed("attribute_value", value.pk, "created")
        _audit(request, actor, f"attribute/{attribute.pk}", change="attribute_value_added", value=value.slug)
    return value


def _add_value(attribute: Attribute, name: str, position: int, slug: str = "") -> AttributeValue:
    value = AttributeValue(
        attribute=attribute, name=name, slug=slug or slugify(name)[:100] or str(position), position=position
    )
    try:
        with transaction.atomic():
            value.save(force_insert=True)
    except IntegrityError as exc:
        message = f"{attribute.name} has the value {value.slug!r} already."
        raise _invalid("values", message, "slug_taken") from exc
    return value
