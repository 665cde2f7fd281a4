"""Settings of the Tenantry control plane for production."""

from control_plane.settings.base import *  # noqa: F403
from tenantry_kernel.web.production_settings import *  # noqa: F403
