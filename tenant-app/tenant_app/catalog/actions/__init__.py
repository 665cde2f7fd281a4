"""Every change of the catalog, one module per area: each action is authorized by the policy engine, written in one
transaction with its outbox event(s) and audit record, and counts the catalog's version (the storefront cache's key).
"""

from tenant_app.catalog.actions.products import (
    EDITABLE,
    TEAM_NOTIFIED_OF_PUBLICATION,
    create_product,
    publish_product,
    set_product_collections,
    unpublish_product,
    update_product,
)
from tenant_app.catalog.actions.store import update_store_settings
from tenant_app.catalog.actions.taxonomy import (
    add_attribute_value,
    create_attribute,
    create_category,
    create_collection,
    update_category,
    update_collection,
)
from tenant_app.catalog.actions.translations import TRANSLATABLE, set_translation
from tenant_app.catalog.actions.variants import (
    create_variant,
    remove_variant_price,
    set_stock,
    set_variant_price,
    update_variant,
)

__all__ = [
    "EDITABLE",
    "TEAM_NOTIFIED_OF_PUBLICATION",
    "TRANSLATABLE",
    "add_attribute_value",
    "create_attribute",
    "create_category",
    "create_collection",
    "create_product",
    "create_variant",
    "publish_product",
    "remove_variant_price",
    "set_product_collections",
    "set_stock",
    "set_translation",
    "set_variant_price",
    "unpublish_product",
    "update_category",
    "update_collection",
    "update_product",
    "update_store_settings",
    "update_variant",
]
