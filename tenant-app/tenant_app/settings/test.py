"""Settings of the Tenantry tenant app for test."""

from tenantry_kernel import local_services

local_services.load()  # before base: the database settings read PGHOST & co.

from tenant_app.settings.base import *  # noqa: E402, F403
from tenantry_kernel.web.test_settings import *  # noqa: E402, F403

TENANCY_SERVICE_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
