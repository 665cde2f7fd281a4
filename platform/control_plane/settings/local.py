"""Settings of the Tenantry control plane for local."""

from tenantry_kernel import local_services

local_services.load()  # before base: the database settings read PGHOST & co.

from control_plane.settings.base import *  # noqa: E402, F403
from tenantry_kernel.web.local_settings import *  # noqa: E402, F403
