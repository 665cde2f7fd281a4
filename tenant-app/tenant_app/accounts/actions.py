"""Every state change of accounts: sign-up and sign-in, sessions, email verification, passwords, members."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed, ErrorDetail, ValidationError
from rest_framework_simplejwt.exceptions import TokenBackendError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from tenant_app.access.actions import assign_role
from tenant_app.access.models import Role
from tenant_app.accounts import emails
from tenant_app.accounts.models import RefreshFamily, User, normalize_email
from tenant_app.accounts.tokens import FAMILY_CLAIM, TENANT_CLAIM, refresh_token_for, tenant_of
from tenant_app.audit.actions import record_security_event
from tenant_app.audit.models import AuditEventType
from tenant_app.twofactor.challenges import SecondFactorChallenge, challenge_for_sign_in
from tenantry_kernel.web.exceptions import Conflict


@dataclass(frozen=True)
class TokenPair:
    """Signed in: an access token for API calls and a refresh token for the next pair."""

    access: str
    refresh: str

    def as_dict(self) -> dict[str, str]:
        return {"access": self.access, "refresh": self.refresh}


# What a sign-in answers: tokens, or (with 2FA) a challenge to answer first.
SignInResult = TokenPair | SecondFactorChallenge


def _pair(refresh: RefreshToken) -> TokenPair:
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def sign_in(request: HttpRequest, email: str, password: str) -> SignInResult:
    """Password sign-in: tokens, or a second-factor challenge when the user needs one."""
    user = authenticate(request, username=normalize_email(email), password=password)
    if user is None or not user.is_active:
        record_security_event(request, AuditEventType.SIGN_IN_FAILED, subject=email)
        raise AuthenticationFailed("The email or password is wrong.", code="invalid_credentials")
    return complete_sign_in(request, user, method="password")


def complete_sign_in(request: HttpRequest, user: User, *, method: str) -> SignInResult:
    """The first factor passed (a password, or an identity provider): ask for the second or start a session.

    Every way of signing in ends here, so the second-factor policy is enforced once.
    """
    challenge = challenge_for_sign_in(request, user, first_factor=method)
    if challenge is not None:
        return challenge
    return start_session(request, user, method=method)


def start_session(request: HttpRequest, user: User, *, method: str) -> TokenPair:
    meta = request.META
    family = RefreshFamily.objects.create(
        user=user,
        method=method[:60],
        user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:300],
        ip_address=meta.get("REMOTE_ADDR") or None,
    )
    record_security_event(request, AuditEventType.SIGN_IN, actor=user, family=str(family.id), method=method)
    return _pair(refresh_token_for(user, tenant_of(request), str(family.id)))


def _verified_payload(raw: str) -> dict[str, Any]:
    """Signature, expiry and type checked; the blacklist deliberately not (reuse detection)."""
    try:
        # simplejwt annotates the raw token as its own `Token` alias; a str is what it takes.
        payload: dict[str, Any] = token_backend.decode(raw, verify=True)  # type: ignore[arg-type]
    except TokenBackendError as exc:
        raise AuthenticationFailed("The refresh token is invalid or expired.", code="token_invalid") from exc
    if payload.get(api_settings.TOKEN_TYPE_CLAIM) != "refresh":
        raise AuthenticationFailed("A refresh token is needed here.", code="token_invalid")
    return payload


def _family_of(payload: dict[str, Any]) -> RefreshFamily | None:
    """The token's family, locked for this transaction; None for a token without one."""
    try:
        family_id = uuid.UUID(str(payload.get(FAMILY_CLAIM)))
    except ValueError:
        return None
    return RefreshFamily.objects.select_for_update().filter(id=family_id).first()


def rotate(request: HttpRequest, raw: str) -> TokenPair:
    """A new pair for a refresh token used once; a second use revokes its whole family."""
    payload = _verified_payload(raw)
    if payload.get(TENANT_CLAIM) != tenant_of(request):
        raise AuthenticationFailed("This token was issued for another store.", code="token_wrong_tenant")
    with transaction.atomic():
        family = _family_of(payload)
        if family is None or family.revoked_at is not None:
            raise AuthenticationFailed("This session was signed out; sign in again.", code="token_revoked")
        reused = BlacklistedToken.objects.filter(token__jti=payload[api_settings.JTI_CLAIM]).exists()
        if reused:
            revoke_family(family, reason="reuse")  # committed: the error below must not undo it
            record_security_event(request, AuditEventType.TOKEN_REUSED, actor=family.user, family=str(family.id))
        else:
            RefreshToken(raw).blacklist()  # type: ignore[arg-type]
            family.last_used_at = timezone.now()
            family.save(update_fields=["last_used_at"])
            pair = _pair(refresh_token_for(family.user, payload[TENANT_CLAIM], str(family.id)))
    if reused:
        raise AuthenticationFailed(
            "This refresh token was already used; every session it belongs to is now signed out.",
            code="token_reused",
        )
    return pair


def sign_out(request: HttpRequest, raw: str) -> None:
    payload = _verified_payload(raw)
    if payload.get(TENANT_CLAIM) != tenant_of(request):
        raise AuthenticationFailed("This token was issued for another store.", code="token_wrong_tenant")
    with transaction.atomic():
        family = _family_of(payload)
        if family is not None:
            revoke_family(family, reason="sign_out")
            record_security_event(request, AuditEventType.SIGN_OUT, actor=family.user, family=str(family.id))


def revoke_family(family: RefreshFamily, reason: str) -> None:
    if family.revoked_at is None:
        family.revoked_at = timezone.now()
        family.revoked_reason = reason
        family.save(update_fields=["revoked_at", "revoked_reason"])


def revoke_sessions(user: User, reason: str, *, keep: uuid.UUID | None = None) -> int:
    """Sign a user out everywhere (but the session `keep`); their access tokens die with their families."""
    families = RefreshFamily.objects.filter(user=user, revoked_at__isnull=True)
    if keep is not None:
        families = families.exclude(id=keep)
    return families.update(revoked_at=timezone.now(), revoked_reason=reason)


def revoke_session(request: HttpRequest, actor: User, family: RefreshFamily) -> None:
    with transaction.atomic():
        family = RefreshFamily.objects.select_for_update().get(pk=family.pk)
        if family.revoked_at is not None:
            return
        revoke_family(family, reason="revoked" if actor.pk == family.user_id else "revoked_by_admin")
        record_security_event(
            request, AuditEventType.SESSION_REVOKED, actor=actor, subject=family.user.email, family=str(family.id)
        )


def _check_password(password: str, user: User | None = None, field: str = "password") -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError({field: [ErrorDetail(str(m), code="password_weak") for m in exc.messages]}) from exc


def _email_taken(email: str) -> ValidationError:
    return ValidationError(
        {"email": [ErrorDetail("This email already has an account; sign in or reset the password.", "email_taken")]}
    )


def register(request: HttpRequest, *, email: str, password: str, full_name: str = "") -> User:
    """Self sign-up (a storefront customer): the account exists at once, the address is verified by email."""
    email = normalize_email(email)
    _check_password(password, User(email=email, full_name=full_name))
    with transaction.atomic():
        if User.objects.filter(email=email).exists():
            raise _email_taken(email)
        role = Role.objects.filter(slug=settings.ACCOUNTS_SIGNUP_ROLE).first()
        user = User.objects.create_user(email, password, full_name=full_name, role=role)
        record_security_event(request, AuditEventType.USER_REGISTERED, actor=user)
        emails.send_verification(request, user)
    return user


def request_email_verification(request: HttpRequest, user: User) -> None:
    if not user.email_verified:
        emails.send_verification(request, user)


def verify_email(request: HttpRequest, *, uid: str, token: str) -> User:
    user = emails.user_from_link(uid, token, emails.verification_tokens)
    if user is None:
        raise ValidationError(
            {"token": [ErrorDetail("This link is invalid or expired; ask for a new one.", "link_invalid")]}
        )
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    record_security_event(request, AuditEventType.EMAIL_VERIFIED, actor=user)
    return user


def request_password_reset(request: HttpRequest, *, email: str) -> None:
    """Send a reset link if the address has an active account; answer the same either way (no enumeration)."""
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    record_security_event(request, AuditEventType.PASSWORD_RESET_REQUESTED, actor=user, subject=email)
    if user is not None:
        emails.send_password_reset(request, user)


def reset_password(request: HttpRequest, *, uid: str, token: str, password: str) -> User:
    """Set a new password from an emailed link (a reset or an invitation); every session is signed out."""
    user = emails.user_from_link(uid, token, emails.password_tokens)
    if user is None or not user.is_active:
        raise ValidationError(
            {"token": [ErrorDetail("This link is invalid or expired; ask for a new one.", "link_invalid")]}
        )
    _check_password(password, user)
    user.set_password(password)
    # Following the link proved the address is theirs.
    user.email_verified_at = user.email_verified_at or timezone.now()
    user.save(update_fields=["password", "email_verified_at"])
    revoked = revoke_sessions(user, reason="password_reset")
    record_security_event(request, AuditEventType.PASSWORD_RESET, actor=user, sessions_revoked=revoked)
    return user


def change_password(request: HttpRequest, user: User, *, current: str, new: str, session: uuid.UUID | None) -> None:
    """A new password for a signed-in user; every other session is signed out, this one stays."""
    if not user.check_password(current):
        raise ValidationError({"current_password": [ErrorDetail("The current password is wrong.", "wrong_password")]})
    _check_password(new, user, field="new_password")
    user.set_password(new)
    user.save(update_fields=["password"])
    revoked = revoke_sessions(user, reason="password_changed", keep=session)
    record_security_event(request, AuditEventType.PASSWORD_CHANGED, actor=user, sessions_revoked=revoked)


def update_profile(request: HttpRequest, user: User, *, full_name: str) -> User:
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    return user


def invite_user(request: HttpRequest, actor: User, *, email: str, full_name: str = "", role: Role | None) -> User:
    """A member the actor adds: no password until they follow the emailed invitation.

    The role goes through `assign_role`, so an invitation cannot grant more than the actor holds.
    """
    email = normalize_email(email)
    with transaction.atomic():
        if User.objects.filter(email=email).exists():
            raise _email_taken(email)
        user = User.objects.create_user(email, None, full_name=full_name)
        if role is not None:
            assign_role(request, actor, user, role)
            user.refresh_from_db(fields=["role"])
        record_security_event(
            request, AuditEventType.USER_INVITED, actor=actor, subject=email, role=role.slug if role else None
        )
        emails.send_invitation(request, user, invited_by=actor)
    return user


def remind_invitation(user: User, *, origin: str) -> None:
    """Send a member's pending invitation again (the scheduled reminder), with a fresh link to `origin`.

    Whether a reminder is due (and that it goes at most once) is the caller's decision.
    """
    emails.send_invitation_reminder(origin, user)
    record_security_event(None, AuditEventType.INVITATION_REMINDED, subject=user.email)


def update_user(request: HttpRequest, actor: User, user: User, **changes: Any) -> User:
    """Change a member's name, attributes or active flag; deactivating signs them out everywhere."""
    if unknown := set(changes) - {"full_name", "attributes", "is_active"}:
        raise ValueError(f"update_user cannot change {sorted(unknown)}")
    active = changes.pop("is_active", None)
    if active is False:
        user = deactivate_user(request, actor, user)
    elif active is True:
        changes["is_active"] = True  # reactivation is an ordinary change
    changed = [field for field, value in changes.items() if getattr(user, field) != value]
    for field in changed:
        setattr(user, field, changes[field])
    if changed:
        user.save(update_fields=changed)
        record_security_event(
            request, AuditEventType.USER_UPDATED, actor=actor, subject=user.email, fields=sorted(changed)
        )
    return user


def deactivate_user(request: HttpRequest, actor: User, user: User) -> User:
    """Members are deactivated, never deleted: their audit trail keeps its actor."""
    if user.pk == actor.pk:
        raise Conflict("You cannot deactivate your own account; ask another admin.", code="cannot_deactivate_self")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            return user
        if user.role is not None and user.role.slug == "owner":
            owners = User.objects.select_for_update().filter(role__slug="owner", is_active=True)
            if owners.count() <= 1:
                raise Conflict("A store needs an active owner; make someone else owner first.", code="last_owner")
        user.is_active = False
        user.save(update_fields=["is_active"])
        revoked = revoke_sessions(user, reason="deactivated")
        record_security_event(
            request, AuditEventType.USER_DEACTIVATED, actor=actor, subject=user.email, sessions_revoked=revoked
        )
    return user


# Members the platform manages: the control plane decides who belongs to the workspace (its
# member.* events); these actions mirror that here. The platform is the actor, so there is no
# request and no acting user, and its decision is not second-guessed by a member's permissions.


class UnknownRole(LookupError):
    pass


def sync_member(email: str, *, role_slug: str, full_name: str = "") -> User:
    """Make `email` an active member with the role `role_slug` (create, reactivate or re-role).

    Idempotent: the same event applied twice changes nothing the second time.
    """
    email = normalize_email(email)
    with transaction.atomic():
        role = Role.objects.select_for_update().filter(slug=role_slug).first()
        if role is None:
            raise UnknownRole(f"this store has no role {role_slug!r}")
        user = User.objects.select_for_update().filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, None, full_name=full_name, role=role)
            record_security_event(None, AuditEventType.USER_INVITED, subject=email, role=role.slug, source="platform")
            return user
        changed = []
        if not user.is_active:
            user.is_active = True
            changed.append("is_active")
        previous = user.role.slug if user.role is not None else None
        if user.role_id != role.pk:
            user.role = role
            changed.append("role")
        if changed:
            user.save(update_fields=changed)
        if "role" in changed:
            record_security_event(
                None, AuditEventType.ROLE_ASSIGNED, subject=email, previous=previous, role=role.slug, source="platform"
            )
        if "is_active" in changed:
            record_security_event(
                None, AuditEventType.USER_UPDATED, subject=email, fields=["is_active"], source="platform"
            )
    return user


def remove_member(email: str) -> User | None:
    """Deactivate a member the platform removed and end their sessions; None if they were never here."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email=normalize_email(email)).first()
        if user is None or not user.is_active:
            return user
        user.is_active = False
        user.save(update_fields=["is_active"])
        revoked = revoke_sessions(user, reason="removed_by_platform")
        record_security_event(
            None, AuditEventType.USER_DEACTIVATED, subject=user.email, sessions_revoked=revoked, source="platform"
        )
    return user
