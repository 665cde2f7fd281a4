"""WebSocket routes of the tenant app (asgi.py serves them beside Django's HTTP)."""

from __future__ import annotations

from typing import Any

from django.urls import path, re_path

from tenant_app.notifications.consumers import NotificationConsumer, UnknownPath

# Channels routes ASGI applications with Django's path(), whose stubs accept views only.
websocket_urlpatterns: list[Any] = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),  # type: ignore[arg-type]  # an ASGI app (above)
    re_path(r"", UnknownPath.as_asgi()),  # type: ignore[arg-type]  # an ASGI app (above)
]
