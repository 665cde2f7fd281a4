"""Error codes of tenants, their members and invitations (tenantry_kernel.web.problems)."""

from tenantry_kernel.web.problems import Problem
from tenantry_kernel.web.tickets import TICKET_INVALID

PROBLEMS = (
    Problem(
        "invalid_transition",
        409,
        "Invalid state transition",
        "The tenant cannot move to that state from its current one.",
    ),
    Problem(
        "tenant_deleted",
        409,
        "Tenant deleted",
        "The tenant is being deleted or is gone; its plan and members no longer change.",
    ),
    Problem("already_member", 409, "Already a member", "The address invited is a member of the tenant already."),
    Problem(
        "invitation_closed", 409, "Invitation closed", "The invitation was accepted or revoked already; send a new one."
    ),
    Problem(
        "tenant_not_ready",
        409,
        "Store not ready",
        "The store is not serving (it is being set up, suspended or deleted); open it once it is ready.",
    ),
    Problem("last_owner", 409, "Last owner", "The change would leave no owner; make someone else an owner first."),
    Problem(
        "too_many_streams",
        429,
        "Too many streams",
        "You hold as many live streams open as you may; close one (or wait Retry-After seconds) first.",
    ),
    TICKET_INVALID,
)
