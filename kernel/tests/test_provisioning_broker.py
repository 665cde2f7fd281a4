"""Tenant broker provisioning against the RabbitMQ of this machine, checked with a real AMQP client."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import amqp
import kombu
import pytest
import requests

from tenantry_kernel.provisioning.broker import (
    EVENTS_EXCHANGE,
    PLATFORM_VHOST,
    BrokerAdmin,
    BrokerError,
    TenantBroker,
    broker_info,
    delete_tenant_broker,
    ensure_platform_exchange,
    ensure_tenant_broker,
    inspect_tenant_broker,
)
from tenantry_kernel.provisioning.naming import broker_user, vhost_name
from tenantry_kernel.provisioning.plans import PlanName, plan_for
from tenantry_kernel.testing import free_port

ADMIN_URL = os.environ.get("TENANTRY_BROKER_ADMIN_URL", "http://guest:guest@127.0.0.1:15672")
AMQP_HOST = "127.0.0.1:5672"


@pytest.fixture
def admin() -> Iterator[BrokerAdmin]:
    with BrokerAdmin.from_url(ADMIN_URL) as client:
        yield client


@pytest.fixture
def new_slug(admin: BrokerAdmin) -> Iterator[Any]:
    """Random tenant slugs; whatever they provisioned is deleted after the test."""
    made: list[str] = []

    def make() -> str:
        slug = "t" + secrets.token_hex(5)
        made.append(slug)
        return slug

    yield make
    for slug in made:
        delete_tenant_broker(admin, slug)


def record_puts(admin: BrokerAdmin) -> list[tuple[str, int]]:
    """(path, status) of every PUT the admin client makes from now on."""
    seen: list[tuple[str, int]] = []

    def hook(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if response.request.method == "PUT":
            seen.append((urlsplit(str(response.request.url)).path, response.status_code))

    admin.session.hooks["response"].append(hook)
    return seen


def tenant_puts(seen: list[tuple[str, int]], slug: str) -> dict[str, int]:
    """The PUTs that touch the tenant's own objects (the platform vhost/exchange may pre-exist)."""
    return {path: status for path, status in seen if vhost_name(slug) in path or broker_user(slug) in path}


def connect(broker: TenantBroker, vhost: str | None = None, **options: Any) -> amqp.Connection:
    connection = amqp.Connection(
        host=AMQP_HOST,
        userid=broker.username,
        password=broker.password,
        virtual_host=vhost or broker.vhost,
        connect_timeout=5,
        **options,
    )
    connection.connect()
    return connection


def test_ensuring_twice_creates_then_only_updates_to_the_same_state(admin, new_slug) -> None:
    # given
    slug, plan = new_slug(), plan_for("starter")
    seen = record_puts(admin)

    # when
    broker = ensure_tenant_broker(admin, slug, plan, password="first-password-0123456789")
    first_puts, first_state = tenant_puts(seen, slug), inspect_tenant_broker(admin, slug)
    seen.clear()
    again = ensure_tenant_broker(admin, slug, plan, password="first-password-0123456789")
    second_puts, second_state = tenant_puts(seen, slug), inspect_tenant_broker(admin, slug)

    # then
    vhost, user = vhost_name(slug), broker_user(slug)
    created = {
        f"/api/vhosts/{vhost}": 201,
        f"/api/users/{user}": 201,
        f"/api/permissions/{vhost}/{user}": 201,
        f"/api/permissions/{PLATFORM_VHOST}/{user}": 201,
        f"/api/topic-permissions/{PLATFORM_VHOST}/{user}": 201,
        f"/api/vhost-limits/{vhost}/max-connections": 204,
        f"/api/vhost-limits/{vhost}/max-queues": 204,
    }
    assert first_puts == created
    assert second_puts == dict.fromkeys(created, 204)
    assert again == broker
    assert first_state == second_state
    assert first_state.vhost_exists
    assert first_state.user_exists
    assert first_state.permissions_ok
    assert first_state.topic_permissions_ok
    assert first_state.limits == {"max-connections": plan.broker_max_connections, "max-queues": plan.broker_max_queues}
    assert first_state.drift(plan) == []
    assert admin.get_user(user)["tags"] == []
    assert admin.get_vhost(vhost)["tags"] == ["tenantry", f"tenant:{slug}"]
    exchange = admin.get_exchange(PLATFORM_VHOST, EVENTS_EXCHANGE)
    assert (exchange["type"], exchange["durable"]) == ("topic", True)
    assert admin.get_topic_permissions(PLATFORM_VHOST, user) == [
        {"user": user, "vhost": PLATFORM_VHOST, "exchange": EVENTS_EXCHANGE, "write": f"^{slug}\\.", "read": "^$"}
    ]


def test_a_plan_change_updates_the_vhost_limits(admin, new_slug) -> None:
    # given
    slug = new_slug()
    ensure_tenant_broker(admin, slug, plan_for(PlanName.FREE), password="pw-" + secrets.token_hex(8))
    assert inspect_tenant_broker(admin, slug).limits == {"max-connections": 10, "max-queues": 20}

    # when
    ensure_tenant_broker(admin, slug, plan_for(PlanName.GROWTH), password="pw-" + secrets.token_hex(8))

    # then
    state = inspect_tenant_broker(admin, slug)
    assert state.limits == {"max-connections": 100, "max-queues": 200}
    assert state.drift(plan_for(PlanName.GROWTH)) == []
    assert state.drift(plan_for(PlanName.FREE)) == [
        "limits {'max-connections': 100, 'max-queues': 200} differ from the plan's "
        "{'max-connections': 10, 'max-queues': 20}"
    ]


def test_ensuring_with_a_new_password_replaces_the_old_one(admin, new_slug) -> None:
    # given
    slug = new_slug()
    old = ensure_tenant_broker(admin, slug, plan_for("free"), password="old-" + secrets.token_hex(8))

    # when
    new = ensure_tenant_broker(admin, slug, plan_for("free"), password="new-" + secrets.token_hex(8))

    # then
    connect(new).close()
    with pytest.raises(amqp.exceptions.AccessRefused) as refused:
        connect(old)
    assert refused.value.reply_code == 403


def test_deleting_twice_is_fine_and_leaves_nothing(admin, new_slug) -> None:
    # given
    slug = new_slug()
    ensure_tenant_broker(admin, slug, plan_for("free"), password="pw-" + secrets.token_hex(8))

    # when
    delete_tenant_broker(admin, slug)
    delete_tenant_broker(admin, slug)

    # then
    state = inspect_tenant_broker(admin, slug)
    assert (state.vhost_exists, state.user_exists, state.permissions_ok, state.topic_permissions_ok) == (
        False,
        False,
        False,
        False,
    )
    assert admin.get_vhost(vhost_name(slug)) is None
    assert admin.get_user(broker_user(slug)) is None
    assert admin.get_permissions(PLATFORM_VHOST, broker_user(slug)) is None
    assert admin.delete_vhost(vhost_name(slug)) is False


def test_a_tenant_user_works_in_its_own_vhost(admin, new_slug) -> None:
    # given
    broker = ensure_tenant_broker(admin, new_slug(), plan_for("free"), password="pw-" + secrets.token_hex(8))

    # when
    connection = connect(broker)
    try:
        channel = connection.channel()
        declared = channel.queue_declare("celery", durable=True)
        channel.basic_publish(amqp.Message(b"job"), exchange="", routing_key="celery")
        message = None
        for _ in range(50):
            message = channel.basic_get("celery", no_ack=True)
            if message is not None:
                break
    finally:
        connection.close()

    # then
    assert declared is not None
    assert declared[0] == "celery"
    assert message is not None
    assert message.body == b"job"


def test_the_amqp_url_reaches_the_tenant_vhost(admin, new_slug) -> None:
    # given
    broker = ensure_tenant_broker(admin, new_slug(), plan_for("free"), password="p/w:@%-" + secrets.token_hex(8))

    # when
    with kombu.Connection(broker.amqp_url(), connect_timeout=5) as connection:
        connection.connect()
        vhost = connection.connection.virtual_host

    # then
    assert vhost == broker.vhost
    assert broker.password not in repr(broker)


def test_a_tenant_user_cannot_open_another_tenants_vhost(admin, new_slug) -> None:
    # given
    mine = ensure_tenant_broker(admin, new_slug(), plan_for("free"), password="pw-" + secrets.token_hex(8))
    theirs = ensure_tenant_broker(admin, new_slug(), plan_for("free"), password="pw-" + secrets.token_hex(8))

    # when
    with pytest.raises(amqp.exceptions.NotAllowed) as refused:
        connect(mine, vhost=theirs.vhost)

    # then
    assert refused.value.reply_code == 530
    assert f"access to vhost '{theirs.vhost}' refused for user '{mine.username}'" in str(refused.value)


def test_a_tenant_publishes_events_only_under_its_own_slug(admin, new_slug) -> None:
    # given
    slug = new_slug()
    broker = ensure_tenant_broker(admin, slug, plan_for("free"), password="pw-" + secrets.token_hex(8))
    connection = connect(broker, vhost=PLATFORM_VHOST, confirm_publish=True)
    try:
        channel = connection.channel()

        # when
        channel.basic_publish(amqp.Message(b"{}"), exchange=EVENTS_EXCHANGE, routing_key=f"{slug}.orders.created")
        with pytest.raises(amqp.exceptions.AccessRefused) as refused:
            channel.basic_publish(amqp.Message(b"{}"), exchange=EVENTS_EXCHANGE, routing_key="other.orders.created")
    finally:
        connection.close()

    # then
    assert refused.value.reply_code == 403
    assert (
        f"access to topic 'other.orders.created' in exchange '{EVENTS_EXCHANGE}' in vhost '{PLATFORM_VHOST}' "
        f"refused for user '{broker.username}'"
    ) in str(refused.value)


def test_a_tenant_cannot_declare_queues_on_the_platform_vhost(admin, new_slug) -> None:
    # given
    broker = ensure_tenant_broker(admin, new_slug(), plan_for("free"), password="pw-" + secrets.token_hex(8))
    connection = connect(broker, vhost=PLATFORM_VHOST)
    try:
        # when
        with pytest.raises(amqp.exceptions.AccessRefused) as named:
            connection.channel().queue_declare("steal-events")
        with pytest.raises(amqp.exceptions.AccessRefused) as server_named:
            connection.channel().queue_declare("", exclusive=True)
    finally:
        connection.close()

    # then
    assert named.value.reply_code == server_named.value.reply_code == 403
    assert "access to queue 'steal-events' in vhost 'tenantry' refused" in str(named.value)


def test_a_vhost_deleted_behind_our_back_is_seen_and_recreated(admin, new_slug) -> None:
    # given
    slug, plan = new_slug(), plan_for("starter")
    password = "pw-" + secrets.token_hex(8)
    broker = ensure_tenant_broker(admin, slug, plan, password=password)
    admin.delete_vhost(vhost_name(slug))

    # when
    drifted = inspect_tenant_broker(admin, slug)
    ensure_tenant_broker(admin, slug, plan, password=password)
    repaired = inspect_tenant_broker(admin, slug)

    # then
    assert (drifted.vhost_exists, drifted.user_exists, drifted.permissions_ok) == (False, True, False)
    assert drifted.drift(plan) == ["vhost missing", "permissions differ"]
    assert repaired.drift(plan) == []
    connect(broker).close()


def test_a_wrong_admin_password_is_a_clear_401() -> None:
    # given
    admin = BrokerAdmin("http://127.0.0.1:15672", "guest", "not-the-password")

    # when
    with pytest.raises(BrokerError) as failed:
        admin.get_vhost(PLATFORM_VHOST)

    # then
    assert failed.value.status == 401
    assert failed.value.reason == "Login failed"
    assert failed.value.method == "GET"
    assert failed.value.path == f"/api/vhosts/{PLATFORM_VHOST}"
    assert str(failed.value) == (
        f"RabbitMQ management API GET http://127.0.0.1:15672/api/vhosts/{PLATFORM_VHOST} answered 401: Login failed; "
        "check the management user name and password (TENANTRY_BROKER_ADMIN_URL)"
    )
    assert "not-the-password" not in str(failed.value)


def test_a_closed_port_names_the_url_but_not_the_password() -> None:
    # given
    port = free_port()
    admin = BrokerAdmin.from_url(f"http://guest:secret-pw@127.0.0.1:{port}", timeout=2)

    # when
    with pytest.raises(BrokerError) as failed:
        ensure_platform_exchange(admin)

    # then
    assert failed.value.status is None
    assert failed.value.method == "PUT"
    assert str(failed.value).startswith(
        f"RabbitMQ management API PUT http://127.0.0.1:{port}/api/vhosts/tenantry could not be reached: ConnectionError"
    )
    assert "check that RabbitMQ runs with the management plugin" in str(failed.value)
    assert "secret-pw" not in str(failed.value)
    assert "secret-pw" not in repr(admin)


def test_vhost_names_are_url_quoted(admin) -> None:
    # given the default vhost, whose name is '/'

    # when
    default = admin.get_vhost("/")

    # then
    assert default is not None
    assert default["name"] == "/"


def test_broker_info_names_version_and_cluster(admin) -> None:
    # when
    info = broker_info(admin)

    # then
    assert info["rabbitmq_version"].startswith("3.")
    assert info["cluster_name"]
    assert set(info) == {"rabbitmq_version", "management_version", "erlang_version", "cluster_name"}


def test_an_invalid_slug_provisions_nothing(admin) -> None:
    # when
    with pytest.raises(ValueError, match="reserved"):
        ensure_tenant_broker(admin, "tenantry-x", plan_for("free"), password="pw-0123456789")

    # then
    assert admin.get_vhost(vhost_name("tenantry-x")) is None


def test_a_passing_server_error_is_retried_and_a_lasting_one_reported() -> None:
    # A stand-in for the management API on loopback: 500 twice, then 204 (RabbitMQ does
    # this for a moment when a vhost is created and deleted at once).
    import http.server
    import threading

    answers = [500, 500, 204, 500, 500, 500, 500]
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_DELETE(self) -> None:
            seen.append(self.path)
            self.send_response(answers.pop(0))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        admin = BrokerAdmin(f"http://127.0.0.1:{server.server_address[1]}", "guest", "guest")

        assert admin.delete_vhost("tenant-x") is True
        with pytest.raises(BrokerError) as failure:
            admin.delete_vhost("tenant-y")
    finally:
        server.shutdown()

    assert seen == ["/api/vhosts/tenant-x"] * 3 + ["/api/vhosts/tenant-y"] * 4
    assert failure.value.status == 500
