"""ASGI entry point of the Tenantry tenant app."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenant_app.settings.local")

application = get_asgi_application()
