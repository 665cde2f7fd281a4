"""The portal's account emails and the one-time links in them (tenantry_kernel.identity.links)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string

from tenantry_kernel.identity.links import link_for, verification_tokens
from tenantry_kernel.mail import Email, send_after_commit


def portal_origin(request: HttpRequest | None) -> str:
    """Where links lead: PORTAL_URL when set, else the origin the person reached the API at."""
    if settings.PORTAL_URL:
        return str(settings.PORTAL_URL).rstrip("/")
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return "http://localhost"


def send_verification(request: HttpRequest | None, user: Any) -> None:
    """The confirm-your-address mail, sent by a worker once the transaction commits."""
    link = link_for(portal_origin(request), settings.ACCOUNTS_LINK_PATHS["verify_email"], user, verification_tokens)
    text = render_to_string("accounts/email/verify_email.txt", {"user": user, "link": link})
    send_after_commit(Email(to=user.email, subject="Confirm your email address", text=text))
