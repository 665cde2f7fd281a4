"""The control-plane passes the kernel's web contract: probes, request ids, JSON logs, metrics, traces."""

from tenantry_kernel.testing.web_contract import *  # noqa: F403
