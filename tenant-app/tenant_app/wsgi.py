"""WSGI entry point of the Tenantry tenant app (management tools; the servers use ASGI)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenant_app.settings.local")

application = get_wsgi_application()
