"""Error codes of two-factor authentication and sign-in challenges (tenantry_kernel.web.problems).

Raised by the kernel's identity code (tenantry_kernel.identity); the store's own are the tenant binding
of challenges and the rule that a role may require a second factor (tenant_app.accounts.identity).
"""

from tenantry_kernel.web.problems import Problem

PROBLEMS = (
    Problem(
        "challenge_invalid",
        401,
        "Invalid sign-in challenge",
        "The challenge is invalid, expired, answered or for another step; sign in again.",
    ),
    Problem(
        "challenge_wrong_tenant",
        401,
        "Challenge of another store",
        "The sign-in challenge was issued by another store; sign in to this one again.",
    ),
    Problem(
        "two_factor_code_invalid",
        400,
        "Wrong two-factor code",
        "The code from the authenticator app (or the backup code) is wrong; try the current one.",
    ),
    Problem(
        "two_factor_locked",
        429,
        "Two-factor codes locked",
        "Too many wrong codes in a row: codes are refused for a while; retry after Retry-After seconds.",
    ),
    Problem(
        "two_factor_already_enabled",
        409,
        "Two-factor already on",
        "Two-factor authentication is on already; turn it off first to enrol again.",
    ),
    Problem(
        "two_factor_enrolment_not_started",
        409,
        "No two-factor enrolment",
        "No enrolment is under way; start one before confirming it.",
    ),
    Problem("two_factor_not_enabled", 409, "Two-factor not on", "Two-factor authentication is not on for the account."),
    Problem(
        "two_factor_required_by_role",
        409,
        "Two-factor required by role",
        "The user's role requires two-factor authentication, so it cannot be turned off.",
    ),
)
