"""What travels: the message a client gets for a notification, and the channel-layer push behind it.

One push reaches a whole group (a user, a role, the tenant) and names each recipient's own row:
`recipients` maps user id → notification id, so a connection sends only its user's notification
(with the id that user resumes from and marks read) and ignores a push to a group it was left in
after its role changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from tenant_app.notifications.models import Notification

# The channel-layer message type; Channels calls the consumer's `notification_push` for it.
PUSH_TYPE = "notification.push"


def content_of(notification: Notification) -> dict[str, Any]:
    """What every recipient of the same notification shares (JSON-ready: the layer sends msgpack)."""
    return {
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "data": notification.data,
        "created_at": notification.created_at.isoformat(),
    }


def client_message(notification_id: int, content: Mapping[str, Any]) -> dict[str, Any]:
    """`{"type": "notification", "id", "kind", "title", "body", "data", "created_at"}`, as clients receive it."""
    return {"type": "notification", "id": notification_id, **content}


def stored_message(notification: Notification) -> dict[str, Any]:
    return client_message(notification.id, content_of(notification))


def push_message(group: str, rows: Iterable[Notification]) -> dict[str, Any]:
    """One push to `group` for rows of the same notification to several recipients (the same content)."""
    rows = list(rows)
    return {
        "type": PUSH_TYPE,
        "group": group,  # the hub hands it to this group's connections
        "notification": content_of(rows[0]),
        # msgpack maps need string keys to come back as they went.
        "recipients": {str(row.recipient_id): row.id for row in rows},
    }


class Delivery:
    """What one connection (a WebSocket or an event stream) of one user sends: each notification once.

    A connection joins its groups before it reads its backlog, so a notification created in
    between reaches it both ways, in either order: its push may come before the backlog read
    returns, or after. Until the backlog has gone out (`backlog()`, then `release()` until it is
    empty), live notifications are held, and those the backlog also held are dropped; afterwards
    they go out at once, except the late live copy of one the backlog sent. Ids alone would not
    do ("skip ids up to the highest sent"): rows commit in any order, so a smaller id may arrive
    live after a bigger one was read.
    """

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        # Live messages held until the backlog has been sent; None once they go out as they come.
        self._held: list[dict[str, Any]] | None = []
        # Ids the backlog sent whose live copy has not come yet (and is then dropped).
        self._from_backlog: set[int] = set()

    def backlog(self, messages: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """The backlog to send now (all of it); live copies of these, held or still to come, are dropped."""
        messages = list(messages)
        ids = {message["id"] for message in messages}
        if self._held is not None:
            came_live = {message["id"] for message in self._held}
            self._held = [message for message in self._held if message["id"] not in ids]
            ids -= came_live
        self._from_backlog |= ids
        return messages

    def release(self) -> list[dict[str, Any]]:
        """The live messages held while the backlog went out. Call it until it returns nothing: the
        empty answer is also the moment live messages start going out directly, so none is sent
        ahead of one held before it."""
        if not self._held:
            self._held = None
            return []
        held, self._held = self._held, []
        return held

    def live(self, push: Mapping[str, Any]) -> dict[str, Any] | None:
        """The client message for this user in a push, to send now; None when not for them, held or already sent."""
        notification_id = self._new_for_user(push)
        if notification_id is None:
            return None
        message = client_message(notification_id, push["notification"])
        if self._held is not None:
            self._held.append(message)
            return None
        return message

    def live_json(self, push: dict[str, Any]) -> str | None:
        """`live()` as JSON text. The shared content is encoded once per push, not once per connection:
        the hub hands the same push to every connection of the group, so it keeps the encoding in it."""
        if self._held is not None:
            self.live(push)
            return None
        notification_id = self._new_for_user(push)
        if notification_id is None:
            return None
        if "encoded" not in push:
            push["encoded"] = json.dumps(push["notification"])[1:]  # `"kind": …}`, the object's inside and end
        return f'{{"type": "notification", "id": {int(notification_id)}, {push["encoded"]}'

    def _new_for_user(self, push: Mapping[str, Any]) -> int | None:
        notification_id: int | None = push["recipients"].get(str(self.user_id))
        if notification_id is None:
            return None
        if notification_id in self._from_backlog:
            self._from_backlog.discard(notification_id)
            return None
        if self._held is not None and any(message["id"] == notification_id for message in self._held):
            return None
        return notification_id
