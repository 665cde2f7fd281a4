"""Hostile input over HTTP: deep and oversized JSON, bad hosts, unknown API paths and crashes, Stripe's webhook
with odd bodies and clocks, and the input rules for passwords, strings and amounts.

Both projects run under their real ASGI server (`tenantry_kernel.serve`) on migrated scratch databases, each
twice: with the test settings and with the local settings (DEBUG on), where Django answers errors with its own
HTML pages instead of the handlers. A store is provisioned on the tenant app's shard as local mode does it;
Celery's mail and provisioning tasks go to a scratch RabbitMQ vhost. Each attack asserts the exact answer and
that nothing was written.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
import requests
import stripe
from psycopg import sql

from tenantry_kernel.provisioning import routing
from tenantry_kernel.provisioning.database.migrations import ManagePyMigrationRunner, migrate_tenant_schema
from tenantry_kernel.provisioning.database.schemas import ensure_tenant_database
from tenantry_kernel.provisioning.database.template_clone import TemplateCloneRunner
from tenantry_kernel.provisioning.naming import schema_name
from tenantry_kernel.provisioning.plans import plan_for
from tenantry_kernel.testing import ServedApp, serve_app
from tenantry_kernel.testing.databases import drop_role, migrated_database, server_conninfo, server_env
from tenantry_kernel.testing.problems import problem
from tests.e2e_support import scratch_vhost

ROOT = Path(__file__).resolve().parents[2]
PLATFORM, TENANT_APP = ROOT / "platform", ROOT / "tenant-app"
PASSWORD = "correct horse battery staple 42"
# The test settings' made-up signing secret (control_plane/settings/test.py); the local settings get it too.
WEBHOOK_SECRET = "whsec_tenantryLocalstripeFakeSecret01"
SETTINGS = ["test", "local"]  # local: DEBUG on

# The attack: 2,000 bytes, a thousand arrays inside one another.
DEEP_BODY = b"[" * 1000 + b"]" * 1000
TOO_DEEP = {
    "code": "json_too_deep",
    "detail": "The JSON body is nested more than 64 levels deep; send flatter data.",
}
LIMIT = 1024 * 1024
TOO_LARGE = {
    "code": "request_too_large",
    "detail": f"The request body is larger than {LIMIT} bytes, the most this API accepts; send less at a time.",
}
NOT_FOUND = {
    "code": "not_found",
    "detail": "There is no API endpoint at this address; check the path and its trailing slash.",
}
DISALLOWED_HOST = {
    "code": "disallowed_host",
    "detail": "This service does not answer the host named in the Host header; use one of its own addresses.",
}
INVALID = "Some fields are invalid; see errors."
ONLY_SPACES = "This password is only spaces; choose one with letters, digits or symbols."


@dataclass(frozen=True)
class Store:
    slug: str

    @property
    def host(self) -> str:
        return f"{self.slug}.localhost"

    @property
    def schema(self) -> str:
        return schema_name(self.slug)


@dataclass(frozen=True)
class Servers:
    control_plane: dict[str, ServedApp]  # by settings: "test", "local"
    tenant_app: dict[str, ServedApp]
    platform_db: str
    shard_db: str
    store: Store
    owner_token: str  # a portal user's, owner of the tenant `owner_slug`
    owner_slug: str
    manager_token: str  # a store member's, with the manager role
    manager_email: str


def call(
    app: ServedApp,
    method: str,
    path: str,
    body: bytes | None = None,
    *,
    host: str = "127.0.0.1",
    token: str = "",
    headers: dict[str, str] | None = None,
) -> requests.Response:
    """One request to a served project, with a Host header of our choosing (`*.localhost` does not resolve here)."""
    sent = {"Host": host, "Content-Type": "application/json", **(headers or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    return requests.request(method, f"{app.base_url}{path}", data=body, headers=sent, timeout=60)


def as_json(value: Any) -> bytes:
    return json.dumps(value).encode()


def query(dbname: str, statement: str) -> Any:
    """One value from the scratch database `dbname`, read as its superuser."""
    with psycopg.connect(server_conninfo(dbname), autocommit=True) as conn:
        row = conn.execute(statement).fetchone()
        assert row is not None
        return row[0]


def written(servers: Servers) -> dict[str, Any]:
    """What an attack must not change: accounts, tenants, Stripe events, the store's users and products."""
    store = servers.store.schema
    return {
        "portal users": query(servers.platform_db, "SELECT count(*) FROM accounts_user"),
        "tenants": query(servers.platform_db, "SELECT count(*) FROM tenants_tenant"),
        "plans": query(servers.platform_db, "SELECT string_agg(plan, ',' ORDER BY slug) FROM tenants_tenant"),
        "stripe events": query(servers.platform_db, "SELECT count(*) FROM billing_stripeevent"),
        "store users": query(servers.shard_db, f"SELECT count(*) FROM {store}.accounts_user"),
        "store names": query(servers.shard_db, f"SELECT string_agg(full_name, ',') FROM {store}.accounts_user"),
        "products": query(servers.shard_db, f"SELECT count(*) FROM {store}.catalog_product"),
    }


def provision_store(admin_dsn: str, runner: TemplateCloneRunner) -> Store:
    """A store on the shard with its route, as local mode provisions one."""
    store = Store(f"hostile-{secrets.token_hex(3)}")
    tenant_db = ensure_tenant_database(admin_dsn, store.slug, plan_for("free"), secrets.token_urlsafe(16))
    migrate_tenant_schema(tenant_db, runner)
    routing.ensure_routes(admin_dsn, store.slug, [store.host], suspended=False)
    return store


def sign_up_portal_owner(app: ServedApp) -> tuple[str, str]:
    """A portal user and their store, through the signup API: (access token, tenant slug)."""
    slug = f"own-{secrets.token_hex(3)}"
    body = {"email": f"{slug}@example.test", "password": PASSWORD, "store_name": "Owned", "slug": slug}
    response = call(app, "POST", "/api/v1/signup/", as_json(body))
    assert response.status_code == 202, response.text
    return str(response.json()["tokens"]["access"]), slug


def store_member(app: ServedApp, servers_db: str, store: Store, role: str) -> tuple[str, str]:
    """A member of the store who registered themselves, given `role` (as an admin would): (access token, email)."""
    email = f"{role}-{secrets.token_hex(3)}@example.test"
    registered = call(
        app, "POST", "/api/v1/auth/register/", as_json({"email": email, "password": PASSWORD}), host=store.host
    )
    assert registered.status_code == 201, registered.text
    with psycopg.connect(server_conninfo(servers_db), autocommit=True) as conn:
        conn.execute(
            sql.SQL("UPDATE {users} SET role_id = (SELECT id FROM {roles} WHERE slug = %s) WHERE email = %s").format(
                users=sql.Identifier(store.schema, "accounts_user"), roles=sql.Identifier(store.schema, "access_role")
            ),
            [role, email],
        )
    return sign_in_to_store(app, store, email, PASSWORD), email


def sign_in_to_store(app: ServedApp, store: Store, email: str, password: str) -> str:
    signed_in = call(
        app, "POST", "/api/v1/auth/sign-in/", as_json({"email": email, "password": password}), host=store.host
    )
    assert signed_in.status_code == 200, signed_in.text
    return str(signed_in.json()["access"])


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    """Both projects, each served with the test and with the local settings on one scratch database of its own."""
    token = secrets.token_hex(4)
    template_role = f"tenantry_template_hostile_{token}"
    try:
        with (
            migrated_database("control_plane") as platform_db,
            migrated_database("tenant_app") as shard_db,
            scratch_vhost(f"tenantry-hostile-{token}") as vhost,
            ExitStack() as running,
        ):
            broker = f"amqp://guest:guest@127.0.0.1:5672/{quote(vhost, safe='')}"
            common = {
                "BROKER_URL": broker,
                "EVENTS_BROKER_URL": broker,
                "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
                "TENANTRY_TEST_CACHE_PREFIX": f"hostile-{token}",
                # Every request here comes from 127.0.0.1; budgets are not what is attacked.
                "SIGNUP_RATE_PER_IP": "100000/hour",
                "SIGNUP_RATE_PER_EMAIL": "100000/hour",
                "API_RATE_SIGN_IN": "100000/min",
                "API_RATE_ACCOUNT_EMAIL": "100000/hour",
                "API_RATE_ACCOUNT_EMAIL_ADDRESS": "100000/hour",
            }
            admin_dsn = server_conninfo(shard_db)
            runner = TemplateCloneRunner(
                admin_dsn,
                ManagePyMigrationRunner(TENANT_APP / "manage.py", "tenant_app.settings.test"),
                template_role=template_role,
            )
            store = provision_store(admin_dsn, runner)
            control_plane, tenant_app = {}, {}
            for name in SETTINGS:
                control_plane[name] = running.enter_context(
                    serve_app(
                        "control_plane.asgi:application",
                        "control-plane",
                        f"control_plane.settings.{name}",
                        str(PLATFORM),
                        {**common, **server_env(platform_db)},
                    )
                )
                tenant_app[name] = running.enter_context(
                    serve_app(
                        "tenant_app.asgi:application",
                        "tenant-app",
                        f"tenant_app.settings.{name}",
                        str(TENANT_APP),
                        {**common, **server_env(shard_db)},
                    )
                )
            owner_token, owner_slug = sign_up_portal_owner(control_plane["test"])
            manager_token, manager_email = store_member(tenant_app["test"], shard_db, store, "manager")
            yield Servers(
                control_plane, tenant_app, platform_db, shard_db, store, owner_token, owner_slug, manager_token,
                manager_email,
            )  # fmt: skip
    finally:
        drop_role(template_role)  # cluster-wide; what it owned went with the shard's database


def signed(payload: bytes, *, at: int | None = None) -> dict[str, str]:
    """The Stripe-Signature header Stripe would send for `payload` at `at` (now by default)."""
    header = stripe.WebhookSignature.generate_signature_header(payload.decode(), WEBHOOK_SECRET, timestamp=at)
    return {"Stripe-Signature": header}


def stripe_event(event_id: str, **overrides: Any) -> dict[str, Any]:
    event = {
        "id": event_id,
        "object": "event",
        "type": "tenantry.hostile_input_probe",  # no handler: stored and marked processed
        "created": int(time.time()),
        "livemode": False,
        "api_version": "2017-08-15",
        "data": {"object": {"id": "obj_probe", "object": "probe"}},
    }
    return {**event, **overrides}


# ---- JSON nested a thousand deep ---------------------------------------------------------------------------------

# (project, method, path, who): anonymous and signed-in endpoints of both projects that read JSON.
JSON_ENDPOINTS = [
    ("control_plane", "POST", "/api/v1/signup/", "anonymous"),
    ("control_plane", "POST", "/api/v1/auth/sign-in/", "anonymous"),
    ("control_plane", "POST", "/api/v1/tenants/{owner_slug}/subscription", "owner"),
    ("control_plane", "POST", "/api/v1/auth/two-factor/totp/confirm/", "owner"),
    ("tenant_app", "POST", "/api/v1/auth/register/", "anonymous"),
    ("tenant_app", "POST", "/api/v1/auth/sign-in/", "anonymous"),
    ("tenant_app", "PATCH", "/api/v1/auth/me/", "manager"),
    ("tenant_app", "POST", "/api/v1/products/", "manager"),
    ("tenant_app", "POST", "/graphql/", "anonymous"),
    ("tenant_app", "POST", "/graphql/", "manager"),
]


def send(servers: Servers, settings: str, project: str, method: str, path: str, who: str, body: bytes) -> Any:
    app = getattr(servers, project)[settings]
    host = servers.store.host if project == "tenant_app" else "127.0.0.1"
    token = {"anonymous": "", "owner": servers.owner_token, "manager": servers.manager_token}[who]
    return call(app, method, path.format(owner_slug=servers.owner_slug), body, host=host, token=token)


@pytest.mark.parametrize("settings", SETTINGS)
@pytest.mark.parametrize(("project", "method", "path", "who"), JSON_ENDPOINTS)
def test_a_json_body_nested_a_thousand_deep_is_refused_before_it_is_parsed(
    servers: Servers, settings: str, project: str, method: str, path: str, who: str
) -> None:
    before = written(servers)

    response = send(servers, settings, project, method, path, who, DEEP_BODY)

    assert response.status_code == 400, response.text[:500]
    assert problem(response) == TOO_DEEP
    assert written(servers) == before


@pytest.mark.parametrize("settings", SETTINGS)
def test_a_signed_webhook_nested_a_thousand_deep_is_refused_and_not_stored(servers: Servers, settings: str) -> None:
    before = written(servers)

    response = call(
        servers.control_plane[settings], "POST", "/api/v1/billing/stripe/webhook", DEEP_BODY, headers=signed(DEEP_BODY)
    )

    assert response.status_code == 400, response.text[:500]
    assert problem(response) == TOO_DEEP
    assert written(servers) == before


# ---- bodies over the size limit ----------------------------------------------------------------------------------

OVERSIZED = as_json({"email": "a@example.test", "password": PASSWORD, "store_name": "x" * LIMIT})


@pytest.mark.parametrize("settings", SETTINGS)
@pytest.mark.parametrize(
    ("project", "method", "path", "who"),
    [
        ("control_plane", "POST", "/api/v1/signup/", "anonymous"),
        ("control_plane", "POST", "/api/v1/billing/stripe/webhook", "anonymous"),  # reads request.body itself
        ("tenant_app", "POST", "/api/v1/auth/register/", "anonymous"),
        ("tenant_app", "POST", "/graphql/", "manager"),  # Strawberry reads request.body itself
    ],
)
def test_a_body_over_the_size_limit_is_refused_with_413(
    servers: Servers, settings: str, project: str, method: str, path: str, who: str
) -> None:
    before = written(servers)

    response = send(servers, settings, project, method, path, who, OVERSIZED)

    assert response.status_code == 413, response.text[:500]
    assert problem(response) == TOO_LARGE
    assert written(servers) == before


# ---- errors Django answers itself --------------------------------------------------------------------------------

# The tenant app's handlers already answered its /api/ paths in the error body with the test settings (its
# tests/test_api_frame.py): those cases are the local settings' here. The control plane had no handlers.
UNKNOWN_PATHS = [
    *[("control_plane", settings, "GET", "/api/v1/no-such-endpoint/") for settings in SETTINGS],
    *[("control_plane", settings, "POST", "/api/v2/signup/") for settings in SETTINGS],
    ("tenant_app", "local", "GET", "/api/v1/no-such-endpoint/"),
    ("tenant_app", "local", "DELETE", "/api/v2/products/"),
    *[("tenant_app", settings, "GET", "/graphql/no-such-thing/") for settings in SETTINGS],
]


@pytest.mark.parametrize(("project", "settings", "method", "path"), UNKNOWN_PATHS)
def test_an_unknown_api_path_answers_the_json_404(
    servers: Servers, settings: str, project: str, method: str, path: str
) -> None:
    response = send(servers, settings, project, method, path, "anonymous", b"{}")

    assert response.status_code == 404, response.text[:500]
    assert response.headers["Content-Type"] == "application/problem+json"
    assert problem(response) == NOT_FOUND


@pytest.mark.parametrize("settings", SETTINGS)
@pytest.mark.parametrize(
    ("project", "path"),
    [
        ("control_plane", "/api/v1/plans/"),
        ("control_plane", "/api/v1/signup/"),
        ("tenant_app", "/api/v1/auth/sign-in/"),
        ("tenant_app", "/graphql/"),
    ],
)
def test_a_disallowed_host_answers_the_json_400(servers: Servers, settings: str, project: str, path: str) -> None:
    before = written(servers)
    app = getattr(servers, project)[settings]

    response = call(app, "POST", path, as_json({"email": "a@example.test"}), host="attacker.example")

    assert response.status_code == 400, response.text[:500]
    assert problem(response) == DISALLOWED_HOST
    assert written(servers) == before


@pytest.mark.parametrize(
    ("project", "settings", "path", "host"),
    [
        *[("control_plane", settings, "/api/v1/auth/sign-in/", "127.0.0.1") for settings in SETTINGS],
        ("tenant_app", "local", "/api/v1/auth/sign-in/", "shop.localhost"),  # test settings: test_api_frame.py
        *[("tenant_app", settings, "/graphql/", "shop.localhost") for settings in SETTINGS],
    ],
)
def test_a_crash_under_the_api_answers_the_json_500_naming_the_request_id(
    settings: str, project: str, path: str, host: str
) -> None:
    # Given a server whose database is gone: the first query (a user, a store's route) fails.
    directory = PLATFORM if project == "control_plane" else TENANT_APP
    env = server_env(f"tenantry_missing_{secrets.token_hex(4)}")
    with serve_app(
        f"{project}.asgi:application", project, f"{project}.settings.{settings}", str(directory), env
    ) as app:
        request_id = f"crash-{secrets.token_hex(4)}"
        body = as_json({"email": "a@example.test", "password": PASSWORD, "query": "{ me { email } }"})

        response = call(app, "POST", path, body, host=host, headers={"X-Request-ID": request_id})

    assert response.status_code == 500, response.text[:500]
    assert response.headers["X-Request-ID"] == request_id
    assert problem(response) == {
        "code": "server_error",
        "detail": f"The server failed to answer this request; try again later, or report request id {request_id}.",
    }
    assert response.json()["request_id"] == request_id


# ---- Stripe's webhook ---------------------------------------------------------------------------------------------

WEBHOOK = "/api/v1/billing/stripe/webhook"


def stored_event(servers: Servers, event_id: str) -> int:
    return int(query(servers.platform_db, f"SELECT count(*) FROM billing_stripeevent WHERE id = '{event_id}'"))


@pytest.mark.parametrize("settings", SETTINGS)
@pytest.mark.parametrize(
    ("event", "fields"),
    [
        ({k: v for k, v in stripe_event("evt_x").items() if k != "id"}, {"/id": ["This field is required."]}),
        ({k: v for k, v in stripe_event("evt_x").items() if k != "type"}, {"/type": ["This field is required."]}),
        (stripe_event("evt_x", data={"previous_attributes": {}}), {"/data/object": ["This field is required."]}),
        (stripe_event("evt_x", id=4242), {"/id": ["Not a valid string."]}),
        ([stripe_event("evt_x")], {"": ["Invalid data. Expected a dictionary, but got list."]}),
        ("evt_x", {"": ["Invalid data. Expected a dictionary, but got str."]}),
    ],
    ids=["no-id", "no-type", "no-object", "numeric-id", "array", "string"],
)
def test_a_signed_webhook_that_is_not_an_event_is_refused_naming_what_is_missing(
    servers: Servers, settings: str, event: Any, fields: dict[str, list[str]]
) -> None:
    before = written(servers)
    payload = as_json(event)

    response = call(servers.control_plane[settings], "POST", WEBHOOK, payload, headers=signed(payload))

    assert response.status_code == 400, response.text[:500]
    assert problem(response) == {"code": "invalid", "detail": INVALID, "errors": fields}
    assert written(servers) == before


@pytest.mark.parametrize(
    ("offset", "code", "message"),
    [
        (
            3600,
            "signature_in_future",
            r"The Stripe-Signature timestamp is (\d+) seconds in the future, more than the 300 allowed; "
            r"check that this server's clock is right\.",
        ),
        (
            -3600,
            "signature_too_old",
            r"The Stripe-Signature timestamp is (\d+) seconds old, more than the 300 allowed; the event is "
            r"refused as a possible replay \(Stripe retries with a new signature\)\.",
        ),
    ],
    ids=["an-hour-ahead", "an-hour-old"],
)
def test_a_signature_from_outside_the_tolerance_is_refused_saying_which_way(
    servers: Servers, offset: int, code: str, message: str
) -> None:
    event_id = f"evt_clock_{secrets.token_hex(4)}"
    payload = as_json(stripe_event(event_id))
    at = int(time.time()) + offset

    sent = time.time()
    response = call(servers.control_plane["test"], "POST", WEBHOOK, payload, headers=signed(payload, at=at))
    answered = time.time()

    assert response.status_code == 400, response.text[:500]
    refusal = problem(response)
    assert set(refusal) == {"code", "detail"}
    assert refusal["code"] == code
    said = re.fullmatch(message, refusal["detail"])
    assert said, refusal
    # The skew it names is the one the server saw, somewhere between sending and answering.
    seen = sorted(abs(at - int(moment)) for moment in (sent, answered))
    assert seen[0] - 1 <= int(said.group(1)) <= seen[1] + 1, refusal
    assert stored_event(servers, event_id) == 0
    # The same event signed four minutes ago, within the tolerance, is taken: only the timestamp was refused.
    taken = call(
        servers.control_plane["test"], "POST", WEBHOOK, payload, headers=signed(payload, at=int(time.time()) - 240)
    )
    assert taken.status_code == 200, taken.text
    assert taken.json() == {"id": event_id, "type": "tenantry.hostile_input_probe", "processed": True}
    assert stored_event(servers, event_id) == 1


# ---- input rules --------------------------------------------------------------------------------------------------


def signup(servers: Servers, **fields: Any) -> requests.Response:
    slug = f"rule-{secrets.token_hex(3)}"
    body = {"email": f"{slug}@example.test", "password": PASSWORD, "store_name": "Rules", "slug": slug, **fields}
    return call(servers.control_plane["test"], "POST", "/api/v1/signup/", as_json(body))


@pytest.mark.parametrize(
    ("fields", "refused"),
    [
        ({"password": " " * 16}, {"/password": [ONLY_SPACES]}),
        ({"password": "\t \u3000 " * 4}, {"/password": [ONLY_SPACES]}),
        ({"store_name": 12345, "slug": ""}, {"/store_name": ["Not a valid string."]}),
        ({"slug": 10**20}, {"/slug": ["Not a valid string."]}),
        ({"full_name": 3.5}, {"/full_name": ["Not a valid string."]}),
    ],
    ids=["spaces", "unicode-spaces", "number-as-store-name", "number-as-slug", "number-as-name"],
)
def test_signup_refuses_a_blank_password_and_numbers_for_text(
    servers: Servers, fields: dict[str, Any], refused: dict[str, list[str]]
) -> None:
    before = written(servers)

    response = signup(servers, **fields)

    assert response.status_code == 400, response.text
    assert problem(response) == {"code": "invalid", "detail": INVALID, "errors": refused}
    assert written(servers) == before


def test_signup_refuses_a_number_too_large_to_represent_instead_of_a_store_called_inf(servers: Servers) -> None:
    before = written(servers)
    slug = f"rule-{secrets.token_hex(3)}"
    body = f'{{"email": "{slug}@example.test", "password": "{PASSWORD}", "store_name": 1e400}}'.encode()

    response = call(servers.control_plane["test"], "POST", "/api/v1/signup/", body)

    assert response.status_code == 400, response.text
    assert problem(response) == {
        "code": "number_out_of_range",
        "detail": "The number 1e400 in the request body is too large to represent; send a smaller one.",
    }
    assert written(servers) == before
    assert query(servers.platform_db, "SELECT count(*) FROM tenants_tenant WHERE slug = 'inf'") == 0


def test_a_store_refuses_passwords_of_only_spaces_at_registration_and_change(servers: Servers) -> None:
    app, store = servers.tenant_app["test"], servers.store
    before = written(servers)
    spaces = " " * 16

    registered = call(
        app,
        "POST",
        "/api/v1/auth/register/",
        as_json({"email": "spaces@example.test", "password": spaces}),
        host=store.host,
    )
    changed = call(
        app,
        "POST",
        "/api/v1/auth/password/",
        as_json({"current_password": PASSWORD, "new_password": spaces}),
        host=store.host,
        token=servers.manager_token,
    )

    assert registered.status_code == 400, registered.text
    assert problem(registered) == {"code": "invalid", "detail": INVALID, "errors": {"/password": [ONLY_SPACES]}}
    assert changed.status_code == 400, changed.text
    assert problem(changed) == {"code": "invalid", "detail": INVALID, "errors": {"/new_password": [ONLY_SPACES]}}
    assert written(servers) == before
    assert sign_in_to_store(app, store, servers.manager_email, PASSWORD)  # the old password still holds


def test_a_store_refuses_numbers_for_text(servers: Servers) -> None:
    app, store = servers.tenant_app["test"], servers.store
    before = written(servers)

    renamed = call(
        app, "PATCH", "/api/v1/auth/me/", as_json({"full_name": 12}), host=store.host, token=servers.manager_token
    )
    product = call(
        app,
        "POST",
        "/api/v1/products/",
        as_json({"name": 1e300, "price": {"amount": "1.00", "currency": "EUR"}}),
        host=store.host,
        token=servers.manager_token,
    )

    assert renamed.status_code == 400, renamed.text
    assert problem(renamed) == {"code": "invalid", "detail": INVALID, "errors": {"/full_name": ["Not a valid string."]}}
    assert product.status_code == 400, product.text
    assert problem(product) == {"code": "invalid", "detail": INVALID, "errors": {"/name": ["Not a valid string."]}}
    assert written(servers) == before


@pytest.mark.parametrize(
    "amount",
    ["\u0661\u0662", "\uff11\uff12", "12\u0663", "1_000"],  # Arabic-Indic 12, fullwidth 12, 12 and Arabic-Indic 3
    ids=["arabic-indic", "fullwidth", "mixed", "underscore"],
)
def test_a_price_in_digits_other_than_ascii_is_refused_over_rest_and_graphql(servers: Servers, amount: str) -> None:
    app, store = servers.tenant_app["test"], servers.store
    before = written(servers)
    price = {"amount": amount, "currency": "EUR"}

    rest = call(
        app,
        "POST",
        "/api/v1/products/",
        as_json({"name": "Bell", "price": price}),
        host=store.host,
        token=servers.manager_token,
    )
    graphql = call(
        app,
        "POST",
        "/graphql/",
        as_json(
            {
                "query": 'mutation($price: MoneyInput!) { createProduct(name: "Bell", price: $price) { id } }',
                "variables": {"price": price},
            }
        ),
        host=store.host,
        token=servers.manager_token,
    )

    assert rest.status_code == 400, rest.text
    assert problem(rest) == {
        "code": "invalid",
        "detail": INVALID,
        "errors": {"/price/amount": ["A valid number is required."]},
    }
    assert graphql.status_code == 200, graphql.text
    assert [(error["message"], error["extensions"]) for error in graphql.json()["errors"]] == [
        (
            f"Variable '$price' has invalid value at .amount: {amount!r} is not a decimal number in ASCII digits, "
            "such as 12.50.",
            {"code": "BAD_USER_INPUT"},
        )
    ]
    assert written(servers) == before


def test_a_price_of_minus_zero_is_stored_and_answered_as_zero(servers: Servers) -> None:
    app, store = servers.tenant_app["test"], servers.store
    price = {"amount": "-0.00", "currency": "EUR"}

    rest = call(
        app,
        "POST",
        "/api/v1/products/",
        as_json({"name": "Free bell", "price": price}),
        host=store.host,
        token=servers.manager_token,
    )
    graphql = call(
        app,
        "POST",
        "/graphql/",
        as_json(
            {
                "query": 'mutation($price: MoneyInput!) { createProduct(name: "Free horn", price: $price) '
                "{ price { amount } } }",
                "variables": {"price": {"amount": "-0", "currency": "EUR"}},
            }
        ),
        host=store.host,
        token=servers.manager_token,
    )

    assert rest.status_code == 201, rest.text
    assert rest.json()["price"] == {"amount": "0.00", "currency": "EUR"}
    assert graphql.status_code == 200, graphql.text
    assert graphql.json() == {"data": {"createProduct": {"price": {"amount": "0.00"}}}}
    outbox = query(
        servers.shard_db,
        f"SELECT coalesce(string_agg(envelope::text, ' '), '') FROM {store.schema}.tenantry_outbox",
    )
    assert '"-0' not in outbox  # the product events carry 0.00 too
