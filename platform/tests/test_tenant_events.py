"""A store's provisioning followed live: GET /api/v1/tenants/<slug>/events/ (Server-Sent Events) on a real uvicorn
server, with changes announced by PostgreSQL NOTIFY from the actions that save them, and tickets and stream slots
in the real Redis.

The tests make changes through the lifecycle actions in this process (committed: `transactional_db`); the
served process hears them only through NOTIFY. A change that must not be streamed is shown with a sentinel: a
change made after it must be the next event.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from django.conf import settings
from django.db import transaction
from rest_framework_simplejwt.tokens import AccessToken

from control_plane.accounts.models import User
from control_plane.accounts.tokens import access_token_for
from control_plane.tenants.actions import lifecycle
from control_plane.tenants.models import Tenant, TenantState
from control_plane.tenants.status_feed import version_of
from tenantry_kernel.testing import ServedApp, serve_app, wait_until
from tenantry_kernel.testing.problems import field_errors, problem

SETTINGS = "control_plane.settings.test"
WAIT = 10.0  # seconds to wait for an event that must come
CONDITIONS = [{"type": "DatabaseReady", "status": "True", "reason": "Migrated", "message": ""}]


def served_database_env() -> dict[str, str]:
    """Environment that points a served control plane at this test run's database."""
    from django.db import connection

    params = connection.settings_dict
    return {
        "DATABASE_URL": "",
        "PGHOST": str(params["HOST"] or "127.0.0.1"),
        "PGPORT": str(params["PORT"] or 5432),
        "PGUSER": str(params["USER"] or "postgres"),
        "PGDATABASE": str(params["NAME"]),
    }


def serve(env: dict[str, str]) -> Iterator[ServedApp]:
    with serve_app(
        "control_plane.asgi:application", "control-plane", SETTINGS, str(settings.BASE_DIR),
        {**served_database_env(), "API_RATE_PER_USER": "100000/min", **env},
    ) as app:  # fmt: skip
        yield app


@pytest.fixture(scope="module")
def served(django_db_setup: None) -> Iterator[ServedApp]:
    """The control plane under uvicorn on the test database, with a heartbeat every half second."""
    yield from serve({"TENANT_EVENTS_HEARTBEAT": "0.5"})


@pytest.fixture(scope="module")
def bounded(django_db_setup: None) -> Iterator[ServedApp]:
    """Another one whose streams last two seconds, two per user at most."""
    yield from serve(
        {"TENANT_EVENTS_HEARTBEAT": "0.5", "TENANT_EVENTS_MAX_SECONDS": "2", "TENANT_EVENTS_PER_USER": "2"}
    )


@pytest.fixture
def store(transactional_db: None, owner: User) -> Tenant:
    """A store of `owner`'s, being provisioned."""
    tenant = lifecycle.create_tenant(name="Acme Coffee", slug=f"acme-{owner.pk}", owner=owner)
    return lifecycle.transition(tenant, TenantState.PROVISIONING, reason="signed up")


class EventStream:
    """A client of a store's event stream, reading one event (or comment) at a time."""

    def __init__(self, app: ServedApp, slug: str, headers: dict[str, str] | None = None, **params: Any) -> None:
        self.response = requests.get(
            f"{app.base_url}/api/v1/tenants/{slug}/events/",
            params=params,
            headers={"Accept": "text/event-stream", **(headers or {})},
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

    def next_event(self) -> tuple[str, dict[str, Any], str | None]:
        """(name, data, id) of the next event, past heartbeat comments; it must come within WAIT seconds."""
        deadline = time.monotonic() + WAIT
        while (block := self.next())[0].startswith(":"):
            assert time.monotonic() < deadline, f"no event within {WAIT} s, only heartbeats"
        fields = dict(line.split(": ", 1) for line in block)
        return fields["event"], json.loads(fields["data"]), fields.get("id")

    def ended(self) -> bool:
        """Whether the server closed the stream (nothing more to read)."""
        return all(line == "" for line in self._lines)

    def close(self) -> None:
        self.response.close()


def bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token_for(user)}"}


def status_event(tenant: Tenant) -> tuple[str, dict[str, Any], str]:
    tenant.refresh_from_db()
    data = {
        "slug": tenant.slug,
        "state": tenant.state,
        "state_reason": tenant.state_reason,
        "state_changed_at": tenant.state_changed_at.isoformat().replace("+00:00", "Z"),
        "url": tenant.url or None,
        "conditions": tenant.conditions,
        "observed_generation": tenant.observed_generation,
        "version": version_of(tenant),
    }
    return "status", data, str(version_of(tenant))


def test_a_member_sees_the_status_at_once_then_each_change_until_the_url_then_end(
    served: ServedApp, store: Tenant, owner: User
) -> None:
    stream = EventStream(served, store.slug, bearer(owner))
    try:
        assert stream.response.status_code == 200
        assert stream.response.headers["Content-Type"] == "text/event-stream"
        assert stream.response.headers["Cache-Control"] == "no-cache"
        assert stream.next() == ["retry: 3000"]
        assert stream.next_event() == status_event(store)
        assert stream.next() == [": heartbeat"]  # nothing changed for half a second

        lifecycle.record_status(store, conditions=CONDITIONS, shard="shard-local")
        assert stream.next_event() == status_event(store)
        lifecycle.mark_ready(store, url="http://acme.localhost:8000/")
        _, data, _ = ready = stream.next_event()
        assert ready == status_event(store)
        assert (data["state"], data["url"]) == ("ready", "http://acme.localhost:8000/")
        assert stream.next_event() == ("end", {"state": "ready", "url": "http://acme.localhost:8000/"}, None)
        assert stream.ended()
    finally:
        stream.close()


class RolledBack(Exception):
    pass


def fail_then_roll_back(store: Tenant) -> None:
    try:
        with transaction.atomic():
            lifecycle.mark_failed(store, reason="this never happened")
            raise RolledBack
    except RolledBack:
        pass
    store.refresh_from_db()
    assert store.state == TenantState.PROVISIONING


def test_a_change_rolled_back_is_never_streamed(served: ServedApp, store: Tenant, owner: User) -> None:
    stream = EventStream(served, store.slug, bearer(owner))
    try:
        stream.next()
        stream.next_event()
        fail_then_roll_back(store)
        lifecycle.record_status(store, conditions=CONDITIONS)  # the sentinel

        name, data, _ = stream.next_event()
        assert (name, data["state"], data["conditions"]) == ("status", "provisioning", CONDITIONS)
    finally:
        stream.close()


def test_last_event_id_skips_the_status_the_client_has_and_an_ended_store_just_ends(
    served: ServedApp, store: Tenant, owner: User
) -> None:
    seen = status_event(store)[2]
    resumed = EventStream(served, store.slug, {**bearer(owner), "Last-Event-ID": seen})
    try:
        assert resumed.next() == ["retry: 3000"]
        assert resumed.next() == [": heartbeat"]  # not the status it has
        lifecycle.record_status(store, conditions=CONDITIONS)
        assert resumed.next_event() == status_event(store)
    finally:
        resumed.close()

    lifecycle.mark_failed(store, reason="InvalidSpec: no such plan")
    failed = status_event(store)
    fresh = EventStream(served, store.slug, bearer(owner), last_event_id=seen)  # older than the failure
    again = EventStream(served, store.slug, {**bearer(owner), "Last-Event-ID": failed[2]})
    try:
        fresh.next()
        assert fresh.next_event() == failed
        assert fresh.next_event() == ("end", {"state": "failed", "url": None}, None)
        again.next()
        assert again.next_event() == ("end", {"state": "failed", "url": None}, None)
        assert again.ended()
    finally:
        fresh.close()
        again.close()


def test_a_ticket_opens_one_stream_of_its_own_store(
    served: ServedApp, store: Tenant, owner: User, make_user: Callable[..., User]
) -> None:
    other_owner = make_user("other@example.com")
    other = lifecycle.create_tenant(name="Other", slug=f"other-{other_owner.pk}", owner=other_owner)

    issued = requests.post(f"{served.base_url}/api/v1/tenants/{store.slug}/events/ticket/", headers=bearer(owner))
    ticket = issued.json()["ticket"]
    elsewhere = requests.post(
        f"{served.base_url}/api/v1/tenants/{store.slug}/events/ticket/", headers=bearer(owner)
    ).json()["ticket"]

    assert issued.status_code == 201
    assert issued.headers["Location"] == f"/api/v1/tenants/{store.slug}/events/"
    assert issued.json()["expires_in"] == settings.TENANT_EVENTS_TICKET_TTL
    stream = EventStream(served, store.slug, ticket=ticket)
    try:
        assert stream.response.status_code == 200
        stream.next()
        assert stream.next_event() == status_event(store)
    finally:
        stream.close()
    reused = EventStream(served, store.slug, ticket=ticket)
    on_another_store = EventStream(served, other.slug, ticket=elsewhere)
    assert (reused.response.status_code, problem(reused.response)["code"]) == (401, "ticket_invalid")
    assert (on_another_store.response.status_code, problem(on_another_store.response)["code"]) == (
        401,
        "ticket_invalid",
    )


def test_someone_elses_store_is_not_found_like_a_missing_one_and_staff_may_follow_any(
    served: ServedApp, store: Tenant, make_user: Callable[..., User]
) -> None:
    stranger = make_user("stranger@example.com")
    staff = make_user("ops@example.com", is_staff=True)

    foreign = EventStream(served, store.slug, bearer(stranger))
    missing = EventStream(served, "no-such-store", bearer(stranger))
    foreign_ticket = requests.post(
        f"{served.base_url}/api/v1/tenants/{store.slug}/events/ticket/", headers=bearer(stranger)
    )
    anonymous = EventStream(served, store.slug)
    bad_resume = EventStream(served, store.slug, bearer(staff), last_event_id="x")
    watched = EventStream(served, store.slug, bearer(staff))
    try:
        assert foreign.response.status_code == missing.response.status_code == 404
        assert problem(foreign.response) == {
            "code": "not_found",
            "detail": f"You are not a member of a store {store.slug!r}.",
        }
        assert problem(missing.response)["detail"] == "You are not a member of a store 'no-such-store'."
        assert (foreign_ticket.status_code, problem(foreign_ticket)["code"]) == (404, "not_found")
        assert (anonymous.response.status_code, problem(anonymous.response)["code"]) == (401, "not_authenticated")
        assert bad_resume.response.status_code == 400
        assert field_errors(bad_resume.response) == {
            "/last_event_id": ["Give the id of the last event you received (a whole number)."]
        }
        assert watched.response.status_code == 200
        watched.next()
        assert watched.next_event() == status_event(store)
    finally:
        for stream in (foreign, missing, anonymous, bad_resume, watched):
            stream.close()


def test_a_user_holds_two_streams_at_most_and_each_lasts_two_seconds(
    bounded: ServedApp, store: Tenant, owner: User
) -> None:
    first, second = EventStream(bounded, store.slug, bearer(owner)), EventStream(bounded, store.slug, bearer(owner))
    third = EventStream(bounded, store.slug, bearer(owner))
    try:
        assert (first.response.status_code, second.response.status_code) == (200, 200)
        assert third.response.status_code == 429
        assert problem(third.response)["code"] == "too_many_streams"
        assert 1 <= int(third.response.headers["Retry-After"]) <= 8
        first.next()
        assert first.next_event() == status_event(store)
        assert first.next_event()[0] == "expired"  # after two seconds without a change
        assert first.ended()
    finally:
        for stream in (first, second, third):
            stream.close()

    # Both slots come back when their streams end (the second one's also lapses after two seconds).
    def opens() -> bool:
        stream = EventStream(bounded, store.slug, bearer(owner))
        stream.close()
        return stream.response.status_code == 200

    assert wait_until(opens, timeout=WAIT, what="a slot coming back")
    assert wait_until(opens, timeout=WAIT, what="the other slot coming back")


def test_a_stream_ends_when_its_access_token_expires(served: ServedApp, store: Tenant, owner: User) -> None:
    token = AccessToken(access_token_for(owner))  # type: ignore[arg-type]  # the stub wants a Token, not the encoded one
    token.set_exp(lifetime=timedelta(seconds=2))
    started = time.monotonic()
    stream = EventStream(served, store.slug, {"Authorization": f"Bearer {token}"})
    try:
        stream.next()
        assert stream.next_event() == status_event(store)
        name, _, _ = stream.next_event()
        assert name == "expired"
        assert stream.ended()
        assert time.monotonic() - started < WAIT
    finally:
        stream.close()
