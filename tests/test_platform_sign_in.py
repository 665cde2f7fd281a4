"""End to end: a portal user opens their store and signs in there through the platform's OpenID Connect provider.

Both Django projects are served as processes on loopback, each on its own scratch database; the store is
provisioned on the tenant app's shard as local mode does it (schema, role, migrations, route). The browser
is a requests session: the store's start endpoint → the platform's authorization endpoint → its sign-in
page → back to the store's callback, which answers with the store's own tokens.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from psycopg import sql

from tenantry_kernel.provisioning import routing
from tenantry_kernel.provisioning.database.migrations import ManagePyMigrationRunner, migrate_tenant_schema
from tenantry_kernel.provisioning.database.schemas import drop_tenant_database, ensure_tenant_database
from tenantry_kernel.provisioning.database.template_clone import TemplateCloneRunner
from tenantry_kernel.provisioning.plans import plan_for
from tenantry_kernel.testing import ServedApp, serve_app
from tenantry_kernel.testing.databases import migrated_database, server_conninfo, server_env
from tenantry_kernel.testing.problems import problem
from tests import e2e_support
from tests.e2e_support import form_field

ROOT = Path(__file__).resolve().parents[1]
PLATFORM, TENANT_APP = ROOT / "platform", ROOT / "tenant-app"
PASSWORD = "correct horse battery staple 42"
CLIENT_KEY = secrets.token_urlsafe(48)


def database_env(name: str) -> dict[str, str]:
    return server_env(name)


def manage(directory: Path, settings: str, env: dict[str, str], *args: str) -> str:
    completed = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=directory,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": settings, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-4000:]
    return completed.stdout


def on_control_plane(env: dict[str, str], script: str) -> Any:
    """Run `script` in the control plane's Django (as an operator's shell would); it prints one JSON value."""
    return json.loads(manage(PLATFORM, "control_plane.settings.test", env, "shell", "-c", script).splitlines()[-1])


@dataclass(frozen=True)
class Store(e2e_support.Store):
    @property
    def owner_email(self) -> str:
        """The store owner's portal address (one control plane serves every test of the module)."""
        return f"owner-{self.slug}@example.test"


@dataclass(frozen=True)
class Servers:
    control_plane: ServedApp
    tenant_app: ServedApp
    control_env: dict[str, str]
    admin_dsn: str  # the shard's
    migrations: TemplateCloneRunner


@dataclass(frozen=True)
class Platform:
    control_plane: ServedApp
    store: Store
    env: dict[str, str]

    @property
    def issuer(self) -> str:
        return f"{self.control_plane.base_url}/o"


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    """Both projects migrated on scratch databases and served (once per module: migrating takes minutes)."""
    with migrated_database("control_plane") as platform_db, migrated_database("tenant_app") as shard_db:
        control_env = {**database_env(platform_db), "PLATFORM_SSO_CLIENT_KEY": CLIENT_KEY}
        shard_env = database_env(shard_db)
        manage(PLATFORM, "control_plane.settings.test", control_env, "migrate", "--noinput", "-v", "0")
        manage(TENANT_APP, "tenant_app.settings.test", shard_env, "migrate", "--noinput", "-v", "0")
        admin_dsn = server_conninfo(shard_db)
        template_role = f"tenantry_template_{shard_db}"
        migrations = TemplateCloneRunner(
            admin_dsn,
            ManagePyMigrationRunner(TENANT_APP / "manage.py", "tenant_app.settings.test"),
            template_role=template_role,
        )
        try:
            with serve_app(
                "control_plane.asgi:application",
                "control-plane",
                "control_plane.settings.test",
                str(PLATFORM),
                control_env,
            ) as control_plane:
                # The issuer as the tenant app reaches it: 127.0.0.1, the host every request here uses.
                providers = {"platform": {"issuer": f"{control_plane.base_url}/o", "client_secret_key": CLIENT_KEY}}
                tenant_env = {**shard_env, "SSO_PROVIDERS": json.dumps(providers)}
                with serve_app(
                    "tenant_app.asgi:application", "tenant-app", "tenant_app.settings.test", str(TENANT_APP), tenant_env
                ) as tenant_app:
                    yield Servers(control_plane, tenant_app, control_env, admin_dsn, migrations)
        finally:
            # The template role is cluster-wide; what it owned went with the shard's database.
            with psycopg.connect(dbname="postgres", host="127.0.0.1", user="postgres", autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {0} WITH (FORCE)").format(sql.Identifier(shard_db)))
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {0}").format(sql.Identifier(template_role)))


@pytest.fixture
def platform(servers: Servers) -> Iterator[Platform]:
    """A store provisioned on the shard and routed, as local mode does; the platform does not know it yet."""
    slug = f"shop-{secrets.token_hex(3)}"
    tenant_db = ensure_tenant_database(servers.admin_dsn, slug, plan_for("free"), secrets.token_urlsafe(16))
    try:
        migrate_tenant_schema(tenant_db, servers.migrations)
        routing.ensure_routes(servers.admin_dsn, slug, [f"{slug}.localhost"], suspended=False)
        store = Store(slug, int(servers.tenant_app.base_url.rsplit(":", 1)[1]))
        yield Platform(servers.control_plane, store, servers.control_env)
    finally:
        routing.delete_routes(servers.admin_dsn, slug)
        drop_tenant_database(servers.admin_dsn, slug)


def provision_on_control_plane(platform: Platform) -> dict[str, Any]:
    """The portal user, their store's record and the store's client, as signup and provisioning leave them."""
    store = platform.store
    return dict(
        on_control_plane(
            platform.env,
            "import json\n"
            "from django.utils import timezone\n"
            "from control_plane.accounts.models import User\n"
            "from control_plane.oidc.actions import register_tenant_client\n"
            "from control_plane.tenants.models import Tenant\n"
            f"user = User.objects.create_user({store.owner_email!r}, {PASSWORD!r}, full_name='Olive Owner',"
            " email_verified_at=timezone.now())\n"
            f"tenant = Tenant.objects.create(slug={store.slug!r}, name='Shop', url={store.url!r}, state='ready')\n"
            "application = register_tenant_client(tenant)\n"
            "print(json.dumps({'user_id': user.pk, 'client_id': application.client_id,"
            " 'redirect_uris': application.redirect_uris}))\n",
        )
    )


def sign_in_through_the_platform(platform: Platform, browser: requests.Session) -> requests.Response:
    """What a person's browser does from the store's "Sign in with Tenantry" button to the store's callback."""
    return platform.store.call("GET", callback_from_the_platform(platform, browser))


def callback_from_the_platform(platform: Platform, browser: requests.Session) -> str:
    """From the store's start endpoint through the platform's sign-in page: where the platform sends the browser."""
    started = platform.store.call("POST", "/api/v1/auth/sso/platform/start/", json={})
    assert started.status_code == 200, started.text
    authorization_url = started.json()["authorization_url"]
    assert authorization_url.startswith(f"{platform.issuer}/authorize/?")

    to_sign_in = browser.get(authorization_url, allow_redirects=False, timeout=30)
    assert to_sign_in.status_code == 302, to_sign_in.text
    sign_in_url = f"{platform.control_plane.base_url}{to_sign_in.headers['Location']}"
    page = browser.get(sign_in_url, timeout=30)
    assert page.status_code == 200
    signed_in = browser.post(
        sign_in_url,
        data={
            "csrfmiddlewaretoken": form_field(page.text, "csrfmiddlewaretoken"),
            "next": form_field(page.text, "next"),
            "username": platform.store.owner_email,
            "password": PASSWORD,
        },
        allow_redirects=False,
        timeout=30,
    )
    assert signed_in.status_code == 302, signed_in.text[:2000]
    back_to_authorize = browser.get(
        f"{platform.control_plane.base_url}{signed_in.headers['Location']}", allow_redirects=False, timeout=30
    )
    assert back_to_authorize.status_code == 302, back_to_authorize.text[:2000]
    callback = back_to_authorize.headers["Location"]
    assert callback.startswith(f"{platform.store.url}api/v1/auth/sso/platform/callback/?"), callback
    return str(callback)


def test_a_portal_user_signs_into_their_store_through_the_platform(platform: Platform) -> None:
    registered = provision_on_control_plane(platform)
    assert registered["client_id"] == f"tenant-{platform.store.slug}"
    assert registered["redirect_uris"] == f"{platform.store.url}api/v1/auth/sso/platform/callback/"
    discovery = requests.get(f"{platform.issuer}/.well-known/openid-configuration", timeout=10).json()
    assert discovery["issuer"] == platform.issuer

    response = sign_in_through_the_platform(platform, requests.Session())

    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    first = profile_of(platform.store, response.json()["access"])
    # Created in the store by the platform's verified address, named as on the platform.
    assert (first["email"], first["email_verified"], first["full_name"]) == (
        platform.store.owner_email,
        True,
        "Olive Owner",
    )
    assert first["tenant"] == platform.store.slug
    # The store's token is the store's own: the platform does not take it.
    platform_userinfo = requests.get(
        f"{platform.issuer}/userinfo/", headers={"Authorization": f"Bearer {response.json()['access']}"}, timeout=10
    )
    assert platform_userinfo.status_code == 401

    # A second sign-in, in a fresh browser, finds the same account through its link.
    again = sign_in_through_the_platform(platform, requests.Session())

    assert again.status_code == 200, again.text
    assert profile_of(platform.store, again.json()["access"])["id"] == first["id"]


def profile_of(store: Store, access: str) -> dict[str, Any]:
    profile = store.call("GET", "/api/v1/auth/me/", headers={"Host": store.host, "Authorization": f"Bearer {access}"})
    assert profile.status_code == 200, profile.text
    body: dict[str, Any] = profile.json()
    return body


def test_a_deleted_stores_client_signs_nobody_in(platform: Platform) -> None:
    provision_on_control_plane(platform)
    browser = requests.Session()
    pending_callback = callback_from_the_platform(platform, browser)  # a code issued before the deletion

    on_control_plane(
        platform.env,
        "from control_plane.oidc.actions import remove_tenant_client\n"
        "from control_plane.tenants.models import Tenant\n"
        f"remove_tenant_client(Tenant.objects.get(slug={platform.store.slug!r}))\n"
        "print('null')\n",
    )

    # The store cannot exchange the code any more: its client is gone.
    refused = platform.store.call("GET", pending_callback)
    assert refused.status_code == 400, refused.text
    assert problem(refused)["code"] == "sso_code_invalid"
    # A signed-in person starting again is stopped at the platform: an unknown client is never redirected to.
    started = platform.store.call("POST", "/api/v1/auth/sso/platform/start/", json={})
    stopped = browser.get(started.json()["authorization_url"], allow_redirects=False, timeout=30)
    assert stopped.status_code == 400
    assert "Location" not in stopped.headers
