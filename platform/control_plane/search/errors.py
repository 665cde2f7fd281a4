"""Error codes of the global search API (tenantry_kernel.web.problems)."""

from tenantry_kernel.web.problems import Problem

PROBLEMS = (
    Problem(
        "invalid_cursor", 400, "Invalid cursor", "The cursor is not one this API gave out; page again from the start."
    ),
)
