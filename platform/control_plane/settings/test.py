"""Settings of the Tenantry control plane for test."""

from control_plane.settings.base import *  # noqa: F403
from tenantry_kernel.web.test_settings import *  # noqa: F403
