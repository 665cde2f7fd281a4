"""Error codes of tenancy: which store a request is for (tenantry_kernel.web.problems)."""

from tenantry_kernel.web.problems import Problem

PROBLEMS = (
    Problem("tenant_not_found", 404, "Store not found", "No store is served at the request's host; check the address."),
    Problem(
        "tenant_suspended",
        503,
        "Store suspended",
        "The store is suspended; its owner can resume it in the Tenantry portal. Retry after Retry-After seconds.",
    ),
)
