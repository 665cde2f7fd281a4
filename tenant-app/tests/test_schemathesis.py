"""Schemathesis against the served app's own schema: every operation, no 5xx, answers as documented.

The app runs under uvicorn on the test database; the calls go to a real tenant's host as its
owner. Whatever the schema holds when the test runs is tested, so new endpoints are covered
as they land; most generated inputs are wrong on purpose and must get a documented 4xx.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.contrib.auth import get_user_model

from tenant_app import celery_app
from tenant_app.access.models import Role
from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.testing import ServedApp, delete_queue, serve_app

from .conftest import ShardTenant, served_database_env

TENANT_APP = Path(__file__).resolve().parents[1]
SETTINGS = "tenant_app.settings.test"
PASSWORD = "a long enough passphrase"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# Per operation and phase; keeps the whole run near half a minute.
MAX_EXAMPLES = 5
ONE_SESSION = r"/sessions/\{"


@pytest.fixture
def served(shard: tuple[str, list[ShardTenant]]) -> Iterator[ServedApp]:
    env = {
        **served_database_env(),
        # Budgets are tested elsewhere; here they would only turn later calls into 429s.
        "API_RATE_PER_USER": "100000/min",
        "API_RATE_PER_TENANT": "100000/min",
        # The endpoints' own budgets too, so generated calls reach the code rather than a 429.
        **{f"API_RATE_{scope}": "100000/min" for scope in ("SIGN_IN", "TWO_FACTOR", "SSO", "ACCOUNT_EMAIL")},
        "API_RATE_ACCOUNT_EMAIL_ADDRESS": "100000/min",
        "WEB_CONCURRENCY": "2",
        # Mail it enqueues (sign-ups, resets) goes to a queue of its own, deleted afterwards.
        "CELERY_DEFAULT_QUEUE": f"schemathesis-{secrets.token_hex(4)}",
    }
    try:
        with serve_app("tenant_app.asgi:application", "tenant-app", SETTINGS, str(TENANT_APP), env) as app:
            yield app
    finally:
        delete_queue(celery_app, env["CELERY_DEFAULT_QUEUE"])


@pytest.fixture
def owner_token(shard: tuple[str, list[ShardTenant]], served: ServedApp) -> str:
    alpha = shard[1][0]
    with tenant_transaction(alpha.route):
        owner = Role.objects.get(slug="owner")
        # The store's own choice, so that a password alone signs its owner in.
        Role.objects.filter(pk=owner.pk).update(requires_two_factor=False)
        get_user_model().objects.create_user("owner@example.test", PASSWORD, role=owner, is_staff=True)
    response = requests.post(
        f"{served.base_url}/api/v1/auth/sign-in/",
        json={"email": "owner@example.test", "password": PASSWORD},
        headers={"Host": alpha.host},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access"]
    return token


def served_schema(served: ServedApp, host: str, folder: Path) -> Path:
    """The schema the server serves, in a file: schemathesis gives a schema URL 10 s, which a cold process's first
    generation can take on a loaded machine (the test is about the answers, not the schema's speed)."""
    response = requests.get(f"{served.base_url}/api/schema/?format=json", headers={"Host": host}, timeout=120)
    assert response.status_code == 200, response.text[:2000]
    schema = folder / "schema.json"
    schema.write_bytes(response.content)
    return schema


def schemathesis(
    served: ServedApp, host: str, token: str, cwd: Path, *options: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *(sys.executable, "-m", "schemathesis.cli", "run", str(served_schema(served, host, cwd))),
            *("--url", served.base_url),
            *("--header", f"Host: {host}", "--header", f"Authorization: Bearer {token}"),
            *("--checks", CHECKS, "--max-examples", str(MAX_EXAMPLES), "--workers", "2"),
            *("--phases", "examples,coverage,fuzzing", "--request-timeout", "10", "--generation-database", "none"),
            *("--no-color", *options),
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_every_operation_answers_as_the_schema_says(
    shard: tuple[str, list[ShardTenant]], served: ServedApp, owner_token: str, tmp_path: Path
) -> None:
    alpha = shard[1][0]

    # Revoking one session can hit the run's own (its id is in GET /auth/sessions/): those go last.
    runs = [
        schemathesis(served, alpha.host, owner_token, tmp_path, "--exclude-path-regex", ONE_SESSION),
        schemathesis(served, alpha.host, owner_token, tmp_path, "--include-path-regex", ONE_SESSION),
    ]

    # The server's side of any failure: its error records carry the tracebacks.
    server_errors = [str(record) for record in served.records() if record.get("level") == "ERROR"]
    for run in runs:
        assert run.returncode == 0, "\n".join([run.stdout[-20000:], run.stderr[-5000:], *server_errors[-5:]])
