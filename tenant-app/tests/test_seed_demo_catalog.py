"""`manage.py seed_demo_catalog` (what `make demo` runs): the demo products made and published through the catalog
actions as the store's owner, in the store's own schema, once however often it runs."""

from __future__ import annotations

import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tenant_app.accounts.actions import sync_member
from tenant_app.accounts.models import User
from tenant_app.audit.models import AuditEvent
from tenant_app.catalog import actions
from tenant_app.catalog.management.commands.seed_demo_catalog import CATALOG
from tenant_app.catalog.models import Product
from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.events.models import OutboxEvent

from .conftest import ShardTenant


def seed(tenant: ShardTenant, *options: str) -> str:
    out = StringIO()
    call_command("seed_demo_catalog", "--tenant", tenant.slug, *options, stdout=out)
    return out.getvalue()


def add_owner(tenant: ShardTenant, email: str = "owner@example.test") -> int:
    """The owner as the platform's member.invited event makes them."""
    with tenant_transaction(tenant.route):
        return sync_member(email, role_slug="owner").pk


def products(tenant: ShardTenant) -> list[tuple[str, Decimal, str, bool]]:
    with tenant_transaction(tenant.route):
        return list(Product.objects.order_by("id").values_list("name", "price_amount", "price_currency", "published"))


def outbox_types(tenant: ShardTenant) -> list[str]:
    with tenant_transaction(tenant.route):
        return [envelope["type"] for envelope in OutboxEvent.objects.order_by("id").values_list("envelope", flat=True)]


def test_seeding_publishes_the_demo_catalog_as_the_owner_and_a_second_run_adds_nothing(
    shard: tuple[str, list[ShardTenant]],
) -> None:
    store, other = shard[1]
    owner = add_owner(store)

    first = seed(store)
    after_first = (products(store), outbox_types(store))
    second = seed(store)

    made = after_first[0]
    assert 8 <= len(made) <= 10
    assert made == [(item.name, Decimal(item.price), item.currency, True) for item in CATALOG]
    assert all(price > 0 for _, price, _, _ in made)
    # Each product went through the actions: one created and one published event each, audited as the owner.
    assert after_first[1] == ["catalog.product.created", "catalog.product.published"] * len(CATALOG)
    with tenant_transaction(store.route):
        actors = set(AuditEvent.objects.filter(subject__startswith="product/").values_list("actor_id", flat=True))
    assert actors == {owner}
    assert f"{len(CATALOG)} created, {len(CATALOG)} published, 0 already there" in first
    # Again: nothing new, no event.
    assert (products(store), outbox_types(store)) == after_first
    assert f"0 created, 0 published, {len(CATALOG)} already there" in second
    # The other store on the shard is untouched.
    assert products(other) == []


def test_a_half_seeded_store_is_completed_and_its_unpublished_demo_product_published(
    shard: tuple[str, list[ShardTenant]],
) -> None:
    store = shard[1][0]
    add_owner(store)
    with tenant_transaction(store.route):
        actor = User.objects.get(email="owner@example.test")
        earlier = actions.create_product(
            None, actor, name=CATALOG[0].name, price_amount=Decimal("1.00"), price_currency="EUR"
        )

    output = seed(store)

    seeded = products(store)
    assert len(seeded) == len(CATALOG)
    # The product already there is kept as it was (its price too), now published.
    assert seeded[0] == (CATALOG[0].name, Decimal("1.00"), "EUR", True)
    with tenant_transaction(store.route):
        assert Product.objects.get(pk=earlier.pk).published
    assert f"{len(CATALOG) - 1} created, {len(CATALOG)} published, 1 already there" in output


def test_seeding_as_a_named_member(shard: tuple[str, list[ShardTenant]]) -> None:
    store = shard[1][0]
    add_owner(store)
    with tenant_transaction(store.route):
        manager = sync_member("manager@example.test", role_slug="manager").pk

    seed(store, "--actor", "Manager@Example.test")

    with tenant_transaction(store.route):
        actors = set(AuditEvent.objects.filter(subject__startswith="product/").values_list("actor_id", flat=True))
    assert actors == {manager}


def test_a_store_without_its_owner_yet_is_refused_with_what_to_do(shard: tuple[str, list[ShardTenant]]) -> None:
    store = shard[1][0]

    with pytest.raises(CommandError) as refused:
        seed(store)

    assert str(refused.value) == (
        f"store {store.slug!r} has no owner yet (owners arrive through the platform's member events); "
        "give --wait SECONDS or --actor EMAIL"
    )
    assert products(store) == []


def test_an_unknown_actor_or_store_is_refused(shard: tuple[str, list[ShardTenant]]) -> None:
    store = shard[1][0]
    add_owner(store)

    with pytest.raises(CommandError) as no_actor:
        seed(store, "--actor", "nobody@example.test")
    with pytest.raises(CommandError) as no_store:
        call_command("seed_demo_catalog", "--tenant", "no-such-store", stdout=StringIO())

    assert str(no_actor.value) == (
        f"store {store.slug!r} has no active user nobody@example.test; check the address or leave --actor out"
    )
    assert str(no_store.value) == "tenant 'no-such-store' has no route on this shard"
    assert products(store) == []


def test_waiting_seeds_once_the_owner_arrives(shard: tuple[str, list[ShardTenant]]) -> None:
    store = shard[1][0]
    arrived = threading.Event()

    def owner_arrives_later() -> None:
        try:
            arrived.wait(1.5)  # never set: just a delay the command has to wait through
            add_owner(store)
        finally:
            connection.close()  # this thread's own connection

    later = threading.Thread(target=owner_arrives_later)
    later.start()
    try:
        output = seed(store, "--wait", "30")
    finally:
        later.join()

    assert f"{len(CATALOG)} created" in output
    assert [published for *_, published in products(store)] == [True] * len(CATALOG)
