"""A store's own credentials against the platform's databases, and Tenant resources claiming what is not theirs.

A tenant's database role signs in to the whole PostgreSQL server, where PUBLIC may connect to every new
database: with it a store could open the platform's database and `postgres` and list every table, schema
and role there. Here that role, provisioned by the real library and with its real password, is refused.
The same attacks run against the other places that close the server: the operator's DatabaseShard
reconcile (operator/tests/test_operator_tenants.py,
test_the_operator_closes_a_shards_server_to_tenant_roles_except_their_own_shard) and the control plane's
local provisioner (platform/tests/test_provisioner_local.py,
test_a_provisioned_stores_role_may_connect_to_its_shard_only).

What the API server refuses (a blank or NUL displayName, a domain of a machine or a cluster) is checked
here on the checked-in CRD's CEL rules. What only the operator can know (the platform's base domain,
another Tenant's domains) and the objects an API server without CEL let through are refused by the
operator with a condition, nothing routed: operator/tests/test_operator_tenants.py,
test_a_domain_under_the_platforms_domain_is_refused_and_nothing_is_created_or_routed,
test_a_domain_another_store_holds_is_refused_keeping_everything_until_it_is_released and
test_a_blank_or_nul_display_name_is_refused_by_the_operator_where_the_api_server_let_it_through.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import celpy
import psycopg
import pytest
import yaml
from celpy.adapter import json_to_cel
from psycopg import sql

from tenantry_kernel.provisioning.database.schemas import ensure_tenant_database
from tenantry_kernel.provisioning.plans import plan_for
from tenantry_kernel.testing.databases import drop_role, new_database, server_conninfo, server_databases_reopened

ROOT = Path(__file__).resolve().parents[2]
TENANT_CRD = ROOT / "crds" / "tenant.yaml"


def refusal(dbname: str) -> str:
    """What PostgreSQL answers a role that signed in (right password) without CONNECT on `dbname`."""
    return re.escape(
        f'FATAL:  permission denied for database "{dbname}"\nDETAIL:  User does not have CONNECT privilege.'
    )


def test_a_stores_role_is_refused_by_the_platforms_database_and_postgres_after_make_services() -> None:
    with ExitStack() as stack:
        stack.enter_context(server_databases_reopened())
        slug = f"attacker-{secrets.token_hex(3)}"
        stack.callback(drop_role, f"tenant_{slug.replace('-', '_')}")  # after the shard database below
        platform = stack.enter_context(new_database(prefix="tenantry_attack_platform"))
        shard = stack.enter_context(new_database(prefix="tenantry_attack_shard"))
        # given the platform's database, holding what a store must not see, and a shard: PUBLIC may connect
        with psycopg.connect(server_conninfo(platform), autocommit=True) as conn:
            conn.execute("CREATE TABLE tenants_tenant (slug text PRIMARY KEY, stripe_customer text)")

        # when `make services` (make up, make test) ensures them
        services = subprocess.run(
            [sys.executable, "dev/services.py", "--databases", platform, shard],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert services.returncode == 0, services.stdout + services.stderr
        # and a store is provisioned on the shard with the real provisioning library
        password = secrets.token_urlsafe(24)
        tenant = ensure_tenant_database(server_conninfo(shard), slug, plan_for("free"), password)

        # then the store's role, with its real password, is refused by the platform's database and postgres
        for dbname in (platform, "postgres"):
            with pytest.raises(psycopg.OperationalError, match=refusal(dbname)):
                psycopg.connect(server_conninfo(dbname, user=tenant.role, password=password)).close()
        # and it still works on its own shard, where it reads nothing in `public` either
        with psycopg.connect(server_conninfo(shard, user=tenant.role, password=password), autocommit=True) as conn:
            assert conn.execute("SELECT current_user, current_schema").fetchone() == (tenant.role, tenant.schema)
            conn.execute("CREATE TABLE orders (id bigint PRIMARY KEY)")
            with pytest.raises(psycopg.errors.InsufficientPrivilege) as public:
                conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("public", "tenantry_routes")))
        assert public.value.diag.message_primary == "permission denied for schema public"


# -- the Tenant resource ---------------------------------------------------------------------------------


def tenant_schema() -> dict[str, Any]:
    """The Tenant CRD's schema as `kubectl apply -f crds/` installs it."""
    crd = yaml.safe_load(TENANT_CRD.read_text())
    schema: dict[str, Any] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


def cel_refusals(schema: dict[str, Any], value: Any) -> list[str]:
    """The messages of the schema node's CEL rules that `value` breaks, as the API server evaluates them."""
    environment = celpy.Environment()
    messages = []
    for validation in schema.get("x-kubernetes-validations", []):
        program = environment.program(environment.compile(validation["rule"]))
        if not program.evaluate({"self": json_to_cel(value)}):
            messages.append(str(validation["message"]))
    return messages


BLANK = "spec.displayName must show at least one visible character; enter the store's name"
CONTROL = "spec.displayName must not contain control characters such as NUL, tab or a line break; remove them"


@pytest.mark.parametrize(
    ("display_name", "refused"),
    [
        pytest.param("", [BLANK], id="empty"),
        pytest.param("   ", [BLANK], id="spaces"),
        pytest.param("\u200b\u3000\ufeff", [BLANK], id="invisible characters"),
        pytest.param("\x00", [CONTROL], id="NUL"),
        pytest.param("Corner Bakery\x00admin", [CONTROL], id="NUL inside"),
        pytest.param("Corner Bakery\r\nX-Forged: yes", [CONTROL], id="line break"),
        pytest.param("Corner Bakery\x1b]8;;https://evil.example\x07", [CONTROL], id="terminal escape"),
    ],
)
def test_the_tenant_crd_refuses_a_blank_or_control_character_display_name(
    display_name: str, refused: list[str]
) -> None:
    # given the displayName of the Tenant CRD installed on the API server
    schema = tenant_schema()["properties"]["spec"]["properties"]["displayName"]

    # when a Tenant names its store so, its CEL rules run
    refusals = cel_refusals(schema, display_name)

    # then the API server refuses it, saying why
    assert refusals == refused
    assert cel_refusals(schema, "Corner Bakery") == []


@pytest.mark.parametrize("domain", ["admin.localhost", "kubernetes.default.svc.cluster.local", "vault.internal"])
def test_the_tenant_crd_refuses_a_domain_of_a_machine_or_a_cluster(domain: str) -> None:
    # given the items of spec.domains in the installed Tenant CRD
    schema = tenant_schema()["properties"]["spec"]["properties"]["domains"]["items"]

    # when a Tenant claims a host name that resolves inside the cluster or a machine
    refusals = cel_refusals(schema, domain)

    # then the API server refuses it (the base domain and other Tenants' domains are the operator's to refuse)
    assert refusals == [
        "each of spec.domains must be a public host name; names under .localhost, .local, .internal, .arpa "
        "never reach a store: remove it"
    ]
    assert cel_refusals(schema, "shop.example.com") == []
