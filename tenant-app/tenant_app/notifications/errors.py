"""Error codes of notifications (tenantry_kernel.web.problems)."""

from tenantry_kernel.web.tickets import TICKET_INVALID

PROBLEMS = (TICKET_INVALID,)
