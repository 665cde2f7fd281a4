"""The portal passes the kernel's identity contract: sign-in, tokens, sessions, two-factor, emailed links."""

from tenantry_kernel.testing.identity_contract import *  # noqa: F403
