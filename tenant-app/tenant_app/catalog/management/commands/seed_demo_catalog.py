"""Give a store a small published catalog to look at (what `make demo` runs for the store `demo`).

    manage.py seed_demo_catalog --tenant demo [--actor owner@example.com] [--wait 60]

Products are made and published through the catalog actions, as the store's owner (or `--actor`), in
the tenant's schema and role: each one is audited and emits its events like a product made in the API,
so global search learns of it. Idempotent: a product whose name the store already has is kept (and
published if it was not), so running it again adds nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenant_app.accounts.models import User
from tenant_app.catalog import actions
from tenant_app.catalog.models import Product
from tenant_app.tenancy.context import TenantUnavailable, as_tenant
from tenant_app.tenancy.routes import routes
from tenantry_kernel.identity.models import normalize_email


@dataclass(frozen=True)
class DemoProduct:
    name: str
    description: str
    price: str
    currency: str = "EUR"


CATALOG = (
    DemoProduct("Trail running shoes", "Light shoes with a grippy sole for muddy paths.", "129.00"),
    DemoProduct("Merino base layer", "Warm when wet, soft on the skin, does not smell after a long day.", "79.50"),
    DemoProduct("Insulated water bottle", "Stainless steel, 750 ml; cold for 24 hours, hot for 12.", "34.90"),
    DemoProduct("Headlamp 400", "400 lumens, red light mode, USB-C rechargeable.", "49.00"),
    DemoProduct("Rain shell jacket", "Waterproof and breathable, packs into its own pocket.", "189.00"),
    DemoProduct("Trekking poles", "Carbon, foldable, cork grips; a pair.", "99.00"),
    DemoProduct("Daypack 22 l", "Ventilated back panel, hip belt and a hydration sleeve.", "84.00"),
    DemoProduct("Camping mug", "Titanium, 450 ml, folding handles.", "24.50"),
    DemoProduct("First aid kit", "Compact kit for two people and three days outdoors.", "29.90"),
)


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="the store's slug")
        parser.add_argument("--actor", default="", help="who makes the products (default: the store's first owner)")
        parser.add_argument(
            "--wait",
            type=float,
            default=0.0,
            help="seconds to wait for the store and its owner to arrive here (member events are asynchronous)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant: str = options["tenant"]
        actor_email = normalize_email(options["actor"]) if options["actor"] else ""
        deadline = time.monotonic() + max(0.0, float(options["wait"]))
        while True:
            try:
                created, published, kept = seed(tenant, actor_email)
            except (TenantUnavailable, NoActor) as error:
                if time.monotonic() >= deadline:
                    raise CommandError(str(error)) from error
                time.sleep(1)
                routes.forget()  # a store routed since the last look is found
                continue
            break
        self.stdout.write(
            f"{tenant}: {len(CATALOG)} demo products ({created} created, {published} published, {kept} already there)"
        )


class NoActor(LookupError):
    pass


def seed(tenant: str, actor_email: str = "") -> tuple[int, int, int]:
    """(created, newly published, already there) for the demo catalog in `tenant`, in one tenant transaction."""
    created = published = kept = 0
    with as_tenant(tenant):
        actor = _actor(tenant, actor_email)
        for item in CATALOG:
            product = Product.objects.filter(name=item.name).order_by("id").first()
            if product is None:
                product = actions.create_product(
                    None,
                    actor,
                    name=item.name,
                    description=item.description,
                    price_amount=Decimal(item.price),
                    price_currency=item.currency,
                )
                created += 1
            else:
                kept += 1
            if not product.published:
                actions.publish_product(None, actor, product)
                published += 1
    return created, published, kept


def _actor(tenant: str, email: str) -> User:
    users = User.objects.filter(is_active=True).select_related("role")
    if email:
        user = users.filter(email=email).first()
        if user is None:
            raise NoActor(f"store {tenant!r} has no active user {email}; check the address or leave --actor out")
        return user
    owner = users.filter(role__slug="owner").order_by("id").first()
    if owner is None:
        raise NoActor(
            f"store {tenant!r} has no owner yet (owners arrive through the platform's member events); "
            "give --wait SECONDS or --actor EMAIL"
        )
    return owner
