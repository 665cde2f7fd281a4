"""The invitation mail of a tenant's members, rendered by the worker with a token it makes as it sends.

An invitation's token is stored only as its digest, so the raw token exists once, where it is made.
Making it in the request would mean carrying it to the worker through the broker (and the worker's
log lines about the task); instead the task carries the invitation's id, and the worker gives the
invitation a fresh token (`actions.members.issue_invitation_token`, which replaces the stored digest) just
before it renders and sends the mail. The cost: every send, a retry after an SMTP failure or a
message delivered twice, makes a new token and the earlier mail's link stops working, so a person
who receives two mails must use the later one. That is the usual rule for re-sent links, and a
retry's earlier mail most often never left.
"""

from __future__ import annotations

from django.conf import settings

from control_plane.tenants.models import Invitation
from tenantry_kernel.mail import Email


def invitation_email(invitation: Invitation, token: str) -> Email:
    tenant = invitation.tenant
    inviter = invitation.invited_by.email if invitation.invited_by is not None else "Someone"
    link = str(settings.PORTAL_INVITATION_URL).format(token=token)
    return Email(
        to=invitation.email,
        subject=f"You are invited to {tenant.name}",
        text=(
            f"{inviter} invited you to join {tenant.name} as {invitation.role}.\n\n"
            f"Accept the invitation within {settings.TENANT_INVITATION_DAYS} days:\n{link}\n"
        ),
    )
