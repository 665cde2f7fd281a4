"""ASGI entry point of the Tenantry control plane."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "control_plane.settings.local")

application = get_asgi_application()
