"""Error codes of the portal's own identity rules: the token audience and staff's second factor.

The shared sign-in, session and two-factor codes are the kernel's (tenantry_kernel.identity.errors).
"""

from tenantry_kernel.web.problems import Problem

PROBLEMS = (
    Problem(
        "token_wrong_audience",
        401,
        "Token not for the portal",
        "The token was issued for another audience (a store); sign in to the portal.",
    ),
    Problem(
        "challenge_wrong_audience",
        401,
        "Challenge not for the portal",
        "The sign-in challenge was issued elsewhere; sign in to the portal again.",
    ),
    Problem(
        "two_factor_required_for_staff",
        409,
        "Two-factor required for staff",
        "Platform staff must keep two-factor authentication on.",
    ),
)
