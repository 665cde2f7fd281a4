"""Attack: a store forges platform events for another store, with only its own broker credentials.

Against `make up`'s own stack (dev/up.py, every relay and consumer a process of its own), two stores
sign up through the portal. Store alpha then does what the broker lets its own user do — publish on
`tenantry.events` under routing keys `alpha.*` — and claims, in the events' bodies, what is not its
own: another store (to make itself an owner there, deactivate its owner, list products in its name,
bill usage to it), a platform-only type, a far-future time to pin its records. Every consumer (members
in the tenant app; search and usage in the control plane) must dead-letter each forged event with the
reason `forged_producer`, and nothing may change; alpha's own catalog events still count, with their
times bounded by their arrival.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import kombu
import psycopg
import pytest
from psycopg import sql

from tenantry_kernel.events.consumer import REASON_HEADER
from tenantry_kernel.events.envelope import Event
from tenantry_kernel.provisioning.naming import broker_user, schema_name
from tenantry_kernel.provisioning.secrets import LocalSecretStore
from tenantry_kernel.testing import wait_until
from tenantry_kernel.testing.events import take_messages
from tests.e2e_support import Stack, remove_leftovers, role_in_store, sign_up, tenant_state

ROOT = Path(__file__).resolve().parents[2]
USAGE = {"metric": "orders", "quantity": 1000, "period_start": "2026-11-01T00:00:00Z",
         "period_end": "2026-11-02T00:00:00Z"}  # fmt: skip


DELETED = {"name": "x", "plan": "free", "from_state": "ready", "to_state": "deleted", "reason": "forged"}


@dataclass(frozen=True)
class SignedUp:
    slug: str
    owner: str  # the owner's email


@dataclass(frozen=True)
class Attacker:
    """Store alpha's broker credentials, as the platform gave them to it."""

    slug: str
    url: str
    user: str

    def publish(self, event: Event, type_name: str = "") -> None:
        """Under alpha's own routing key (all the broker lets it use), whatever the event claims."""
        with kombu.Connection(self.url, transport_options={"confirm_publish": True}) as conn:
            kombu.Producer(conn).publish(
                event.to_json(), exchange="tenantry.events", routing_key=f"{self.slug}.{type_name or event.type}",
                serializer=None, content_type="application/cloudevents+json", user_id=self.user,
            )  # fmt: skip


def signed_up(stack: Stack) -> Iterator[SignedUp]:
    slug = f"sec-{secrets.token_hex(3)}"
    owner = f"owner-{slug}@example.test"
    answer = sign_up(stack, slug, owner)
    assert answer.status_code == 202, answer.text
    token = answer.json()["tokens"]["access"]
    try:
        watched = answer.headers["Location"]
        wait_until(lambda: tenant_state(stack, watched, token) == "ready", 90, f"{slug} ready")
        # The platform's own member.invited made the owner an owner of the store.
        wait_until(lambda: role_in_store(stack, slug, owner) == "owner", 30, f"{slug}'s owner in the store")
        yield SignedUp(slug, owner)
    finally:
        remove_leftovers(stack, slug)


@pytest.fixture(scope="module")
def alpha(stack: Stack) -> Iterator[SignedUp]:
    yield from signed_up(stack)


@pytest.fixture(scope="module")
def bravo(stack: Stack) -> Iterator[SignedUp]:
    yield from signed_up(stack)


@pytest.fixture(scope="module")
def attacker(stack: Stack, alpha: SignedUp) -> Attacker:
    secret = LocalSecretStore(str(ROOT / ".local" / "tenant-secrets")).get(f"{alpha.slug}-broker")
    assert secret is not None, "the local provisioner keeps each store's broker password"
    user = broker_user(alpha.slug)
    base, vhost = stack.events_url.rsplit("/", 1)
    host = base.rsplit("@", 1)[1]
    return Attacker(alpha.slug, f"amqp://{user}:{secret['password']}@{host}/{vhost}", user)


def dead_letters(stack: Stack, queue: str) -> list[tuple[dict[str, Any], Event]]:
    """Every message now in `queue` (taken off it)."""
    return [
        (dict(message.headers or {}), Event.from_json(message.body or b""))
        for message in take_messages(stack.events_url, queue)
    ]


def account(stack: Stack, slug: str, email: str) -> tuple[str | None, bool] | None:
    """(role, active) of a store's account, read in its schema; None when there is none."""
    query = sql.SQL(
        "SELECT r.slug, u.is_active FROM {0}.accounts_user u LEFT JOIN {0}.access_role r ON r.id = u.role_id"
        " WHERE u.email = %s"
    ).format(sql.Identifier(schema_name(slug)))
    with psycopg.connect(stack.shard_dsn) as conn:
        row = conn.execute(query, [email]).fetchone()
    return None if row is None else (row[0], bool(row[1]))


def control_plane(stack: Stack, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(stack.control_plane_dsn) as conn:
        return conn.execute(query, params).fetchall()


def product(slug: str, product_id: str, name: str, when: datetime) -> Event:
    data = {"product_id": product_id, "name": name, "description": "", "published": True,
            "price": {"amount": "1.00", "currency": "EUR"}, "published_at": when.isoformat()}  # fmt: skip
    return Event("catalog.product.published", slug, data, source="/tenant-app", time=when)


def test_a_store_cannot_forge_events_for_another_store_or_the_platform(
    stack: Stack, alpha: SignedUp, bravo: SignedUp, attacker: Attacker
) -> None:
    members_dead = f"{stack.member_queue}.dead"
    search_dead, usage_dead = "control-plane.search.dead", "control-plane.usage.dead"
    for queue in (members_dead, search_dead, usage_dead):
        dead_letters(stack, queue)  # start from empty queues
    victim_products = "SELECT count(*) FROM search_productentry WHERE tenant = %s"
    usage_of = "SELECT coalesce(sum(quantity), 0) FROM billing_meteredusage WHERE tenant = %s"
    directory = "SELECT state FROM search_tenantentry WHERE slug = %s"
    alpha_state = control_plane(stack, directory, alpha.slug)

    forged = [
        # members: alpha's owner an owner of bravo; bravo's owner removed from bravo; alpha an owner of itself
        Event("member.invited", bravo.slug, {"email": alpha.owner, "role": "owner"}, source="/control-plane"),
        Event("member.removed", bravo.slug, {"email": bravo.owner}, source="/control-plane"),
        Event("member.role_changed", alpha.slug, {"email": alpha.owner, "role": "owner"}, source="/control-plane"),
        # search: a product listed in bravo's name, pinned by a far-future time
        product(bravo.slug, "forged-1", "Counterfeit Listing", datetime(2999, 1, 1, tzinfo=UTC)),
        # usage: a thousand orders billed to bravo
        Event("usage.reported", bravo.slug, USAGE, source="/tenant-app"),
        # the tenant lifecycle is the platform's: alpha "deleted" in the store directory
        Event("tenant.state_changed", alpha.slug, DELETED, source="/control-plane"),
    ]
    for event in forged:
        attacker.publish(event)

    def all_dead() -> list[tuple[dict[str, Any], Event]] | None:
        found = [
            *dead_letters(stack, members_dead),
            *dead_letters(stack, search_dead),
            *dead_letters(stack, usage_dead),
        ]
        collected.extend(found)
        return collected if len(collected) >= 6 else None

    collected: list[tuple[dict[str, Any], Event]] = []
    wait_until(all_dead, 60, "six forged events dead-lettered")

    assert sorted(event.id for _, event in collected) == sorted(event.id for event in forged)
    reasons = {event.type: headers[REASON_HEADER] for headers, event in collected}
    assert all(reason.startswith("forged_producer: ") for reason in reasons.values()), reasons
    claims_bravo = f"forged_producer: published under tenant {alpha.slug!r} but claims tenant {bravo.slug!r}"
    assert reasons["member.invited"] == claims_bravo
    assert reasons["catalog.product.published"] == claims_bravo
    assert reasons["usage.reported"] == claims_bravo
    platform_only = "comes from the platform only, not from " + repr(attacker.user)
    assert reasons["member.role_changed"] == f"forged_producer: member.role_changed {platform_only}"
    assert reasons["tenant.state_changed"] == f"forged_producer: tenant.state_changed {platform_only}"

    # Nothing changed: memberships, bravo's listing, bravo's bill, the directory.
    assert account(stack, bravo.slug, alpha.owner) is None
    assert account(stack, bravo.slug, bravo.owner) == ("owner", True)
    assert account(stack, alpha.slug, alpha.owner) == ("owner", True)
    assert control_plane(stack, victim_products, bravo.slug) == [(0,)]
    assert control_plane(stack, usage_of, bravo.slug) == [(0,)]
    assert control_plane(stack, directory, alpha.slug) == alpha_state


def test_a_stores_own_events_count_and_a_far_future_time_pins_nothing(
    stack: Stack, alpha: SignedUp, attacker: Attacker
) -> None:
    entry = "SELECT name, source_time FROM search_productentry WHERE tenant = %s AND product_id = %s"
    # Alpha's own catalog event (its own user may publish under its name, as a dedicated store's relay
    # does), with a time a thousand years ahead to make later updates look stale.
    attacker.publish(product(alpha.slug, "own-1", "First Name", datetime(2999, 1, 1, tzinfo=UTC)))
    wait_until(lambda: control_plane(stack, entry, alpha.slug, "own-1"), 30, "alpha's product recorded")
    ((_, recorded_at),) = control_plane(stack, entry, alpha.slug, "own-1")
    assert recorded_at <= datetime.now(UTC)  # bounded by its arrival

    attacker.publish(product(alpha.slug, "own-1", "Second Name", datetime.now(UTC)))
    wait_until(
        lambda: control_plane(stack, entry, alpha.slug, "own-1")[0][0] == "Second Name", 30, "the later update applied"
    )
