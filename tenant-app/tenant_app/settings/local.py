"""Settings of the Tenantry tenant app for local."""

from tenant_app.settings.base import *  # noqa: F403
from tenantry_kernel.web.local_settings import *  # noqa: F403

TENANCY_SERVICE_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
