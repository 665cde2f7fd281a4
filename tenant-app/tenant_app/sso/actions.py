"""Every state change of SSO: begin a sign-in at a provider, finish it, and link (or create) the account."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from tenant_app.access.models import Role
from tenant_app.accounts.actions import SignInResult, complete_sign_in, revoke_sessions
from tenant_app.accounts.models import User, normalize_email
from tenant_app.audit.actions import record_security_event
from tenant_app.audit.models import AuditEventType
from tenant_app.sso import clients
from tenant_app.sso.clients import Identity
from tenant_app.sso.errors import AccountDisabled, SsoConflict, SsoError
from tenant_app.sso.models import SsoLink
from tenant_app.sso.providers import Provider

# Role of people whose first sign-in creates their account (the storefront's customers), if the store has it.
NEW_ACCOUNT_ROLE = "customer"


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where the client sends the person, and how long the attempt stays valid."""

    authorization_url: str
    state: str
    expires_in: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pending_key(provider: Provider, state: str) -> str:
    # The cache's key function adds the tenant, so a state begun on one store is unknown on any other.
    return f"sso:pending:{provider.name}:{state}"


def begin_sign_in(
    request: HttpRequest, provider: Provider, *, redirect_uri: str, landing: bool = False
) -> AuthorizationRequest:
    """Fresh secrets for one attempt: state (against CSRF), nonce (ID token replay), PKCE verifier (code theft).

    `landing`: a browser began it (the store's sign-in page, sso/api/pages.py): the callback answers it with
    the store's landing page, not with JSON.
    """
    state, nonce, code_verifier = (secrets.token_urlsafe(32) for _ in range(3))
    url = clients.authorization_url(
        provider, redirect_uri=redirect_uri, state=state, nonce=nonce, code_verifier=code_verifier
    )
    pending = {"nonce": nonce, "code_verifier": code_verifier, "redirect_uri": redirect_uri, "landing": landing}
    cache.set(_pending_key(provider, state), pending, timeout=settings.SSO_STATE_TTL)
    return AuthorizationRequest(authorization_url=url, state=state, expires_in=settings.SSO_STATE_TTL)


def finish_sign_in(request: HttpRequest, provider: Provider, *, state: str, code: str, error: str = "") -> SignInResult:
    """The provider sent the person back: who are they here? Then sign in as for a password."""
    user = identify(request, provider, state=state, code=code, error=error)
    return complete_sign_in(request, user, method=f"sso:{provider.name}")


def identify(request: HttpRequest, provider: Provider, *, state: str, code: str, error: str = "") -> User:
    """The account of the person the provider sent back (linked or created), before any session is started."""
    identity: Identity | None = None
    try:
        pending = _take_pending(provider, state)
        if error:
            raise SsoError(f"{provider.label} did not sign you in ({error}); try again.", "sso_denied")
        identity = clients.identity_for_code(
            provider,
            code=code,
            redirect_uri=pending["redirect_uri"],
            nonce=pending["nonce"],
            code_verifier=pending["code_verifier"],
        )
        user = _user_for(request, provider, identity)
        if not user.is_active:
            raise AccountDisabled()
    except SsoError as exc:
        record_security_event(
            request,
            AuditEventType.SSO_FAILED,
            subject=identity.email if identity else "",
            provider=provider.name,
            reason=exc.get_codes(),
        )
        raise
    return user


def is_landing_attempt(provider: Provider, state: str) -> bool:
    """Did a browser begin the attempt `state` names (it is not taken: finish_sign_in takes it)?"""
    pending = cache.get(_pending_key(provider, state)) if state else None
    return isinstance(pending, dict) and bool(pending.get("landing"))


def _take_pending(provider: Provider, state: str) -> dict[str, Any]:
    """The attempt `state` names, at most once: a replayed, forged or expired state, or another store's, finds none."""
    key = _pending_key(provider, state)
    pending = cache.get(key)
    # delete() says whether this call removed the entry, so of two racing callbacks only one goes on.
    if not isinstance(pending, dict) or not cache.delete(key):
        raise SsoError(
            "This sign-in is unknown, expired or already finished; start the sign-in again.", "sso_state_invalid"
        )
    return pending


def _linked_user(provider: Provider, identity: Identity) -> User | None:
    link = SsoLink.objects.select_related("user").filter(provider=provider.name, subject=identity.subject).first()
    return link.user if link else None


def _user_for(request: HttpRequest, provider: Provider, identity: Identity) -> User:
    """The linked user; else the user with that address, if the provider vouches for it; else a new user."""
    if user := _linked_user(provider, identity):
        return user
    if not identity.email:
        raise SsoError(
            f"{provider.label} shared no email address; allow access to it and try again.", "sso_email_missing"
        )
    try:
        with transaction.atomic():
            return _link(request, provider, identity)
    except IntegrityError:
        # A concurrent first sign-in with the same account got there first: its link stands.
        if user := _linked_user(provider, identity):
            return user
        raise SsoConflict("Another sign-in with this address is under way; try again.", "sso_conflict") from None


def _link(request: HttpRequest, provider: Provider, identity: Identity) -> User:
    email = normalize_email(identity.email)
    user = User.objects.select_for_update().filter(email=email).first()
    created, claimed = user is None, False
    if user is None:
        user = User.objects.create_user(
            email,
            None,  # no password: this account signs in through the provider
            full_name=identity.name[:150],
            email_verified_at=timezone.now() if identity.email_verified else None,
            role=Role.objects.filter(slug=NEW_ACCOUNT_ROLE).first(),
        )
    elif not identity.email_verified:
        # Anyone can put any address on an account at some providers: linking would hand this one over.
        raise SsoConflict(
            f"An account with {email} exists and {provider.label} does not confirm that the address is yours; "
            "sign in another way.",
            "email_not_verified",
        )
    elif not user.email_verified:
        _claim_unverified_account(user)
        claimed = True
    SsoLink.objects.create(
        provider=provider.name,
        subject=identity.subject,
        user=user,
        email=email,
        email_verified=identity.email_verified,
    )
    record_security_event(
        request,
        AuditEventType.SSO_LINKED,
        actor=user,
        subject=email,
        provider=provider.name,
        account_created=created,
        unverified_account_claimed=claimed,
    )
    return user


def _claim_unverified_account(user: User) -> None:
    """The provider proved the address, which nobody had: whoever set the account up may not own it.

    Someone can register a victim's address and wait for them to arrive (pre-account hijacking), so the
    account loses its password, other links and sessions; its owner resets the password by email if they
    had one. django-allauth does the same.
    """
    user.set_unusable_password()
    user.email_verified_at = timezone.now()
    user.save(update_fields=["password", "email_verified_at"])
    SsoLink.objects.filter(user=user).delete()
    revoke_sessions(user, reason="email_claimed")
