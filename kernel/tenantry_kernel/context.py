"""Per-request (or per-task) context that logs, metrics and traces read.

Context variables rather than thread locals, so the values follow a request through
asyncio tasks and asgiref's sync/async bridges.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("tenantry_request_id", default=None)
tenant_var: ContextVar[str | None] = ContextVar("tenantry_tenant", default=None)

# A client-supplied request id is only trusted when it is short and printable, so it
# cannot smuggle newlines or megabytes into our logs.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:/+=-]{1,128}$")


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(candidate: str | None) -> str:
    """Return the caller's request id when it is safe to log, else a fresh one."""
    if candidate and _SAFE_REQUEST_ID.match(candidate):
        return candidate
    return new_request_id()


def current_request_id() -> str | None:
    return request_id_var.get()


def current_tenant() -> str | None:
    return tenant_var.get()


@contextmanager
def bound_request_id(request_id: str) -> Iterator[str]:
    token = request_id_var.set(request_id)
    try:
        yield request_id
    finally:
        request_id_var.reset(token)


@contextmanager
def bound_tenant(slug: str | None) -> Iterator[str | None]:
    """Mark the tenant that the enclosed work is done for (logs carry it)."""
    token = tenant_var.set(slug)
    try:
        yield slug
    finally:
        tenant_var.reset(token)
