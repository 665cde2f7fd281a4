"""The portal's account emails and the one-time links in them (tenantry_kernel.identity.links), rendered by the worker.

Actions enqueue which mail and whose (`tasks.send_verification_email`: a user id and the portal's origin); the
worker makes the link when it renders the mail, so the link never passes through the broker or a log line.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string

from control_plane.accounts.models import User
from tenantry_kernel.identity.links import link_for, verification_tokens
from tenantry_kernel.mail import Email

logger = logging.getLogger("tenantry.accounts.emails")


def portal_origin(request: HttpRequest | None) -> str:
    """Where links lead: PORTAL_URL when set, else the origin the person reached the API at."""
    if settings.PORTAL_URL:
        return str(settings.PORTAL_URL).rstrip("/")
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return "http://localhost"


def verification_email(user_id: int, origin: str) -> Email | None:
    """The confirm-your-address mail with a fresh link, or None when there is nothing left to confirm."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.email_verified_at is not None:
        logger.info("verification mail not sent: the account is gone or already verified", extra={"user_id": user_id})
        return None
    link = link_for(origin, settings.ACCOUNTS_LINK_PATHS["verify_email"], user, verification_tokens)
    text = render_to_string("accounts/email/verify_email.txt", {"user": user, "link": link})
    return Email(to=user.email, subject="Confirm your email address", text=text)
