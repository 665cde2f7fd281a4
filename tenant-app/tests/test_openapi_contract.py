"""The tenant app keeps the kernel's OpenAPI contract: a valid schema, every operation documented."""

from tenantry_kernel.testing.openapi_contract import *  # noqa: F403
