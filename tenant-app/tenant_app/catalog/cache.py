"""The storefront's response cache in Redis: per tenant, language, currency and query, never stale after a commit.

**Design.** Every catalog action counts the change in one row (`CatalogVersion.version`) inside its own transaction
(tenant_app.catalog.actions.common), and every cache key carries the version a request read from the database:

    ta:<tenant>:1:storefront:v<version>:<endpoint>:<lang>:<currency>:<hash of the query>

A request reads the version (with the store's settings, in one query) before it looks in the cache. Once a change
has committed, every later request reads the new version and so a key that no earlier page was stored under: a
price update is never served stale, with no race between the commit and an invalidation message. A request that
read the old version before the commit may store a page under the old key; only requests that also read the old
version can be served that page, and they began before the change committed. Keys carry the tenant (the cache's
KEY_FUNCTION, tenant_app.tenancy.cache), so one store's pages are never another's.

Superseded pages would only wait for their TTL; the consumer of the catalog's outbox events (`catalog.changed`,
`cache_subscription` in tenant_app.catalog.events) deletes them sooner: every stored key is listed in a Redis set per
tenant, and the handler deletes the listed keys of older versions. Losing that event (or the set) costs memory for
at most the TTL, never correctness.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache as memoize
from typing import cast

import redis
from django.conf import settings
from django.core.cache import cache

from tenant_app.catalog.models import CatalogVersion

PREFIX = "storefront"
INDEX = "storefront-keys"
# Seconds a page stays cached at most (superseded pages are deleted sooner by the event consumer).
TTL = 300


def page_key(version: int, endpoint: str, language: str, currency: str, query: Iterable[tuple[str, str]]) -> str:
    """The key of one page: the query's parameters sorted, so the same question always finds the same page."""
    canonical = "&".join(f"{name}={value}" for name, value in sorted(query))
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:32]
    return f"{PREFIX}:v{version}:{endpoint}:{language}:{currency}:{digest}"


def version_of(key: str) -> int:
    return int(key.split(":", 2)[1][1:])


def get_page(key: str) -> bytes | None:
    found = cache.get(key)
    return found if isinstance(found, bytes) else None


def store_page(key: str, body: bytes) -> None:
    cache.set(key, body, TTL)
    client = _redis()
    index = cache.make_key(INDEX)
    with client.pipeline(transaction=False) as pipe:
        pipe.sadd(index, key)
        pipe.expire(index, TTL * 2)
        pipe.execute()


def drop_superseded(current: int | None = None) -> int:
    """Delete the pages of versions before `current` (the database's when not given); how many were listed."""
    if current is None:
        current = CatalogVersion.objects.values_list("version", flat=True).get(singleton=True)
    client = _redis()
    index = cache.make_key(INDEX)
    superseded = [key for key in listed_keys() if version_of(key) < current]
    if superseded:
        with client.pipeline(transaction=False) as pipe:
            pipe.delete(*(cache.make_key(key) for key in superseded))
            pipe.srem(index, *superseded)
            pipe.execute()
    return len(superseded)


def listed_keys() -> list[str]:
    """The page keys stored (without the tenant's prefix) and not yet deleted by `drop_superseded`."""
    members = cast(set[bytes], _redis().smembers(cache.make_key(INDEX)))  # the sync client answers a set
    return sorted(member.decode() for member in members)


@memoize
def _redis() -> redis.Redis:
    """The cache's own Redis server, for the key index (Django's cache API has no sets)."""
    return redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
