"""Error codes of signing in, sessions and two-factor authentication (tenantry_kernel.web.problems).

The identity API (tenantry_kernel.identity.api) answers them in both projects; each project lists only
its own rules beside them: the portal's audience and staff rules, the store's tenant binding and roles.
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
        "challenge_invalid",
        401,
        "Invalid sign-in challenge",
        "The challenge is invalid, expired, answered or for another step; sign in again.",
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
)
