"""WSGI entry point of the Tenantry control plane (management tools; the servers use ASGI)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "control_plane.settings.local")

application = get_wsgi_application()
