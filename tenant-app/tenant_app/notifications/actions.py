"""Every state change of notifications: notify people (stored, then pushed once committed), mark them read.

A notification is stored for each recipient in the caller's transaction and pushed to the
channel layer only after it commits, so no client hears of a row that was rolled back; a push
that fails is logged and the rows stay, for the client's next resume or list.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tenant_app.access.models import Role
from tenant_app.access.policy import require
from tenant_app.accounts.models import User
from tenant_app.notifications.messages import push_message
from tenant_app.notifications.models import Notification
from tenant_app.tenancy.channels import tenant_group

logger = logging.getLogger(__name__)

# "order.paid", "product.low_stock": dotted lower-case words, for programs to switch on.
KIND = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
# Pushed through Redis to every listener of a group and kept per recipient: keep it a reference, not a payload.
MAX_DATA_BYTES = 8192

Push = tuple[str, dict[str, Any]]  # (group, channel-layer message)


def _validated(kind: str, title: str, body: str, data: Mapping[str, Any] | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if len(kind) > 60 or not KIND.match(kind):
        errors["kind"] = ["Use up to 60 lower-case letters, digits and underscores in dotted words, e.g. order.paid."]
    if not title.strip() or len(title) > 200:
        errors["title"] = ["Give a title of 1 to 200 characters."]
    plain: dict[str, Any] = dict(data or {})
    try:
        if len(json.dumps(plain).encode()) > MAX_DATA_BYTES:
            errors["data"] = [f"Keep data under {MAX_DATA_BYTES} bytes of JSON: ids and links, not documents."]
    except (TypeError, ValueError):
        errors["data"] = ["Data must be JSON: objects, lists, strings, numbers, booleans and null."]
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "title": title.strip(), "body": body, "data": plain, "created_at": timezone.now()}


def _store(recipients: Iterable[User], fields: dict[str, Any]) -> list[Notification]:
    rows = [Notification(recipient_id=user.pk, **fields) for user in recipients]
    return Notification.objects.bulk_create(rows)  # PostgreSQL returns the ids


def _push_after_commit(pushes: list[Push]) -> None:
    if pushes:
        transaction.on_commit(functools.partial(push, pushes))


def push(pushes: list[Push]) -> None:
    """Send channel-layer messages to their groups now (actions call this once their rows commit)."""
    layer = get_channel_layer()
    if layer is None:
        return

    async def send_all() -> None:
        await asyncio.gather(*(layer.group_send(group, message) for group, message in pushes))

    try:
        async_to_sync(send_all)()
    except Exception:
        # The rows are committed: listeners get them on their next resume, and lists show them.
        logger.exception("could not push %d notification message(s) to the channel layer", len(pushes))


def notify(
    recipients: Iterable[User], kind: str, title: str, body: str = "", data: Mapping[str, Any] | None = None
) -> list[Notification]:
    """Notify these users: one row each, pushed to each user's group."""
    fields = _validated(kind, title, body, data)
    unique = {user.pk: user for user in recipients}
    rows = _store(unique.values(), fields)
    groups = [(tenant_group("user", row.recipient_id), row) for row in rows]
    _push_after_commit([(group, push_message(group, [row])) for group, row in groups])
    return rows


def notify_role(
    role: Role, kind: str, title: str, body: str = "", data: Mapping[str, Any] | None = None
) -> list[Notification]:
    """Notify every active member of a role: one row each, one push to the role's group."""
    fields = _validated(kind, title, body, data)
    rows = _store(User.objects.filter(role=role, is_active=True).only("pk"), fields)
    group = tenant_group("role", role.pk)
    _push_after_commit([(group, push_message(group, rows))] if rows else [])
    return rows


def notify_tenant(kind: str, title: str, body: str = "", data: Mapping[str, Any] | None = None) -> list[Notification]:
    """Notify every active user of the current tenant: one row each, one push to the tenant's group."""
    fields = _validated(kind, title, body, data)
    rows = _store(User.objects.filter(is_active=True).only("pk"), fields)
    group = tenant_group("tenant")
    _push_after_commit([(group, push_message(group, rows))] if rows else [])
    return rows


def mark_read(user: User, notification: Notification) -> Notification:
    """Mark one of the user's notifications read (again is a no-op: the first time it was read is kept)."""
    require(user, "notifications.update", notification)  # one's own only
    now = timezone.now()
    if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now):
        notification.read_at = now
    else:
        notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(user: User, up_to: int | None = None) -> int:
    """Mark the user's unread notifications read, only those up to id `up_to` when given; how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if up_to is not None:
        # What the client has shown, not what arrived since.
        unread = unread.filter(id__lte=up_to)
    return unread.update(read_at=timezone.now())
