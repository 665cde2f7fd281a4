"""End to end in local mode, on `make up`'s own stack (dev/up.py): the main path of a store, from signup to deletion.

Real services throughout (PostgreSQL, RabbitMQ, Redis, both Django projects, their relays, consumers and Celery
workers); the stand-ins are localstripe for Stripe and the platform itself as the stores' OpenID provider.
Signup through the portal API → the tenant is provisioned (schema, role, vhost, route, OIDC client) → the owner
signs into the store through platform SSO → turns on two-factor, which the next SSO sign-in then asks for →
creates and publishes a product → it appears in global search and the owner's WebSocket client receives the
notification of the publication → a Stripe webhook upgrades the plan → the tenant's connection and broker
limits follow → deleting with the Delete policy removes what was provisioned.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import requests
import stripe
from websockets.sync.client import connect as ws_connect
from websockets.typing import Subprotocol

from tenantry_kernel.provisioning import routing
from tenantry_kernel.provisioning.naming import role_name, schema_name, vhost_name
from tenantry_kernel.provisioning.plans import plan_for
from tenantry_kernel.testing import wait_until
from tenantry_kernel.testing.problems import problem
from tenantry_kernel.testing.stripe import signed_event
from tenantry_kernel.testing.totp import Authenticator
from tests.e2e_support import (
    BROKER_ADMIN,
    BROKER_AUTH,
    Stack,
    remove_leftovers,
    role_in_store,
    sign_in_through_the_platform,
    sign_up,
    tenant_state,
    verify_email,
)

# -- what is there: provisioned pieces, read where they live ---------------------------------------------------


def schema_exists(stack: Stack, slug: str) -> bool:
    with psycopg.connect(stack.shard_dsn) as conn:
        row = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema_name(slug)]).fetchone()
    return row is not None


def connection_limit(stack: Stack, slug: str) -> int | None:
    with psycopg.connect(stack.shard_dsn) as conn:
        row = conn.execute("SELECT rolconnlimit FROM pg_roles WHERE rolname = %s", [role_name(slug)]).fetchone()
    return int(row[0]) if row else None


def vhost_limits(slug: str) -> dict[str, int] | None:
    """The vhost's limits; None when the vhost does not exist."""
    if requests.get(f"{BROKER_ADMIN}/vhosts/{vhost_name(slug)}", auth=BROKER_AUTH, timeout=10).status_code == 404:
        return None
    answer = requests.get(f"{BROKER_ADMIN}/vhost-limits/{vhost_name(slug)}", auth=BROKER_AUTH, timeout=10)
    if answer.status_code == 404:  # deleted between the two requests (the deprovisioning runs meanwhile)
        return None
    answer.raise_for_status()
    rows = answer.json()
    return dict(rows[0]["value"]) if rows else {}


def oidc_clients(stack: Stack, slug: str) -> list[tuple[str, str]]:
    with psycopg.connect(stack.control_plane_dsn) as conn:
        rows = conn.execute(
            "SELECT client_id, redirect_uris FROM oauth2_provider_application WHERE client_id = %s",
            [f"tenant-{slug}"],
        ).fetchall()
    return [(str(client_id), str(uris)) for client_id, uris in rows]


def sso_answer(answer: requests.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    body: dict[str, Any] = answer.json()
    return body


@pytest.fixture
def slug(stack: Stack) -> Iterator[str]:
    """A new store's slug; whatever a failed run left of the store outside the scratch databases is removed."""
    slug = f"e2e-{secrets.token_hex(3)}"
    yield slug
    remove_leftovers(stack, slug)


def test_signup_to_deletion_on_the_local_stack(stack: Stack, slug: str) -> None:
    email = f"owner-{slug}@example.test"
    store = stack.store(slug)
    plan_before, plan_after = plan_for("starter"), plan_for("growth")

    # -- signup through the portal API; the owner confirms their address from the mail ---------------------------
    signup = sign_up(stack, slug, email)
    assert signup.status_code == 202, signup.text
    assert signup.headers["Location"] == f"/api/v1/tenants/{slug}/"  # where to watch the new store
    portal_token = signup.json()["tokens"]["access"]
    assert signup.json()["tenant"]["state"] == "provisioning"
    verified = verify_email(stack, email)
    assert verified.status_code == 200, verified.text

    # -- the tenant is provisioned by the control plane's worker: schema, role, vhost, route, OIDC client --------
    watched = signup.headers["Location"]
    wait_until(lambda: tenant_state(stack, watched, portal_token) == "ready", 90, f"{slug} ready")
    tenant = stack.portal_call("GET", watched, portal_token).json()
    assert tenant["url"] == store.url
    assert schema_exists(stack, slug)
    assert connection_limit(stack, slug) == plan_for("free").db_connection_limit
    assert vhost_limits(slug) == {
        "max-connections": plan_for("free").broker_max_connections,
        "max-queues": plan_for("free").broker_max_queues,
    }
    routes = routing.routes_of(stack.shard_dsn, slug)
    assert [(route.host, route.schema_name, route.role_name, route.suspended) for route in routes] == [
        (f"{slug}.localhost", schema_name(slug), role_name(slug), False)
    ]
    assert oidc_clients(stack, slug) == [(f"tenant-{slug}", f"{store.url}api/v1/auth/sso/platform/callback/")]

    # -- the owner signs into the store through the platform -------------------------------------------------
    # The control plane's member.invited event made them the store's owner (the member consumer); SSO links the
    # platform account to that store account by its verified address.
    wait_until(lambda: role_in_store(stack, slug, email) == "owner", 30, "the owner's account in the store")
    first = sso_answer(sign_in_through_the_platform(stack, store, email))

    # -- the owner role requires two-factor: the first sign-in enrols an authenticator app, then gets tokens ----
    assert (first["status"], first["methods"]) == ("enrolment_required", ["totp"]), first
    assert "access" not in first
    enrolment = store.call("POST", "/api/v1/auth/sign-in/enrolment/", json={"challenge": first["challenge"]})
    assert enrolment.status_code == 200, enrolment.text
    app = Authenticator(enrolment.json()["otpauth_uri"])
    enrolled = store.call(
        "POST", "/api/v1/auth/sign-in/enrolment/confirm/", json={"challenge": first["challenge"], "code": app.code()}
    )
    assert enrolled.status_code == 200, enrolled.text
    assert len(enrolled.json()["backup_codes"]) == 10
    access = enrolled.json()["access"]
    me = store.call("GET", "/api/v1/auth/me/", access)
    assert me.status_code == 200, me.text
    assert (me.json()["email"], me.json()["email_verified"], me.json()["tenant"]) == (email, True, slug)
    assert store.call("GET", "/api/v1/auth/two-factor/", access).json()["enabled"] is True

    # -- and every later sign-in through the platform asks for a code --------------------------------------------
    again = sso_answer(sign_in_through_the_platform(stack, store, email))
    assert again["status"] == "two_factor_required", again
    answer = {"challenge": again["challenge"], "code": app.code()}
    passed = store.call("POST", "/api/v1/auth/sign-in/challenge/", json=answer)
    assert passed.status_code == 200, passed.text
    access = passed.json()["access"]
    assert store.call("GET", "/api/v1/auth/me/", access).json()["id"] == me.json()["id"]

    # -- the owner's live notifications connection opens on the store ----------------------------------------
    with ws_connect(
        f"ws://127.0.0.1:{store.port}/ws/notifications/",
        additional_headers={"Host": store.host},
        subprotocols=[Subprotocol("tenantry.notifications.v1"), Subprotocol(f"bearer.{access}")],
        proxy=None,
        open_timeout=10,
    ) as ws:
        ready = json.loads(ws.recv(timeout=10))
        assert ready["type"] == "ready", ready

        # -- a product, created and published, appears in global search ------------------------------------
        name = f"Hojicha {secrets.token_hex(3)}"
        created = store.call(
            "POST", "/api/v1/products/", access, json={"name": name, "price": {"amount": "12.50", "currency": "EUR"}}
        )
        assert created.status_code == 201, created.text
        published = store.call("POST", f"/api/v1/products/{created.json()['id']}/publish/", access)
        assert published.status_code == 200, published.text
        pushed = json.loads(ws.recv(timeout=10))
        assert (pushed["type"], pushed["kind"], pushed["title"]) == (
            "notification",
            "catalog.product_published",
            f"{name} is live",
        ), pushed
        assert pushed["data"] == {"product_id": str(created.json()["id"])}

        def found() -> list[dict[str, Any]]:
            time.sleep(0.5)  # the anonymous search API has a per-address budget (120/minute)
            answer = stack.portal_call("GET", "/api/v1/search/", params={"q": name})
            assert answer.status_code == 200, answer.text
            return [hit for hit in answer.json()["results"] if hit["tenant"]["slug"] == slug]

        hits = wait_until(found, 30, f"{name} in global search")
        assert [(hit["kind"], hit["id"], hit["name"], hit["price"]) for hit in hits] == [
            ("product", str(created.json()["id"]), name, {"amount": "12.50", "currency": "EUR"})
        ]
        assert hits[0]["tenant"]["url"] == store.url

    # -- billing: a paid plan through the portal, then Stripe upgrades it by webhook -------------------------
    client = stripe.StripeClient("sk_test_" + "local" * 5, base_addresses={"api": stack.stripe_url})
    method: Any = client.v1.payment_methods.create(
        params={"type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
    )
    attached = stack.portal_call(
        "POST", f"/api/v1/tenants/{slug}/payment-methods", portal_token, json={"payment_method": method.id}
    )
    assert attached.status_code == 201, attached.text
    subscribed = stack.portal_call(
        "POST", f"/api/v1/tenants/{slug}/subscription", portal_token, json={"plan": "starter", "country": "DE"}
    )
    assert subscribed.status_code == 200, subscribed.text
    assert subscribed.json()["plan"] == "starter"
    wait_until(lambda: connection_limit(stack, slug) == plan_before.db_connection_limit, 30, "the starter db limit")

    # Someone changes the plan at Stripe (localstripe never sends this event: it is signed here, as Stripe signs).
    subscription_id = subscribed.json()["subscription"]["id"]
    remote: Any = client.v1.subscriptions.retrieve(subscription_id)
    client.v1.subscriptions.update(
        subscription_id, params={"items": [{"id": remote["items"].data[0].id, "plan": "tenantry-growth-monthly-eur"}]}
    )
    body, signature = signed_event(
        "customer.subscription.updated",
        client.v1.subscriptions.retrieve(subscription_id).to_dict(),
        stack.webhook_secret,
        event_id=f"evt_e2e_{secrets.token_hex(4)}",
    )
    webhook = stack.portal_call(
        "POST",
        "/api/v1/billing/stripe/webhook",
        data=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": signature},
    )
    assert webhook.status_code == 200, webhook.text
    assert webhook.json()["processed"] is True
    assert stack.portal_call("GET", f"/api/v1/tenants/{slug}/", portal_token).json()["plan"] == "growth"

    # -- the tenant's limits follow the plan: database connections, broker connections and queues -------------
    wait_until(lambda: connection_limit(stack, slug) == plan_after.db_connection_limit, 30, "the growth db limit")
    wait_until(
        lambda: (
            vhost_limits(slug)
            == {"max-connections": plan_after.broker_max_connections, "max-queues": plan_after.broker_max_queues}
        ),
        30,
        "the growth vhost limits",
    )

    # -- deleted with the Delete policy: schema, role, vhost, route and OIDC client are gone ------------------
    deleted = stack.portal_call("DELETE", f"/api/v1/tenants/{slug}/", portal_token, json={"deletion_policy": "Delete"})
    assert deleted.status_code == 202, deleted.text
    wait_until(lambda: not schema_exists(stack, slug), 60, f"{schema_name(slug)} dropped")
    wait_until(lambda: connection_limit(stack, slug) is None, 30, f"{role_name(slug)} dropped")
    wait_until(lambda: vhost_limits(slug) is None, 30, f"{vhost_name(slug)} deleted")
    wait_until(lambda: not oidc_clients(stack, slug), 30, "the OIDC client removed")
    assert routing.routes_of(stack.shard_dsn, slug) == []

    # and, once the tenant app's route cache (TENANCY_ROUTE_TTL, 5 s) has let go, no store answers at its address
    def no_store() -> dict[str, Any] | None:
        answer = store.call("GET", "/api/v1/auth/me/", access)
        return dict(answer.json()) if answer.status_code == 404 else None

    assert problem(wait_until(no_store, 15, "404 at the deleted store's address"))["code"] == "tenant_not_found"
