"""Fan-out inside one server process: one listener on the channel layer for every connection of the process.

Channels' usual way gives each connection a channel of its own in each of its groups: a push to a
group of 500 connections then wakes 500 consumer tasks, each decoding the same message and first
hopping to the thread for sync work. Here the process joins a group once, with one channel of its
own, as soon as one of its connections listens to it, and leaves it when the last one goes; each
push is decoded once and handed to the group's connections (WebSockets and event streams) in turn.
Pushes name their group (`messages.push_message`) because a channel does not say which group a
message came through. What a process was not listening for when it was pushed (no connection in
the group, or a Redis outage) is read back from the database on the client's next resume.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any, Protocol

from channels.layers import get_channel_layer

from tenant_app.notifications.messages import PUSH_TYPE

logger = logging.getLogger(__name__)


class Subscriber(Protocol):
    async def push(self, message: dict[str, Any]) -> None:
        """A push to one of the subscriber's groups (it decides whether it is for its user)."""


class Hub:
    def __init__(self) -> None:
        layer = get_channel_layer()
        if layer is None:
            raise RuntimeError("live notifications need CHANNEL_LAYERS['default']")
        self.layer = layer
        self.channel: str | None = None
        self.members: dict[str, set[Subscriber]] = {}
        self._lock = asyncio.Lock()
        self._receiving: asyncio.Task[None] | None = None

    async def join(self, group: str, subscriber: Subscriber) -> None:
        async with self._lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel()
                self._receiving = asyncio.create_task(self._receive(self.channel))
            members = self.members.setdefault(group, set())
            members.add(subscriber)
            if len(members) == 1:
                await self.layer.group_add(group, self.channel)

    async def leave(self, group: str, subscriber: Subscriber) -> None:
        async with self._lock:
            members = self.members.get(group)
            if members is None or subscriber not in members:
                return
            members.discard(subscriber)
            if not members and self.channel is not None:
                del self.members[group]
                await self.layer.group_discard(group, self.channel)

    async def _receive(self, channel: str) -> None:
        while True:
            try:
                message = await self.layer.receive(channel)
            except Exception:
                # This task is the process's only ear: it keeps listening (missed pushes are resumed).
                logger.exception("could not receive from the channel layer; retrying in a second")
                await asyncio.sleep(1)
                continue
            if message.get("type") != PUSH_TYPE:
                continue
            for subscriber in list(self.members.get(message.get("group", ""), ())):
                try:
                    await subscriber.push(message)
                except Exception:
                    # One broken connection must not keep the push from the others.
                    logger.exception("could not hand a notification push to a connection")


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """The hub of the running event loop (a server process has one loop)."""
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub()
    return _hubs[loop]
