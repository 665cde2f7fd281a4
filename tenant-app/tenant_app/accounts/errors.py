"""Error codes of store accounts: signing in, sessions and members (tenantry_kernel.web.problems).

Most sign-in codes are raised by the kernel's identity code (tenantry_kernel.identity), which both
projects share; the store's own are the tenant binding of tokens and the member rules.
"""

from tenantry_kernel.web.problems import Problem

PROBLEMS = (
    Problem("invalid_credentials", 401, "Invalid credentials", "The email or password is wrong."),
    Problem("token_invalid", 401, "Invalid refresh token", "The refresh token is invalid or expired; sign in again."),
    Problem("token_revoked", 401, "Session signed out", "The token's session was signed out; sign in again."),
    Problem(
        "token_reused",
        401,
        "Refresh token reused",
        "A used refresh token came back: every session of its family is signed out; sign in again.",
    ),
    Problem(
        "token_wrong_tenant",
        401,
        "Token of another store",
        "The token was issued by another store; sign in to this one.",
    ),
    Problem("last_owner", 409, "Last owner", "The change would leave no owner; make someone else an owner first."),
    Problem(
        "cannot_deactivate_self",
        409,
        "Cannot deactivate yourself",
        "Nobody deactivates their own account; ask another admin.",
    ),
)
