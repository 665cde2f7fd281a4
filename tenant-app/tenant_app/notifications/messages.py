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
    """What one connection (a WebSocket or an event stream) of one user has sent.

    The connection joins its groups before it reads the backlog, so a notification created in
    between arrives both ways: the live copy of one sent from the backlog is dropped. Ids alone
    would not do ("skip ids up to the highest sent"): rows commit in any order, so a smaller id
    may arrive live after a bigger one was read.
    """

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        self._from_backlog: set[int] = set()

    def backlog(self, messages: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        messages = list(messages)
        self._from_backlog.update(message["id"] for message in messages)
        return messages

    def live(self, push: Mapping[str, Any]) -> dict[str, Any] | None:
        """The client message for this user in a push, or None (not for them, or already sent)."""
        notification_id = self._new_for_user(push)
        return None if notification_id is None else client_message(notification_id, push["notification"])

    def live_json(self, push: dict[str, Any]) -> str | None:
        """`live()` as JSON text. The shared content is encoded once per push, not once per connection:
        the hub hands the same push to every connection of the group, so it keeps the encoding in it."""
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
        return notification_id
