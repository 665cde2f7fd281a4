"""Error codes of invoices (tenantry_kernel.web.problems)."""

from tenantry_kernel.web.problems import Problem

PROBLEMS = (
    Problem(
        "order_not_paid",
        409,
        "Order not paid",
        "An invoice is issued once the order is paid; pay the order first.",
    ),
)
