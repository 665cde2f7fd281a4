"""Translations of what shoppers read: product, category and collection names and descriptions, attribute and value
names, one row per language (an empty field falls back to the default text)."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models.functions import Now
from django.http import HttpRequest
from rest_framework.exceptions import ErrorDetail, ValidationError

from tenant_app.access.policy import Context, require
from tenant_app.accounts.models import User
from tenant_app.audit.actions import record_security_event
from tenant_app.audit.models import AuditEventType
from tenant_app.catalog.actions.common import catalog_changed
from tenant_app.catalog.errors import LanguageNotOffered
from tenant_app.catalog.models import (
    Attribute,
    AttributeTranslation,
    AttributeValue,
    AttributeValueTranslation,
    Category,
    CategoryTranslation,
    Collection,
    CollectionTranslation,
    Product,
    ProductTranslation,
    StoreSettings,
)

# What may be translated: the translation model, the field naming its row, and its translatable fields.
TRANSLATABLE: dict[type[models.Model], tuple[type[models.Model], str, tuple[str, ...]]] = {
    Product: (ProductTranslation, "product", ("name", "description")),
    Category: (CategoryTranslation, "category", ("name", "description")),
    Collection: (CollectionTranslation, "collection", ("name", "description")),
    Attribute: (AttributeTranslation, "attribute", ("name",)),
    AttributeValue: (AttributeValueTranslation, "value", ("name",)),
}


def set_translation(
    request: HttpRequest | None, actor: User, row: models.Model, *, language: str, **texts: str
) -> models.Model:
    """`row`'s text in `language` (one of the store's languages other than its default, whose text is the row's
    own); fields not given stay as they were, an empty one falls back to the default text."""
    model, owner_field, fields = TRANSLATABLE[type(row)]
    if unknown := sorted(texts.keys() - set(fields)):
        raise ValidationError(
            {key: [ErrorDetail(f"{key!r} is not translated here.", "not_translatable")] for key in unknown}
        )
    store = StoreSettings.current()
    if language not in store.languages or language == store.default_language:
        if language == store.default_language:
            message = f"{language!r} is the store's default language: change the {type(row).__name__.lower()} itself."
            raise ValidationError({"language": [ErrorDetail(message, "default_language")]})
        raise LanguageNotOffered(language, store.languages)
    require(actor, "products.update", row, Context.of(request))
    kind = type(row).__name__.lower()
    with transaction.atomic():
        translation, made = model._default_manager.select_for_update().get_or_create(
            **{owner_field: row, "language": language}, defaults=texts
        )
        changed = {key: value for key, value in texts.items() if getattr(translation, key) != value}
        if not made and not changed:
            return translation
        for key, value in changed.items():
            setattr(translation, key, value)
        if changed and not made:
            translation.save(update_fields=list(changed))
        product_id = row.pk if isinstance(row, Product) else None
        if isinstance(row, Product):
            Product.objects.filter(pk=row.pk).update(updated_at=Now())
        catalog_changed("translation", translation.pk, "created" if made else "updated", product_id=product_id)
        details: dict[str, Any] = {"change": "translation_set", "language": language, "fields": sorted(texts)}
        record_security_event(
            request, AuditEventType.CATALOG_CHANGED, actor=actor, subject=f"{kind}/{row.pk}", **details
        )
    return translation
