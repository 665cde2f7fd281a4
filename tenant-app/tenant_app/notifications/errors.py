"""Error codes of notifications (tenantry_kernel.web.problems)."""

from tenantry_kernel.web.problems import Problem

PROBLEMS = (
    Problem(
        "ticket_invalid",
        401,
        "Invalid ticket",
        "The stream ticket is unknown, expired or used already; ask for a new one.",
    ),
)
