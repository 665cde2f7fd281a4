"""Notifications: stored per recipient, listed and marked read over the API, pushed live over a WebSocket
and Server-Sent Events — on real tenants, a real uvicorn server, real Redis (channel layer, tickets).

The WebSocket and SSE clients talk to 127.0.0.1 with the store's Host (`*.localhost` does not
resolve here). "Does not receive" is shown with a sentinel: a notification the same client
should get is pushed after the one it must not get, and the next message must be the sentinel.
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import psycopg
import pytest
import redis
import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect
from websockets.typing import Subprotocol

from tenant_app.access.models import Role
from tenant_app.accounts.models import RefreshFamily, User
from tenant_app.accounts.tokens import refresh_token_for
from tenant_app.notifications import actions
from tenant_app.notifications.messages import Delivery, push_message
from tenant_app.notifications.models import Notification
from tenant_app.tenancy.channels import tenant_group
from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.testing import ServedApp, serve_app
from tenantry_kernel.testing.problems import field_errors, problem

from .conftest import ShardTenant, served_database_env

SUBPROTOCOL = "tenantry.notifications.v1"
SETTINGS = "tenant_app.settings.test"
WAIT = 10.0  # seconds to wait for a message that must come
QUIET = 0.5  # seconds of silence that show nothing else is queued


# ---- Fixtures and helpers ----------------------------------------------------------------


@pytest.fixture(scope="module")
def served(django_db_setup: None) -> Iterator[ServedApp]:
    """The tenant app under uvicorn on the test database, for this module's live tests."""
    env = {
        **served_database_env(),
        "API_RATE_PER_USER": "100000/min",
        "API_RATE_PER_TENANT": "100000/min",
        "NOTIFICATIONS_SSE_HEARTBEAT": "0.5",
    }
    with serve_app("tenant_app.asgi:application", "tenant-app", SETTINGS, str(settings.BASE_DIR), env) as app:
        yield app


class Store:
    """A tenant with two people: ann (staff) and bob (customer)."""

    def __init__(self, tenant: ShardTenant) -> None:
        self.tenant = tenant
        with tenant_transaction(tenant.route):
            self.staff = Role.objects.get(slug="staff")
            self.ann = User.objects.create_user("ann@example.test", role=self.staff)
            self.bob = User.objects.create_user("bob@example.test", role=Role.objects.get(slug="customer"))

    @property
    def slug(self) -> str:
        return self.tenant.slug

    @property
    def host(self) -> str:
        return self.tenant.host

    def token(self, user: User, lifetime: timedelta | None = None, family: uuid.UUID | None = None) -> str:
        with tenant_transaction(self.tenant.route):  # the refresh token is recorded (outstanding tokens)
            access = refresh_token_for(user, self.slug, str(family or uuid.uuid4())).access_token
        if lifetime is not None:
            access.set_exp(lifetime=lifetime)
        return str(access)

    def notify(self, user: User, title: str, **data: Any) -> Notification:
        with tenant_transaction(self.tenant.route):
            (row,) = actions.notify([user], "order.paid", title, f"{title} (body)", data)
        return row  # pushed on commit, when the block above ended

    def api(self, user: User) -> Client:
        return Client(HTTP_HOST=self.host, HTTP_AUTHORIZATION=f"Bearer {self.token(user)}")


@pytest.fixture
def stores(shard: tuple[str, list[ShardTenant]]) -> tuple[Store, Store]:
    alpha, bravo = shard[1]
    return Store(alpha), Store(bravo)


def port_of(served: ServedApp) -> int:
    port = urlsplit(served.base_url).port
    assert port is not None
    return port


def open_ws(
    served: ServedApp, host: str, token: str | None = None, *, subprotocols: list[str] | None = None, **query: Any
) -> ClientConnection:
    port = port_of(served)
    protocols = subprotocols if subprotocols is not None else [SUBPROTOCOL, *([f"bearer.{token}"] if token else [])]
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    uri = f"ws://{host}:{port}/ws/notifications/" + (f"?{urlencode(query)}" if query else "")
    offered = [Subprotocol(protocol) for protocol in protocols] or None
    return ws_connect(uri, sock=sock, subprotocols=offered, proxy=None, open_timeout=WAIT)


def receive(ws: ClientConnection, timeout: float = WAIT) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=timeout))
    return message


def ready(ws: ClientConnection) -> dict[str, Any]:
    message = receive(ws)
    assert message["type"] == "ready", message
    return message


def close_code(ws: ClientConnection) -> tuple[int, str]:
    """The code and reason the server closed with (reading until the close)."""

    def read_until_closed() -> None:
        while True:
            ws.recv(timeout=WAIT)

    with pytest.raises(ConnectionClosed) as closed:
        read_until_closed()
    assert closed.value.rcvd is not None, "closed without a close frame"
    return closed.value.rcvd.code, closed.value.rcvd.reason


def assert_quiet(ws: ClientConnection) -> None:
    with pytest.raises(TimeoutError):
        ws.recv(timeout=QUIET)


def as_client_message(row: Notification) -> dict[str, Any]:
    return {
        "type": "notification",
        "id": row.id,
        "kind": row.kind,
        "title": row.title,
        "body": row.body,
        "data": row.data,
        "created_at": row.created_at.isoformat(),
    }


def listeners_of(group: str) -> int:
    """Redis subscribers of a channel-layer group (one per server process that has listeners in it)."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        counts: list[tuple[bytes, int]] = client.pubsub_numsub(f"asgi__group__{group}")  # type: ignore[assignment]  # sync client: a list
        return int(counts[0][1])
    finally:
        client.close()


def wait_until_no_listeners(group: str) -> int:
    deadline = time.monotonic() + WAIT
    while listeners_of(group) and time.monotonic() < deadline:
        time.sleep(0.05)
    return listeners_of(group)


@contextmanager
def backlog_reads_wait(store: Store) -> Iterator[None]:
    """A transaction of the test's holding the store's notifications table: a connection's backlog read
    waits for its end, so a test decides what happens while it is read. Rows made inside commit with it."""
    with tenant_transaction(store.tenant.route), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {connection.ops.quote_name(Notification._meta.db_table)} IN ACCESS EXCLUSIVE MODE")
        yield


def wait_until_a_backlog_read_waits() -> None:
    """Until a server connection waits on the lock `backlog_reads_wait` holds (seen from another session)."""
    params = connection.settings_dict
    conninfo = {"host": params["HOST"], "port": params["PORT"], "user": params["USER"], "dbname": params["NAME"]}
    with psycopg.connect(**conninfo, password=params["PASSWORD"] or None, autocommit=True) as observer:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            waiting = observer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE %s",
                [f"%{Notification._meta.db_table}%"],
            ).fetchone()
            if waiting and waiting[0]:
                return
            time.sleep(0.02)
    raise AssertionError("no backlog read waited on the notifications table")


def stored_unpushed(user: User, title: str) -> tuple[Notification, list[actions.Push]]:
    """A notification row made in the current transaction, and the push `actions.notify` would send after commit."""
    row = Notification.objects.create(recipient_id=user.pk, kind="order.paid", title=title, data={})
    group = tenant_group("user", user.pk)
    return row, [(group, push_message(group, [row]))]


# ---- WebSocket -----------------------------------------------------------------------------


def test_a_websocket_client_receives_its_notification_and_a_user_of_another_store_does_not(
    served: ServedApp, stores: tuple[Store, Store]
) -> None:
    alpha, bravo = stores
    # bravo's ann has the same user id as alpha's: only the group's tenant tells them apart.
    assert alpha.ann.pk == bravo.ann.pk

    with (
        open_ws(served, alpha.host, alpha.token(alpha.ann)) as ann,
        open_ws(served, bravo.host, bravo.token(bravo.ann)) as other_ann,
    ):
        assert ann.subprotocol == SUBPROTOCOL
        assert ready(ann) == {
            "type": "ready",
            "user": alpha.ann.pk,
            "groups": [
                f"t.{alpha.slug}.user.{alpha.ann.pk}",
                f"t.{alpha.slug}.role.{alpha.staff.pk}",
                f"t.{alpha.slug}.tenant",
            ],
        }
        ready(other_ann)

        row = alpha.notify(alpha.ann, "Order 1 paid", order=1)
        sentinel = bravo.notify(bravo.ann, "Bravo's own")

        assert receive(ann) == as_client_message(row)
        assert receive(other_ann)["id"] == sentinel.id  # not alpha's, which came first
        assert_quiet(ann)
        assert_quiet(other_ann)


def open_live(served: ServedApp, store: Store, user: User) -> ClientConnection:
    """A WebSocket past its backlog: it answers a ping only once connect() has finished."""
    ws = open_ws(served, store.host, store.token(user))
    ready(ws)
    ws.send(json.dumps({"type": "ping"}))
    assert receive(ws) == {"type": "pong"}
    return ws


def test_a_notification_pushed_before_the_backlog_read_returns_is_sent_once(
    served: ServedApp, stores: tuple[Store, Store]
) -> None:
    # The race a loaded machine showed: the push reaches the connection while it still reads its
    # backlog, and the backlog then holds the same row.
    alpha, _ = stores
    token = alpha.token(alpha.ann)
    with open_live(served, alpha, alpha.bob) as bob:
        with backlog_reads_wait(alpha):
            ann = open_ws(served, alpha.host, token)
            ready(ann)
            wait_until_a_backlog_read_waits()
            row, pushes = stored_unpushed(alpha.ann, "Paid while you connected")
            actions.push(pushes)
            marker, marker_pushes = stored_unpushed(alpha.bob, "Marker")
            actions.push(marker_pushes)
            # The process's hub hands pushes over one by one, in the order the layer delivers them:
            # once bob has his, ann's connection has been handed hers, and its backlog read still waits.
            assert receive(bob)["id"] == marker.id
        with ann:
            assert receive(ann) == as_client_message(row)
            sentinel = alpha.notify(alpha.ann, "Next")
            assert receive(ann)["id"] == sentinel.id  # no second copy of `row` came before it
            assert_quiet(ann)


def test_a_notification_read_with_the_backlog_is_not_sent_again_when_its_push_comes_late(
    served: ServedApp, stores: tuple[Store, Store]
) -> None:
    alpha, _ = stores
    token = alpha.token(alpha.ann)
    with backlog_reads_wait(alpha):
        ann = open_ws(served, alpha.host, token)
        ready(ann)
        wait_until_a_backlog_read_waits()
        row, pushes = stored_unpushed(alpha.ann, "Paid while you connected")
    with ann:
        assert receive(ann) == as_client_message(row)  # from the backlog
        actions.push(pushes)  # its live copy, late
        sentinel = alpha.notify(alpha.ann, "Next")  # pushed after it, to the same group
        assert receive(ann)["id"] == sentinel.id
        assert_quiet(ann)


def test_role_and_store_wide_notifications_reach_their_members_each_with_their_own_id(
    served: ServedApp, stores: tuple[Store, Store]
) -> None:
    alpha, _ = stores
    with (
        open_ws(served, alpha.host, alpha.token(alpha.ann)) as ann,
        open_ws(served, alpha.host, alpha.token(alpha.bob)) as bob,
    ):
        ready(ann)
        ready(bob)

        with tenant_transaction(alpha.tenant.route):
            (to_staff,) = actions.notify_role(alpha.staff, "product.low_stock", "Low stock", data={"sku": "A1"})
            to_everyone = {row.recipient_id: row for row in actions.notify_tenant("store.closing", "We close at 6")}

        assert receive(ann) == as_client_message(to_staff)
        assert receive(ann) == as_client_message(to_everyone[alpha.ann.pk])
        assert receive(bob) == as_client_message(to_everyone[alpha.bob.pk])  # the role's went to staff only
        assert to_everyone[alpha.ann.pk].id != to_everyone[alpha.bob.pk].id
        assert_quiet(ann)
        assert_quiet(bob)


def test_a_reconnecting_client_gets_exactly_what_it_missed_then_live_ones_without_duplicates(
    served: ServedApp, stores: tuple[Store, Store]
) -> None:
    alpha, _ = stores
    first = alpha.notify(alpha.ann, "Seen before the drop")
    with open_ws(served, alpha.host, alpha.token(alpha.ann)) as ann:
        ready(ann)
        assert receive(ann)["id"] == first.id  # no last_event_id: everything stored is the backlog
    missed = [alpha.notify(alpha.ann, f"Missed {n}") for n in range(3)]
    alpha.notify(alpha.bob, "Bob's, never ann's")

    with open_ws(served, alpha.host, alpha.token(alpha.ann), last_event_id=first.id) as ann:
        ready(ann)
        assert [receive(ann) for _ in missed] == [as_client_message(row) for row in missed]
        live = alpha.notify(alpha.ann, "Live after the backlog")
        assert receive(ann) == as_client_message(live)
        assert_quiet(ann)


def test_a_backlog_longer_than_one_batch_says_where_to_resume(served: ServedApp, stores: tuple[Store, Store]) -> None:
    alpha, _ = stores
    with tenant_transaction(alpha.tenant.route):
        rows = [actions.notify([alpha.ann], "order.paid", f"Order {n}")[0] for n in range(502)]

    with open_ws(served, alpha.host, alpha.token(alpha.ann), last_event_id=rows[0].id) as ann:
        ready(ann)
        ids = [receive(ann)["id"] for _ in range(500)]
        truncated = receive(ann)

    assert ids == [row.id for row in rows[1:501]]
    assert truncated == {"type": "backlog_truncated", "last_event_id": rows[500].id}


def test_a_subscription_to_another_stores_group_is_refused_and_hears_nothing(
    served: ServedApp, stores: tuple[Store, Store]
) -> None:
    alpha, bravo = stores
    with open_ws(served, alpha.host, alpha.token(alpha.ann)) as ann:
        ready(ann)
        refused = []
        for group in (
            f"t.{bravo.slug}.tenant",
            f"t.{bravo.slug}.user.{bravo.ann.pk}",
            f"t.{alpha.slug}.user.{alpha.bob.pk}",
        ):
            ann.send(json.dumps({"type": "subscribe", "group": group}))
            refused.append(receive(ann))
        ann.send(json.dumps({"type": "subscribe", "group": f"t.{alpha.slug}.tenant"}))
        own = receive(ann)
        ann.send(json.dumps({"type": "ping"}))
        pong = receive(ann)
        ann.send("not json")
        bad = receive(ann)

        with tenant_transaction(bravo.tenant.route):
            actions.notify_tenant("store.closing", "Bravo closes")
        sentinel = alpha.notify(alpha.ann, "Alpha's own")

        assert receive(ann)["id"] == sentinel.id
        assert_quiet(ann)

    assert [(m["type"], m["code"], m["group"]) for m in refused] == [
        ("error", "subscription_refused", f"t.{bravo.slug}.tenant"),
        ("error", "subscription_refused", f"t.{bravo.slug}.user.{bravo.ann.pk}"),
        ("error", "subscription_refused", f"t.{alpha.slug}.user.{alpha.bob.pk}"),
    ]
    assert own == {"type": "subscribed", "group": f"t.{alpha.slug}.tenant"}
    assert pong == {"type": "pong"}
    assert (bad["type"], bad["code"]) == ("error", "bad_message")


def test_connections_without_a_good_token_for_this_store_are_closed_with_4401(
    served: ServedApp, stores: tuple[Store, Store]
) -> None:
    alpha, bravo = stores
    with tenant_transaction(alpha.tenant.route):
        signed_out = RefreshFamily.objects.create(user=alpha.ann, revoked_at=timezone.now(), revoked_reason="sign_out")

    cases = {
        "alpha's token on bravo": (bravo.host, alpha.token(alpha.ann)),
        "no token": (alpha.host, None),
        "not a token": (alpha.host, "not-a-jwt"),
        "expired": (alpha.host, alpha.token(alpha.ann, lifetime=timedelta(seconds=-1))),
        "signed out": (alpha.host, alpha.token(alpha.ann, family=signed_out.id)),
    }
    closes = {}
    for case, (host, token) in cases.items():
        with open_ws(served, host, token) as ws:
            closes[case] = close_code(ws)

    assert {case: code for case, (code, _) in closes.items()} == dict.fromkeys(cases, 4401)
    assert closes["alpha's token on bravo"][1] == "This token was issued for another store."
    assert closes["signed out"][1] == "This session was signed out; sign in again."


def test_an_unknown_host_a_bad_resume_id_or_path_are_closed_with_their_own_codes(
    served: ServedApp, stores: tuple[Store, Store]
) -> None:
    alpha, _ = stores
    with open_ws(served, "nobody-here.localhost", alpha.token(alpha.ann)) as ws:
        unknown_host = close_code(ws)
    with open_ws(served, alpha.host, alpha.token(alpha.ann), last_event_id="-1") as ws:
        bad_resume = close_code(ws)
    port = port_of(served)
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    with ws_connect(f"ws://{alpha.host}:{port}/ws/elsewhere/", sock=sock, proxy=None) as ws:
        other_path = close_code(ws)

    assert unknown_host == (4404, "No store is served at nobody-here.localhost; check the address.")
    assert bad_resume[0] == 4400
    assert other_path[0] == 4404


def test_a_connection_closes_with_4401_when_its_token_expires(served: ServedApp, stores: tuple[Store, Store]) -> None:
    alpha, _ = stores
    with open_ws(served, alpha.host, alpha.token(alpha.ann, lifetime=timedelta(seconds=2))) as ann:
        ready(ann)
        assert close_code(ann) == (4401, "The access token expired; reconnect with a new one.")


def test_a_ticket_opens_one_connection_on_its_own_store_only(served: ServedApp, stores: tuple[Store, Store]) -> None:
    alpha, bravo = stores
    issued = requests.post(
        f"{served.base_url}/api/v1/notifications/tickets/",
        headers={"Host": alpha.host, "Authorization": f"Bearer {alpha.token(alpha.ann)}"},
        timeout=WAIT,
    )
    assert issued.status_code == 201, issued.text
    assert issued.headers["Location"] == "/api/v1/notifications/stream/"  # where to use it, with ?ticket=
    ticket = issued.json()["ticket"]
    assert issued.json()["expires_in"] == 60

    with open_ws(served, bravo.host, subprotocols=[], ticket=ticket) as elsewhere:
        on_bravo = close_code(elsewhere)
    with open_ws(served, alpha.host, subprotocols=[], ticket=ticket) as ann:
        assert ann.subprotocol is None
        assert ready(ann)["user"] == alpha.ann.pk
    with open_ws(served, alpha.host, subprotocols=[], ticket=ticket) as again:
        reused = close_code(again)

    assert on_bravo[0] == reused[0] == 4401
    assert reused[1].startswith("This ticket is unknown, used or expired")


def test_a_disconnected_client_leaves_its_groups(served: ServedApp, stores: tuple[Store, Store]) -> None:
    alpha, _ = stores
    group = f"t.{alpha.slug}.user.{alpha.ann.pk}"
    with open_ws(served, alpha.host, alpha.token(alpha.ann)) as ann:
        ready(ann)
        assert listeners_of(group) == 1

    assert wait_until_no_listeners(group) == 0


# ---- Server-Sent Events ----------------------------------------------------------------------


class EventStream:
    """A client of GET /api/v1/notifications/stream/, reading one event (or comment) at a time."""

    def __init__(self, served: ServedApp, host: str, headers: dict[str, str], **params: Any) -> None:
        self.response = requests.get(
            f"{served.base_url}/api/v1/notifications/stream/",
            params=params,
            headers={"Host": host, "Accept": "text/event-stream", **headers},
            stream=True,
            timeout=WAIT,
        )
        self._lines = self.response.iter_lines(decode_unicode=True)

    def next(self) -> list[str]:
        """The lines of the next event or comment."""
        block: list[str] = []
        for line in self._lines:
            if line == "" and block:
                return block
            if line:
                block.append(line)
        raise AssertionError(f"the stream ended after {block}")

    def next_event(self) -> list[str]:
        """The next event, past heartbeat comments."""
        while (block := self.next())[0].startswith(":"):
            pass
        return block

    def close(self) -> None:
        self.response.close()


def sse_event(row: Notification) -> list[str]:
    return [f"id: {row.id}", f"data: {json.dumps(as_client_message(row))}"]


def test_the_event_stream_resumes_after_last_event_id_then_streams_live_ones(
    served: ServedApp, stores: tuple[Store, Store]
) -> None:
    alpha, _ = stores
    seen, missed = alpha.notify(alpha.ann, "Seen"), alpha.notify(alpha.ann, "Missed")
    group = f"t.{alpha.slug}.user.{alpha.ann.pk}"

    stream = EventStream(
        served, alpha.host, {"Authorization": f"Bearer {alpha.token(alpha.ann)}", "Last-Event-ID": str(seen.id)}
    )
    try:
        assert stream.response.status_code == 200
        assert stream.response.headers["Content-Type"] == "text/event-stream"
        assert stream.response.headers["Cache-Control"] == "no-cache"
        assert stream.next() == ["retry: 3000"]
        assert stream.next_event() == sse_event(missed)
        assert stream.next() == [": heartbeat"]  # nothing new for 0.5 s
        live = alpha.notify(alpha.ann, "Live")
        alpha.notify(alpha.bob, "Bob's")
        assert stream.next_event() == sse_event(live)
        assert listeners_of(group) == 1
    finally:
        stream.close()
    assert wait_until_no_listeners(group) == 0


def test_the_event_stream_sends_a_notification_pushed_while_its_backlog_is_read_once(
    served: ServedApp, stores: tuple[Store, Store]
) -> None:
    alpha, _ = stores
    token = alpha.token(alpha.ann)
    with open_live(served, alpha, alpha.bob) as bob:
        with backlog_reads_wait(alpha):
            stream = EventStream(served, alpha.host, {"Authorization": f"Bearer {token}"})
            assert stream.next() == ["retry: 3000"]
            wait_until_a_backlog_read_waits()
            row, pushes = stored_unpushed(alpha.ann, "Paid while you connected")
            actions.push(pushes)
            marker, marker_pushes = stored_unpushed(alpha.bob, "Marker")
            actions.push(marker_pushes)
            assert receive(bob)["id"] == marker.id  # the hub has handed the stream its push (see above)
        try:
            assert stream.next_event() == sse_event(row)
            sentinel = alpha.notify(alpha.ann, "Next")
            assert stream.next_event() == sse_event(sentinel)
        finally:
            stream.close()


def test_the_event_stream_takes_a_ticket_and_refuses_without_one(
    served: ServedApp, stores: tuple[Store, Store]
) -> None:
    alpha, _ = stores
    first = alpha.notify(alpha.ann, "First")
    ticket = requests.post(
        f"{served.base_url}/api/v1/notifications/tickets/",
        headers={"Host": alpha.host, "Authorization": f"Bearer {alpha.token(alpha.ann)}"},
        timeout=WAIT,
    ).json()["ticket"]

    stream = EventStream(served, alpha.host, {}, ticket=ticket, last_event_id=0)
    try:
        assert stream.next() == ["retry: 3000"]
        assert stream.next_event() == sse_event(first)
    finally:
        stream.close()
    anonymous = EventStream(served, alpha.host, {})
    reused = EventStream(served, alpha.host, {}, ticket=ticket)
    bad_resume = EventStream(
        served, alpha.host, {"Authorization": f"Bearer {alpha.token(alpha.ann)}"}, last_event_id="x"
    )

    assert (anonymous.response.status_code, problem(anonymous.response)["code"]) == (401, "not_authenticated")
    assert (reused.response.status_code, problem(reused.response)["code"]) == (401, "ticket_invalid")
    assert bad_resume.response.status_code == 400
    assert field_errors(bad_resume.response) == {"/last_event_id": ["Give the id of a notification (a whole number)."]}


# ---- REST API ---------------------------------------------------------------------------------


def test_the_list_shows_only_ones_own_newest_first_and_filters_unread(stores: tuple[Store, Store]) -> None:
    alpha, _ = stores
    older, newer = alpha.notify(alpha.ann, "Older"), alpha.notify(alpha.ann, "Newer")
    alpha.notify(alpha.bob, "Bob's")
    ann = alpha.api(alpha.ann)
    assert ann.post(f"/api/v1/notifications/{older.id}/read/").status_code == 200

    everything = ann.get("/api/v1/notifications/")
    unread = ann.get("/api/v1/notifications/", {"unread": "true"})
    read = ann.get("/api/v1/notifications/", {"unread": "false"})

    assert everything.status_code == 200, everything.content
    assert [n["id"] for n in everything.json()["results"]] == [newer.id, older.id]
    assert everything.json()["results"][0] == {
        **{key: value for key, value in as_client_message(newer).items() if key != "type"},
        "created_at": everything.json()["results"][0]["created_at"],  # DRF's own rendering of the same instant
        "read_at": None,
        "unread": True,
    }
    assert [n["id"] for n in unread.json()["results"]] == [newer.id]
    assert [n["id"] for n in read.json()["results"]] == [older.id]
    assert ann.get("/api/v1/notifications/unread-count/").json() == {"unread": 1}


def test_marking_read_works_on_ones_own_only_and_keeps_the_first_read_time(stores: tuple[Store, Store]) -> None:
    alpha, _ = stores
    mine, bobs = alpha.notify(alpha.ann, "Mine"), alpha.notify(alpha.bob, "Bob's")
    ann = alpha.api(alpha.ann)

    first = ann.post(f"/api/v1/notifications/{mine.id}/read/")
    again = ann.post(f"/api/v1/notifications/{mine.id}/read/")
    others = ann.post(f"/api/v1/notifications/{bobs.id}/read/")
    look = ann.get(f"/api/v1/notifications/{bobs.id}/")

    assert first.status_code == 200
    assert first.json()["unread"] is False
    assert again.json()["read_at"] == first.json()["read_at"]
    assert (others.status_code, problem(others)["code"]) == (404, "not_found")
    assert (look.status_code, problem(look)["code"]) == (404, "not_found")
    with tenant_transaction(alpha.tenant.route):
        assert Notification.objects.get(pk=bobs.id).read_at is None


def test_mark_all_read_stops_at_up_to_and_touches_no_one_else(stores: tuple[Store, Store]) -> None:
    alpha, _ = stores
    shown = [alpha.notify(alpha.ann, f"Shown {n}") for n in range(2)]
    arrived_since = alpha.notify(alpha.ann, "Arrived since")
    bobs = alpha.notify(alpha.bob, "Bob's")
    ann = alpha.api(alpha.ann)

    marked = ann.post("/api/v1/notifications/read-all/", {"up_to": shown[-1].id}, content_type="application/json")
    bad = ann.post("/api/v1/notifications/read-all/", {"up_to": "many"}, content_type="application/json")

    assert marked.json() == {"marked": 2}
    assert (bad.status_code, list(field_errors(bad))) == (400, ["/up_to"])
    with tenant_transaction(alpha.tenant.route):
        unread = set(Notification.objects.filter(read_at__isnull=True).values_list("id", flat=True))
    assert unread == {arrived_since.id, bobs.id}
    assert ann.post("/api/v1/notifications/read-all/", {}, content_type="application/json").json() == {"marked": 1}


def test_the_list_costs_the_same_queries_however_many_notifications(stores: tuple[Store, Store]) -> None:
    alpha, _ = stores
    ann = alpha.api(alpha.ann)

    def queries_for_the_list() -> int:
        ann.get("/api/v1/notifications/")  # warm: the policy cache and the route
        with CaptureQueriesContext(connection) as captured:
            assert ann.get("/api/v1/notifications/").status_code == 200
        return len(captured)

    alpha.notify(alpha.ann, "One")
    with_one = queries_for_the_list()
    with tenant_transaction(alpha.tenant.route):
        actions.notify([alpha.ann], "order.paid", "Many")
        for n in range(40):
            actions.notify([alpha.ann], "order.paid", f"Many {n}")
    with_many = queries_for_the_list()

    assert with_many == with_one


def test_a_token_of_another_store_is_refused_by_the_api(stores: tuple[Store, Store]) -> None:
    alpha, bravo = stores
    client = Client(HTTP_HOST=bravo.host, HTTP_AUTHORIZATION=f"Bearer {alpha.token(alpha.ann)}")

    response = client.get("/api/v1/notifications/")

    assert (response.status_code, problem(response)["code"]) == (401, "token_wrong_tenant")


# ---- Actions ----------------------------------------------------------------------------------


def test_notify_refuses_bad_kinds_titles_and_data_and_stores_nothing(stores: tuple[Store, Store]) -> None:
    alpha, _ = stores
    with tenant_transaction(alpha.tenant.route), pytest.raises(ValidationError) as refused:
        actions.notify([alpha.ann], "Not A Kind", " ", data={"blob": "x" * 9000})

    assert set(refused.value.message_dict) == {"kind", "title", "data"}
    with tenant_transaction(alpha.tenant.route):
        assert not Notification.objects.exists()


def notify_then_fail(store: Store) -> None:
    with tenant_transaction(store.tenant.route):
        actions.notify([store.ann], "order.paid", "Rolled back")
        raise RuntimeError("the surrounding work failed")


def test_a_rolled_back_notification_is_neither_stored_nor_pushed(
    served: ServedApp, stores: tuple[Store, Store]
) -> None:
    alpha, _ = stores
    with open_ws(served, alpha.host, alpha.token(alpha.ann)) as ann:
        ready(ann)
        with pytest.raises(RuntimeError, match="surrounding work"):
            notify_then_fail(alpha)
        sentinel = alpha.notify(alpha.ann, "Committed")

        assert receive(ann)["id"] == sentinel.id
    with tenant_transaction(alpha.tenant.route):
        assert list(Notification.objects.values_list("title", flat=True)) == ["Committed"]


def test_a_live_copy_of_a_backlog_notification_is_dropped_once() -> None:
    delivery = Delivery(user_id=7)
    push = {"type": "notification.push", "notification": {"title": "x"}, "recipients": {"7": 42, "8": 43}}

    assert delivery.backlog([{"type": "notification", "id": 42, "title": "x"}]) == [
        {"type": "notification", "id": 42, "title": "x"}
    ]
    assert delivery.release() == []

    assert delivery.live(push) is None  # already sent from the backlog


def live_delivery(user_id: int) -> Delivery:
    """A Delivery whose (empty) backlog has gone out: live messages go straight through."""
    delivery = Delivery(user_id)
    delivery.backlog([])
    assert delivery.release() == []
    return delivery


def test_live_messages_go_out_once_the_backlog_has_and_only_to_their_recipient() -> None:
    push = {"type": "notification.push", "notification": {"title": "x"}, "recipients": {"7": 42, "8": 43}}

    assert live_delivery(8).live(push) == {"type": "notification", "id": 43, "title": "x"}
    assert json.loads(live_delivery(8).live_json(push) or "") == {"type": "notification", "id": 43, "title": "x"}
    assert live_delivery(9).live(push) is None  # not a recipient
    assert live_delivery(9).live_json(push) is None


def test_a_push_before_the_backlog_is_held_then_sent_once_after_it() -> None:
    def push(notification_id: int) -> dict[str, Any]:
        content = {"n": notification_id}
        return {"type": "notification.push", "notification": content, "recipients": {"7": notification_id}}

    def message(notification_id: int) -> dict[str, Any]:
        return {"type": "notification", "id": notification_id, "n": notification_id}

    delivery = Delivery(user_id=7)
    assert delivery.live_json(push(5)) is None  # held: the backlog has not gone out
    assert delivery.live(push(6)) is None
    assert delivery.live(push(6)) is None  # a repeated push is held once

    assert delivery.backlog([message(4), message(5)]) == [message(4), message(5)]
    assert delivery.live(push(7)) is None  # still held while the backlog is sent
    assert delivery.release() == [message(6), message(7)]  # 5 came with the backlog
    assert delivery.live(push(8)) is None  # held: release() has not said "empty" yet
    assert delivery.release() == [message(8)]
    assert delivery.release() == []

    assert delivery.live(push(9)) == message(9)
