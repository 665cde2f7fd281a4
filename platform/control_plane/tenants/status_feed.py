"""A tenant's provisioning status as it changes, for live streams (api/stream.py).

The actions that save a status (`lifecycle.transition`, `lifecycle.record_status`) `announce` it with PostgreSQL
NOTIFY, naming the tenant; each server process keeps one LISTEN connection (`StatusHub`), reads a changed
tenant's status once and hands it to that process's streams of the tenant. No stream polls the database.

Why NOTIFY rather than Redis pub/sub: `pg_notify` belongs to the transaction that saves the status, so it is
delivered when, and only when, that transaction commits, and after the change is visible to the read that
follows: no `on_commit` hook to forget, no announcement of a change that was rolled back, no stream reading the
row before the change lands. Redis would add none of that, only a second system on this path.
What a process misses (its LISTEN connection dropped) it makes up for when it reconnects: it reads the status
of every tenant it has streams for again; streams skip what they have sent already (`version`).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

import psycopg
from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection, connections

from control_plane.tenants.models import Tenant, TenantState

logger = logging.getLogger(__name__)

CHANNEL = "tenantry_tenant_status"
LISTEN_TIMEOUT = 10.0  # seconds a new stream waits for its process to listen
# A stream ends after one of these: nothing moves a tenant out of them without someone asking again.
TERMINAL_STATES = frozenset({TenantState.READY, TenantState.FAILED, TenantState.DELETED})
# Connection parameters of Django's that a bare psycopg connection does not take.
_DJANGO_ONLY = ("context", "cursor_factory", "prepare_threshold", "server_side_binding", "pool")


def announce(tenant: Tenant) -> None:
    """Tell the streams of `tenant` that its status changed; call inside the transaction that saves it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, str(tenant.pk)])


def version_of(tenant: Tenant) -> int:
    """The status's event id: its last save, in microseconds (a later save has a larger one)."""
    return int(tenant.updated_at.timestamp() * 1_000_000)


def status_of(tenant: Tenant) -> dict[str, Any]:
    return {
        "slug": tenant.slug,
        "state": tenant.state,
        "state_reason": tenant.state_reason,
        "state_changed_at": tenant.state_changed_at.isoformat().replace("+00:00", "Z"),
        "url": tenant.url or None,
        "conditions": tenant.conditions,
        "observed_generation": tenant.observed_generation,
        "version": version_of(tenant),
    }


def read_status(tenant_id: str) -> dict[str, Any] | None:
    """The tenant's status now (None once the row is gone), outside any request: the connection is let go after."""
    close_old_connections()
    try:
        tenant = Tenant.objects.filter(pk=tenant_id).first()
        return status_of(tenant) if tenant is not None else None
    finally:
        close_old_connections()


def _listen_params() -> dict[str, Any]:
    params: dict[str, Any] = connections["default"].get_connection_params()
    for name in _DJANGO_ONLY:
        params.pop(name, None)
    return params


class StatusHub:
    """One event loop's (a server process's) ear on CHANNEL, and the queues of its streams by tenant id."""

    def __init__(self) -> None:
        self.members: dict[str, set[asyncio.Queue[dict[str, Any]]]] = {}
        self.listening = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def join(self, tenant_id: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        """Hand `queue` the tenant's status from now on; returns once the process listens."""
        self.members.setdefault(tenant_id, set()).add(queue)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._listen())
        # Raises TimeoutError when the database cannot be reached: the stream ends, the client reconnects.
        await asyncio.wait_for(self.listening.wait(), timeout=LISTEN_TIMEOUT)

    def leave(self, tenant_id: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        queues = self.members.get(tenant_id)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self.members[tenant_id]

    async def _listen(self) -> None:
        reconnecting = False
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(**_listen_params(), autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    if reconnecting:
                        # What changed while the process was deaf: read every followed tenant again.
                        for tenant_id in list(self.members):
                            await self._hand(tenant_id)
                    async for notification in conn.notifies():
                        await self._hand(notification.payload)
            except Exception:
                # The process's only ear: it keeps trying (streams catch up when it is back).
                logger.exception("lost the tenant status LISTEN connection; reconnecting in a second")
            self.listening.clear()
            reconnecting = True
            await asyncio.sleep(1)

    async def _hand(self, tenant_id: str) -> None:
        if not self.members.get(tenant_id):
            return
        status = await sync_to_async(read_status, thread_sensitive=False)(tenant_id)
        if status is None:
            return
        for queue in list(self.members.get(tenant_id, ())):
            queue.put_nowait(status)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, StatusHub] = weakref.WeakKeyDictionary()


def hub() -> StatusHub:
    """The hub of the running event loop (a server process has one loop)."""
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = StatusHub()
    return _hubs[loop]
