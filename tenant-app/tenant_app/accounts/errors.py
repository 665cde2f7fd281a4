"""Error codes of the store's own account rules: the tenant binding of tokens and challenges, roles that
require a second factor, and the member rules.

The shared sign-in, session and two-factor codes are the kernel's (tenantry_kernel.identity.errors).
"""

from tenantry_kernel.web.problems import Problem

PROBLEMS = (
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
    Problem(
        "challenge_wrong_tenant",
        401,
        "Challenge of another store",
        "The sign-in challenge was issued by another store; sign in to this one again.",
    ),
    Problem(
        "two_factor_required_by_role",
        409,
        "Two-factor required by role",
        "The user's role requires two-factor authentication, so it cannot be turned off.",
    ),
    Problem(
        "address_limit",
        409,
        "Address book full",
        "The address book holds as many addresses as allowed; delete one before adding another.",
    ),
)
