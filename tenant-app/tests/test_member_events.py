"""Events between the platform and the stores: member.* consumed per tenant, store events relayed per schema."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator

import kombu
import pytest
from django.db import transaction

from tenant_app.accounts.events import member_subscription
from tenant_app.accounts.models import RefreshFamily, User
from tenant_app.audit.models import AuditEvent
from tenant_app.tenancy.context import as_tenant
from tenantry_kernel.events.consumer import ATTEMPT_HEADER, REASON_HEADER, EventConsumer, Subscription
from tenantry_kernel.events.envelope import Event
from tenantry_kernel.events.models import InboxEvent, OutboxEvent, RejectedOutboxEvent
from tenantry_kernel.events.outbox import emit
from tenantry_kernel.events.relay import Relay
from tenantry_kernel.events.settings import database_dsn
from tenantry_kernel.provisioning.broker import BrokerAdmin, delete_tenant_broker, ensure_tenant_broker
from tenantry_kernel.provisioning.plans import plan_for
from tenantry_kernel.testing import wait_until
from tenantry_kernel.testing.events import (
    ADMIN_URL,
    EventPublishers,
    delete_queues,
    ensure_events_exchange,
    relay_once,
    running_consumer,
    subscription_queues,
    take_messages,
)

from .conftest import ShardTenant

BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/tenantry"


@pytest.fixture
def members(shard: tuple[str, list[ShardTenant]], publishers: EventPublishers) -> Iterator[Subscription]:
    """The tenant app's member consumer on a private queue, bound to this shard's (test) tenants."""
    ensure_events_exchange()
    subscription = member_subscription(name=f"test.members.{secrets.token_hex(4)}")
    subscription.retry_delays = (0.1,)
    with kombu.Connection(BROKER_URL) as conn:
        EventConsumer(subscription, BROKER_URL, publishers=publishers.trusted).declare(conn.channel())
    try:
        with running_consumer(subscription, BROKER_URL, publishers.trusted):
            yield subscription
    finally:
        delete_queues(BROKER_URL, subscription_queues(subscription))


@pytest.fixture
def platform_says(publishers: EventPublishers) -> Callable[..., Event]:
    """What the control plane does: emit in its own transaction, then its relay publishes as the platform."""

    def say(type_name: str, tenant: str, **data: str) -> Event:
        with transaction.atomic():
            event = emit(type_name, data, subject=f"member/{data['email']}", tenant=tenant)
        relay_once(Relay(database_dsn(), publishers.platform_url, schemas=["public"]))
        return event

    return say


def member(tenant: ShardTenant, email: str) -> User | None:
    with as_tenant(tenant.slug):
        return User.objects.select_related("role").filter(email=email).first()


def test_the_member_lifecycle_from_the_platform_is_mirrored_in_that_store_only(
    shard: tuple[str, list[ShardTenant]], members: Subscription, platform_says: Callable[..., Event]
) -> None:
    _, (alpha, bravo) = shard

    invited = platform_says("member.invited", alpha.slug, email="Ada@Example.com", role="admin", name="Ada")
    wait_until(lambda: member(alpha, "ada@example.com") is not None, what="the invited member created")
    ada = member(alpha, "ada@example.com")
    assert ada is not None
    assert (ada.full_name, ada.role.slug if ada.role else None, ada.is_active) == ("Ada", "admin", True)
    assert not ada.has_usable_password()  # signs in through the platform (SSO) or sets one by reset
    assert member(bravo, "ada@example.com") is None

    platform_says("member.role_changed", alpha.slug, email="ada@example.com", role="manager")
    wait_until(lambda: (m := member(alpha, "ada@example.com")) is not None and m.role is not None
               and m.role.slug == "manager", what="the role change")  # fmt: skip

    with as_tenant(alpha.slug):
        RefreshFamily.objects.create(user=User.objects.get(email="ada@example.com"))
    platform_says("member.removed", alpha.slug, email="ada@example.com")
    wait_until(lambda: not member(alpha, "ada@example.com").is_active, what="the removal")  # type: ignore[union-attr]

    with as_tenant(alpha.slug):
        assert not RefreshFamily.objects.filter(user__email="ada@example.com", revoked_at__isnull=True).exists()
        audit = AuditEvent.objects.filter(subject="ada@example.com").order_by("occurred_at", "pk")
        sources = list(audit.values_list("type", flat=True))
        assert sources == ["user_invited", "role_assigned", "user_deactivated"]
        assert InboxEvent.objects.filter(consumer=members.name, event_id=invited.id).exists()
    with as_tenant(bravo.slug):
        assert not InboxEvent.objects.exists()


def test_an_event_handled_twice_changes_nothing_the_second_time(
    shard: tuple[str, list[ShardTenant]],
    members: Subscription,
    platform_says: Callable[..., Event],
    publishers: EventPublishers,
) -> None:
    _, (alpha, _bravo) = shard
    event = platform_says("member.invited", alpha.slug, email="bo@example.com", role="staff")
    wait_until(lambda: member(alpha, "bo@example.com") is not None, what="the first delivery")
    with kombu.Connection(publishers.platform_url) as conn:
        kombu.Producer(conn).publish(event.to_json(), exchange="tenantry.events", routing_key=event.routing_key,
                                     serializer=None, user_id=publishers.platform_user)  # fmt: skip
    # A later event of the same member is handled after the duplicate: the queue kept going.
    platform_says("member.role_changed", alpha.slug, email="bo@example.com", role="manager")
    wait_until(lambda: member(alpha, "bo@example.com").role.slug == "manager", what="the later event")  # type: ignore[union-attr]

    with as_tenant(alpha.slug):
        assert AuditEvent.objects.filter(subject="bo@example.com", type="user_invited").count() == 1
        assert InboxEvent.objects.filter(consumer=members.name).count() == 2


def test_a_member_event_naming_an_unknown_role_is_dead_lettered_at_once(
    shard: tuple[str, list[ShardTenant]], members: Subscription, platform_says: Callable[..., Event]
) -> None:
    _, (alpha, _bravo) = shard
    platform_says("member.invited", alpha.slug, email="cy@example.com", role="astronaut")

    (message,) = take_messages(BROKER_URL, members.dead_letter_queue, 1)
    assert message.headers[ATTEMPT_HEADER] == 1  # type: ignore[comparison-overlap]
    reason = f"member.invited for {alpha.slug}: this store has no role 'astronaut'"
    assert message.headers[REASON_HEADER] == f"tenantry_kernel.events.consumer.PermanentFailure: {reason}"
    assert member(alpha, "cy@example.com") is None


@pytest.fixture
def alpha_credentials(shard: tuple[str, list[ShardTenant]]) -> Iterator[tuple[str, str]]:
    """Store alpha's own broker user on the platform vhost (what a store legitimately holds): (url, user)."""
    _, (alpha, _bravo) = shard
    with BrokerAdmin.from_url(ADMIN_URL) as admin:
        broker = ensure_tenant_broker(admin, alpha.slug, plan_for("free"), secrets.token_urlsafe(16))
    try:
        yield broker.amqp_url().rsplit("/", 1)[0] + "/tenantry", broker.username
    finally:
        with BrokerAdmin.from_url(ADMIN_URL) as admin:
            delete_tenant_broker(admin, alpha.slug)


def test_a_store_cannot_send_member_events_for_itself_or_another_store(
    shard: tuple[str, list[ShardTenant]], members: Subscription, alpha_credentials: tuple[str, str]
) -> None:
    _, (alpha, bravo) = shard
    url, user = alpha_credentials
    with as_tenant(bravo.slug):
        User.objects.create_user("staff@bravo.example", role=None)
    attacks = [
        # under alpha's own routing key (all the broker lets it use), claiming bravo
        Event("member.invited", bravo.slug, {"email": "mallory@alpha.example", "role": "owner"}, source="/x"),
        Event("member.removed", bravo.slug, {"email": "staff@bravo.example"}, source="/x"),
        # alpha itself: member events come from the platform only
        Event("member.invited", alpha.slug, {"email": "mallory@alpha.example", "role": "owner"}, source="/x"),
    ]
    with kombu.Connection(url, transport_options={"confirm_publish": True}) as conn:
        for attack in attacks:
            kombu.Producer(conn).publish(attack.to_json(), exchange="tenantry.events", serializer=None,
                                         routing_key=f"{alpha.slug}.{attack.type}", user_id=user)  # fmt: skip
    dead = take_messages(BROKER_URL, members.dead_letter_queue, len(attacks))
    reasons = sorted(message.headers[REASON_HEADER] for message in dead)

    assert reasons == sorted(
        [
            f"forged_producer: published under tenant {alpha.slug!r} but claims tenant {bravo.slug!r}",
            f"forged_producer: published under tenant {alpha.slug!r} but claims tenant {bravo.slug!r}",
            f"forged_producer: member.invited comes from the platform only, not from {user!r}",
        ]
    )
    assert member(alpha, "mallory@alpha.example") is None
    assert member(bravo, "mallory@alpha.example") is None
    staff = member(bravo, "staff@bravo.example")
    assert staff is not None
    assert staff.is_active
    for tenant in (alpha, bravo):
        with as_tenant(tenant.slug):
            assert not InboxEvent.objects.exists()


def test_rows_a_store_forges_in_its_outbox_are_set_aside_and_its_real_events_still_go_out(
    shard: tuple[str, list[ShardTenant]], members: Subscription, publishers: EventPublishers
) -> None:
    # What a tenant's database role can do (dedicated tier): write its own outbox by hand.
    _, (alpha, bravo) = shard
    forged = [
        Event("member.invited", bravo.slug, {"email": "mallory@alpha.example", "role": "owner"}, source="/x"),
        Event("member.invited", alpha.slug, {"email": "mallory@alpha.example", "role": "owner"}, source="/x"),
    ]
    with as_tenant(alpha.slug):
        for event in forged:
            OutboxEvent.objects.create(event_id=event.id, routing_key=event.routing_key, envelope=event.to_dict())
        emit("usage.reported", {"metric": "orders", "quantity": 1, "period_start": "2026-11-01T00:00:00Z",
                                "period_end": "2026-11-02T00:00:00Z"})  # fmt: skip

    published = relay_once(Relay(database_dsn(), publishers.relay_url, schemas=[alpha.route.schema_name]))

    assert published == 3  # the batch went through: the real event out, the forged rows set aside
    with as_tenant(alpha.slug):
        assert not OutboxEvent.objects.exists()
        assert sorted(RejectedOutboxEvent.objects.values_list("reason", flat=True)) == [
            "forged_producer: member.invited comes from the platform only, never from a store's outbox",
            f"forged_producer: the outbox of {alpha.slug!r} holds an event claiming tenant {bravo.slug!r}",
        ]
    assert member(bravo, "mallory@alpha.example") is None
    assert member(alpha, "mallory@alpha.example") is None


def test_the_relay_publishes_each_store_outbox_under_its_tenant_routing_key(
    shard: tuple[str, list[ShardTenant]], publishers: EventPublishers
) -> None:
    _, (alpha, bravo) = shard
    ensure_events_exchange()
    queue = f"test.catalog.{secrets.token_hex(4)}"
    exchange = kombu.Exchange("tenantry.events", "topic", durable=True)
    with kombu.Connection(BROKER_URL) as conn:
        received = conn.SimpleQueue(
            # kombu accepts a Queue (with its binding) here; its stubs only know queue names.
            kombu.Queue(queue, exchange, routing_key=f"{alpha.slug}.#", auto_delete=True),  # type: ignore[arg-type]
            no_ack=True,
        )
        for tenant in (alpha, bravo):
            with as_tenant(tenant.slug):
                for quantity in (1, 2):
                    emit("usage.reported", {"metric": "orders", "quantity": quantity,
                                            "period_start": "2026-11-01T00:00:00Z",
                                            "period_end": "2026-11-02T00:00:00Z"})  # fmt: skip

        # Discovers every schema with an outbox.
        published = relay_once(Relay(database_dsn(), publishers.relay_url))
        messages = [received.get(timeout=10) for _ in range(2)]
        received.close()

    assert published >= 4
    bodies = [json.loads(message.body or b"") for message in messages]
    assert [message.delivery_info["routing_key"] for message in messages] == [f"{alpha.slug}.usage.reported"] * 2
    assert [body["tenant"] for body in bodies] == [alpha.slug, alpha.slug]
    assert [body["data"]["quantity"] for body in bodies] == [1, 2]  # in the order they were emitted
    for tenant in (alpha, bravo):
        with as_tenant(tenant.slug):
            assert not OutboxEvent.objects.exists()


def test_the_nightly_prune_forgets_only_old_handled_ids_of_its_own_tenant(
    shard: tuple[str, list[ShardTenant]],
) -> None:
    import datetime as dt

    from django.utils import timezone

    from tenant_app.schedules.tasks import prune_event_inbox

    _, (alpha, bravo) = shard
    for tenant in (alpha, bravo):
        with as_tenant(tenant.slug):
            InboxEvent.objects.create(consumer="members", event_id="old", event_type="member.invited")
            InboxEvent.objects.create(consumer="members", event_id="new", event_type="member.invited")
            InboxEvent.objects.filter(event_id="old").update(handled_at=timezone.now() - dt.timedelta(days=45))

    with as_tenant(alpha.slug):
        assert prune_event_inbox.run(tz="UTC") == 1
        assert list(InboxEvent.objects.values_list("event_id", flat=True)) == ["new"]
    with as_tenant(bravo.slug):
        assert InboxEvent.objects.count() == 2
