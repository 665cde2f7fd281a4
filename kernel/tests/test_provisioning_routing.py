"""The shared tier's routing table on a real PostgreSQL database."""

import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from psycopg import sql

from tenantry_kernel.provisioning import routing


@pytest.fixture
def shard_dsn() -> Iterator[str]:
    name = f"tenantry_routing_{secrets.token_hex(4)}"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield f"host=127.0.0.1 user=postgres dbname={name}"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_routes_follow_the_hosts_and_the_suspension(shard_dsn: str) -> None:
    routing.ensure_routes(shard_dsn, "acme", ["acme.example.test", "Shop.Acme.TEST"], suspended=False)

    routes = routing.ensure_routes(shard_dsn, "acme", ["acme.example.test"], suspended=True)

    assert routes == [routing.Route("acme.example.test", "acme", "t_acme", "tenant_acme", True)]


def test_a_host_of_another_tenant_is_refused_and_nothing_changes(shard_dsn: str) -> None:
    routing.ensure_routes(shard_dsn, "acme", ["shop.example.test"], suspended=False)

    with pytest.raises(routing.HostTaken, match=r"shop.example.test \(tenant acme\)"):
        routing.ensure_routes(shard_dsn, "bolt", ["bolt.example.test", "shop.example.test"], suspended=False)

    assert routing.routes_of(shard_dsn, "bolt") == []
    assert [route.tenant for route in routing.routes_of(shard_dsn, "acme")] == ["acme"]


def test_delete_removes_only_that_tenant_and_is_repeatable(shard_dsn: str) -> None:
    routing.ensure_routes(shard_dsn, "acme", ["acme.example.test"], suspended=False)
    routing.ensure_routes(shard_dsn, "bolt", ["bolt.example.test"], suspended=False)

    routing.delete_routes(shard_dsn, "acme")
    routing.delete_routes(shard_dsn, "acme")

    assert routing.routes_of(shard_dsn, "acme") == []
    assert len(routing.routes_of(shard_dsn, "bolt")) == 1


def test_many_tenants_routed_at_once_on_a_new_shard_do_not_deadlock(shard_dsn: str) -> None:
    slugs = [f"shop-{index}" for index in range(16)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(lambda slug: routing.ensure_routes(shard_dsn, slug, [f"{slug}.test"], suspended=False), slugs)
        )

    assert [len(routes) for routes in results] == [1] * len(slugs)
