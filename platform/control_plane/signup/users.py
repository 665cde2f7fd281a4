"""The one call site where signup and invitations create a portal user: the accounts app's
`create_user` (per-field errors, code `email_taken`; the verification mail after commit)."""

from __future__ import annotations

from django.http import HttpRequest

from control_plane.accounts.actions import create_user
from control_plane.accounts.models import User


def create_portal_user(*, email: str, password: str, full_name: str = "", request: HttpRequest | None = None) -> User:
    return create_user(email=email, password=password, full_name=full_name, request=request)
