"""ASGI entry point of the Tenantry tenant app: HTTP goes to Django, WebSockets to Channels consumers."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenant_app.settings.local")

# Sets Django up: the consumers below import models.
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402 - needs Django set up first

from tenant_app.notifications.routing import websocket_urlpatterns  # noqa: E402 - needs Django set up first

application = ProtocolTypeRouter({"http": django_application, "websocket": URLRouter(websocket_urlpatterns)})
