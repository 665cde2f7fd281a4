"""Error codes of signup (tenantry_kernel.web.problems)."""

from tenantry_kernel.web.problems import Problem

PROBLEMS = (
    Problem(
        "idempotency_key_reused",
        422,
        "Idempotency key reused",
        "The Idempotency-Key was sent before with another body; send the same body, or a new key.",
    ),
)
