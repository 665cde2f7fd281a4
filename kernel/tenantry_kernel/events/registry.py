"""The one registry of Tenantry's event types: name, version, payload schema, meaning.

Every event emitted to the outbox or appended to an event store is checked against its
type's JSON Schema here, so a producer cannot publish what its consumers cannot read.
A payload change that breaks readers is a new version (a new `dataschema`), never an
edit in place. `python -m tenantry_kernel.events.registry` prints the catalogue.
"""

from __future__ import annotations

import difflib
import functools
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from tenantry_kernel.provisioning.plans import PlanName

_NAME = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")

# Who may emit a type (docs/security.md): the platform itself, or a tenant's workspace. Consumers
# accept a type only from publishers of its producer (tenantry_kernel.events.trust).
PLATFORM_PRODUCER = "control-plane"
TENANT_PRODUCER = "tenant-app"
PRODUCERS = (PLATFORM_PRODUCER, TENANT_PRODUCER)


class UnknownEventType(LookupError):
    pass


class InvalidPayload(ValueError):
    """A payload that does not match its type's schema; `errors` maps JSON paths to reasons."""

    def __init__(self, type_name: str, errors: Mapping[str, str]) -> None:
        self.type_name = type_name
        self.errors = dict(errors)
        details = "; ".join(f"{path or '(payload)'}: {reason}" for path, reason in self.errors.items())
        super().__init__(f"payload of {type_name} is invalid: {details}")


@dataclass(frozen=True)
class EventType:
    name: str  # `<area>.<event>`; the routing key is `<tenant>.<name>`
    version: int
    description: str
    schema: Mapping[str, Any] = field(repr=False)
    producer: str = ""
    consumers: tuple[str, ...] = ()

    @property
    def area(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def dataschema(self) -> str:
        return f"urn:tenantry:event:{self.name}:v{self.version}"

    @functools.cached_property
    def validator(self) -> Draft202012Validator:
        return Draft202012Validator(dict(self.schema), format_checker=Draft202012Validator.FORMAT_CHECKER)

    def validate(self, data: Any) -> None:
        errors = {
            ".".join(str(part) for part in error.absolute_path): error.message
            for error in self.validator.iter_errors(data)
        }
        if errors:
            raise InvalidPayload(self.name, errors)


class Registry:
    def __init__(self) -> None:
        self._types: dict[str, EventType] = {}

    def register(self, event_type: EventType) -> EventType:
        if not _NAME.match(event_type.name):
            raise ValueError(f"event type {event_type.name!r} must be `<area>.<event>` in lower case")
        if event_type.name in self._types:
            raise ValueError(f"event type {event_type.name!r} is registered twice")
        if event_type.producer not in PRODUCERS:
            raise ValueError(f"event type {event_type.name!r} needs a producer, one of {', '.join(PRODUCERS)}")
        Draft202012Validator.check_schema(dict(event_type.schema))
        self._types[event_type.name] = event_type
        return event_type

    def get(self, name: str) -> EventType:
        try:
            return self._types[name]
        except KeyError:
            raise UnknownEventType(
                f"{name!r} is not a registered event type (tenantry_kernel.events.registry)"
            ) from None

    def __iter__(self) -> Iterator[EventType]:
        return iter(sorted(self._types.values(), key=lambda event_type: event_type.name))

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def closest_to(self, name: str) -> str | None:
        """The registered type name nearest a misspelt one, if any is near."""
        return next(iter(difflib.get_close_matches(name, self._types, n=1)), None)

    def routed_by(self, binding: str) -> list[EventType]:
        """The registered types a queue bound with `binding` receives, whatever the tenant.

        A binding is a routing-key pattern, `<tenant>.<type>`, with the topic exchange's wildcards:
        `*` stands for one word, `#` for zero or more.
        """
        pattern = binding.split(".")
        return [event_type for event_type in self if _topic_matches(pattern, [None, *event_type.name.split(".")])]

    def areas_of(self, producer: str) -> list[str]:
        """The areas (first words of type names) whose types `producer` emits; an area has one producer."""
        areas = sorted({event_type.area for event_type in self if event_type.producer == producer})
        shared = [area for area in areas if any(t.area == area and t.producer != producer for t in self)]
        if shared:
            raise ValueError(f"areas {shared} hold types of several producers; topic permissions need one each")
        return areas


def _topic_matches(pattern: list[str], words: list[str | None]) -> bool:
    """AMQP topic matching of a routing key's words; None is a word any literal matches (the tenant)."""
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_topic_matches(rest, words[skipped:]) for skipped in range(len(words) + 1))
    if not words:
        return False
    return (head == "*" or words[0] is None or head == words[0]) and _topic_matches(rest, words[1:])


registry = Registry()


def _object(required: Mapping[str, Any], optional: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": list(required),
        "additionalProperties": False,
    }


_ID = {"type": "string", "minLength": 1, "maxLength": 64}
_EMAIL = {"type": "string", "format": "email", "minLength": 3, "maxLength": 254}
_ROLE = {"type": "string", "minLength": 1, "maxLength": 64}
_TIME = {"type": "string", "format": "date-time"}
_MONEY = _object(
    {
        "amount": {"type": "string", "pattern": r"^-?\d{1,12}(\.\d{1,4})?$"},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    }
)
_TEXT = {"type": "string", "maxLength": 20000}
_NAME_TEXT = {"type": "string", "minLength": 1, "maxLength": 200}
_PLANS = tuple(plan.value for plan in PlanName)
_STATES = ("pending", "provisioning", "ready", "suspended", "deleting", "deleted", "failed")

_PRODUCT = {
    "product_id": _ID,
    "name": _NAME_TEXT,
    "description": _TEXT,
    "price": _MONEY,
    "published": {"type": "boolean"},
}

for _event_type in (
    # Members: the control plane manages who belongs to a workspace; the tenant app mirrors it.
    EventType(
        "member.invited", 1, "Someone was invited to a tenant's workspace with a role.",
        _object({"email": _EMAIL, "role": _ROLE}, {"name": {"type": "string", "maxLength": 150}}),
        producer="control-plane", consumers=("tenant-app",),
    ),
    EventType(
        "member.role_changed", 1, "A member's role in a tenant changed.",
        _object({"email": _EMAIL, "role": _ROLE}),
        producer="control-plane", consumers=("tenant-app",),
    ),
    EventType(
        "member.removed", 1, "A member was removed from a tenant; their account there is deactivated.",
        _object({"email": _EMAIL}),
        producer="control-plane", consumers=("tenant-app",),
    ),
    # Catalog: products of a store; published ones feed the platform's marketplace search.
    EventType(
        "catalog.product.created", 1, "A product was created (unpublished).", _object(_PRODUCT),
        producer="tenant-app", consumers=("tenant-app",),
    ),
    EventType(
        "catalog.product.updated", 1, "A product's name, description or price changed.", _object(_PRODUCT),
        producer="tenant-app", consumers=("control-plane", "tenant-app"),
    ),
    EventType(
        "catalog.product.published", 1, "A product became visible to shoppers (and to global search).",
        _object(_PRODUCT, {"published_at": _TIME}),
        producer="tenant-app", consumers=("control-plane", "tenant-app"),
    ),
    EventType(
        "catalog.product.unpublished", 1, "A product was withdrawn from sale and from global search.",
        _object({"product_id": _ID}),
        producer="tenant-app", consumers=("control-plane", "tenant-app"),
    ),
    EventType(
        "catalog.changed", 1,
        "Something shoppers see in a store's catalog changed (a product, variant, price, stock level, category, "
        "collection, attribute, translation or the store's languages and currencies); `version` counts the changes.",
        _object(
            {"kind": {"type": "string", "enum": ["product", "variant", "price", "stock", "category", "collection",
                                                 "attribute", "attribute_value", "translation", "store_settings"]},
             "id": _ID,
             "change": {"type": "string", "enum": ["created", "updated", "deleted", "published", "unpublished"]},
             "version": {"type": "integer", "minimum": 1}},
            {"product_id": _ID},
        ),
        producer="tenant-app", consumers=("tenant-app",),
    ),
    # Usage: what a tenant consumed in a period, metered into the control plane's billing ledger.
    EventType(
        "usage.reported", 1, "A tenant's consumption of a metered quantity over a period.",
        _object(
            {
                "metric": {"type": "string", "enum": ["orders", "api_requests", "storage_bytes", "members"]},
                "quantity": {"type": "integer", "minimum": 0},
                "period_start": _TIME,
                "period_end": _TIME,
            }
        ),
        producer="tenant-app", consumers=("control-plane",),
    ),
    # Orders: the tenant app's order ledger (event-sourced; stream `order-<id>`).
    EventType(
        "order.placed", 1, "A customer placed an order.",
        _object(
            {
                "order_id": _ID,
                "customer_id": _ID,
                "lines": {
                    "type": "array", "minItems": 1, "maxItems": 500,
                    "items": _object({"product_id": _ID, "quantity": {"type": "integer", "minimum": 1},
                                      "unit_price": _MONEY},
                                     # A checkout's order: the variant, the rate that priced it, its share.
                                     {"variant_id": _ID, "sku": {"type": "string", "maxLength": 64},
                                      "rate": {"type": ["string", "null"], "pattern": r"^\d{1,10}(\.\d{1,10})?$"},
                                      "discount": _MONEY, "tax": _MONEY, "total": _MONEY}),
                },
                "total": _MONEY,
            },
            {
                "checkout": _object({"checkout_id": _ID, "email": _EMAIL, "shipping": _MONEY, "discount": _MONEY,
                                     "tax": _MONEY, "prices_include_tax": {"type": "boolean"}}),
            },
        ),
        producer="tenant-app",
    ),
    EventType(
        "order.paid", 1, "An order's payment was captured.",
        _object({"order_id": _ID, "amount": _MONEY, "payment_reference": {"type": "string", "maxLength": 200}}),
        producer="tenant-app",
    ),
    EventType(
        "order.payment_authorized", 1,
        "A gateway holds the order's payment (authorized, not captured yet); order.paid follows on capture.",
        _object({"order_id": _ID, "amount": _MONEY, "payment_reference": {"type": "string", "maxLength": 200}}),
        producer="tenant-app",
    ),
    EventType(
        "order.payment_failed", 1,
        "A gateway declined the order's payment, or its hold failed or expired; the order is still unpaid.",
        _object({"order_id": _ID, "payment_reference": {"type": "string", "maxLength": 200},
                 "reason": {"type": "string", "maxLength": 500}}),
        producer="tenant-app",
    ),
    EventType(
        "order.refunded", 1, "Part or all of an order's payment was refunded.",
        _object({"order_id": _ID, "amount": _MONEY, "reason": {"type": "string", "maxLength": 500}}),
        producer="tenant-app",
    ),
    EventType(
        "order.cancelled", 1, "An order was cancelled before fulfilment.",
        _object({"order_id": _ID, "reason": {"type": "string", "maxLength": 500}}),
        producer="tenant-app",
    ),
    # Invoices: a store's invoice of a paid order, numbered per store without gaps.
    EventType(
        "invoice.issued", 1, "A store issued the invoice of a paid order.",
        _object({"order_id": _ID, "number": {"type": "integer", "minimum": 1}, "total": _MONEY}),
        producer="tenant-app",
    ),
    # Tenant lifecycle: the control plane's record of each tenant (global search keeps its directory from these).
    EventType(
        "tenant.state_changed", 1,
        "A tenant moved through its lifecycle (pending, provisioning, ready, suspended, deleting, deleted).",
        _object(
            {"name": _NAME_TEXT, "plan": {"type": "string", "enum": list(_PLANS)},
             "from_state": {"type": "string", "enum": list(_STATES)},
             "to_state": {"type": "string", "enum": list(_STATES)},
             "reason": {"type": "string", "maxLength": 500}},
            {"url": {"type": "string", "maxLength": 500}},
        ),
        producer="control-plane", consumers=("control-plane",),
    ),
    EventType(
        "tenant.plan_changed", 1, "A tenant's plan changed (upgrade, downgrade); limits follow the plan.",
        _object({"from_plan": {"type": "string", "enum": list(_PLANS)},
                 "to_plan": {"type": "string", "enum": list(_PLANS)}}),
        producer="control-plane", consumers=("control-plane",),
    ),
    # Billing ledger: the control plane's account of what each tenant owes (event-sourced; `billing-<tenant>`).
    EventType(
        "billing.usage_recorded", 1, "Metered usage entered the ledger (from a usage.reported event).",
        _object({"metric": {"type": "string"}, "quantity": {"type": "integer", "minimum": 0},
                 "source_event": _ID, "period_end": _TIME}),
        producer="control-plane",
    ),
    EventType(
        "billing.charged", 1, "An amount became due (a subscription period, metered usage).",
        _object({"amount": _MONEY, "description": {"type": "string", "maxLength": 500}}),
        producer="control-plane",
    ),
    EventType(
        "billing.payment_received", 1, "A payment settled part or all of the balance.",
        _object({"amount": _MONEY, "reference": {"type": "string", "maxLength": 200}}),
        producer="control-plane",
    ),
    EventType(
        "billing.credited", 1, "A credit (refund, goodwill) reduced the balance.",
        _object({"amount": _MONEY, "reason": {"type": "string", "maxLength": 500}}),
        producer="control-plane",
    ),
):  # fmt: skip
    registry.register(_event_type)


def catalogue_markdown() -> str:
    lines = ["| Type | Version | Producer | Consumers | Meaning |", "|---|---|---|---|---|"]
    for event_type in registry:
        consumers = ", ".join(event_type.consumers) or "—"
        lines.append(
            f"| `{event_type.name}` | {event_type.version} | {event_type.producer} | {consumers} | "
            f"{event_type.description} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(catalogue_markdown() + "\n")
