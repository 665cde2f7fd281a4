"""Error codes of orders (tenantry_kernel.web.problems); concurrent changes are the kernel's stream_conflict."""

from tenantry_kernel.web.problems import Problem

PROBLEMS = (
    Problem("order_exists", 409, "Order exists", "The order was placed already."),
    Problem("order_not_payable", 409, "Order not payable", "Only a placed order is paid; see the order's status."),
    Problem(
        "order_not_refundable", 409, "Order not refundable", "Only a paid order is refunded; see the order's status."
    ),
    Problem(
        "order_not_cancellable",
        409,
        "Order not cancellable",
        "The order cannot be cancelled in its status (a paid one is refunded instead).",
    ),
)
