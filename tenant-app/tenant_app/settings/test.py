"""Settings of the Tenantry tenant app for test."""

import os

from tenantry_kernel import local_services

local_services.load()  # before base: the database settings read PGHOST & co.

from tenant_app.settings.base import *  # noqa: E402, F403
from tenantry_kernel.web.test_settings import *  # noqa: E402, F403

TENANCY_SERVICE_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]

# A test database of this run's own (pytest-django makes and drops it): runs side by side on one
# server (two checkouts, two sessions) never drop each other's.
DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
