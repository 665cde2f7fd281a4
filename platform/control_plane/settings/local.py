"""Settings of the Tenantry control plane for local."""

from control_plane.settings.base import *  # noqa: F403
from tenantry_kernel.web.local_settings import *  # noqa: F403
