"""State changes of accounts that are the workspace's own: sign-up of customers, members (invited, updated,
deactivated, or mirrored from the platform), and the session calls of single sign-on and member management.

Sign-in, sessions, two-factor, emailed links and passwords are the kernel's identity API
(tenantry_kernel.identity.api) bound to this tenant in `accounts.identity`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.exceptions import ErrorDetail, ValidationError

from tenant_app.access.actions import assign_role
from tenant_app.access.models import Role
from tenant_app.access.policy import Context, require
from tenant_app.accounts import emails, tasks
from tenant_app.accounts.emails import AccountMail
from tenant_app.accounts.identity import identity
from tenant_app.accounts.models import MAX_ADDRESSES_PER_USER, Address, RefreshFamily, User, normalize_email
from tenant_app.audit.actions import record_security_event
from tenant_app.audit.models import AuditEventType
from tenantry_kernel.addresses import FIELDS as ADDRESS_FIELDS
from tenantry_kernel.addresses import AddressError, normalize_address
from tenantry_kernel.celery import enqueue_on_commit
from tenantry_kernel.identity import sessions, signin
from tenantry_kernel.identity.accounts import check_new_password
from tenantry_kernel.identity.signin import SignInResult
from tenantry_kernel.identity.tokens import TokenPair
from tenantry_kernel.web.exceptions import Conflict

__all__ = ["SignInResult", "TokenPair"]


def complete_sign_in(request: HttpRequest, user: User, *, method: str) -> SignInResult:
    """The first factor passed (a password, or an identity provider): ask for the second or start a session.

    Every way of signing in ends here, so the second-factor policy is enforced once.
    """
    return signin.complete_sign_in(identity, request, user, method=method)


def revoke_sessions(user: User, reason: str, *, keep: uuid.UUID | None = None) -> int:
    """Sign a user out everywhere (but the session `keep`); their access tokens die with their families."""
    return sessions.revoke_sessions(identity, user, reason, keep=keep)


def revoke_session(request: HttpRequest, actor: User, family: RefreshFamily) -> None:
    sessions.revoke_session(identity, request, actor, family)


def _mail(mail: AccountMail, user: User, origin: str, invited_by: User | None = None) -> None:
    """Send an account mail once the transaction commits; the worker makes its link (accounts.emails)."""
    enqueue_on_commit(tasks.send_account_email, mail.value, user.pk, origin, invited_by.pk if invited_by else None)


def _email_taken(email: str) -> ValidationError:
    return ValidationError(
        {"email": [ErrorDetail("This email already has an account; sign in or reset the password.", "email_taken")]}
    )


def register(request: HttpRequest, *, email: str, password: str, full_name: str = "") -> User:
    """Self sign-up (a storefront customer): the account exists at once, the address is verified by email."""
    email = normalize_email(email)
    check_new_password(password, User(email=email, full_name=full_name))
    with transaction.atomic():
        if User.objects.filter(email=email).exists():
            raise _email_taken(email)
        role = Role.objects.filter(slug=settings.ACCOUNTS_SIGNUP_ROLE).first()
        # The language they signed up in (LocaleMiddleware's choice among LANGUAGES) is the one of their emails.
        language = translation.get_language_from_request(request) if request is not None else ""
        user = User.objects.create_user(email, password, full_name=full_name, role=role, language=language)
        record_security_event(request, AuditEventType.USER_REGISTERED, actor=user)
        _mail(AccountMail.VERIFY_EMAIL, user, emails.origin_of(request))
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
        _mail(AccountMail.INVITATION, user, emails.origin_of(request), invited_by=actor)
    return user


def remind_invitation(user: User, *, origin: str) -> None:
    """Send a member's pending invitation again (the scheduled reminder), with a fresh link to `origin`.

    Whether a reminder is due (and that it goes at most once) is the caller's decision.
    """
    _mail(AccountMail.INVITATION_REMINDER, user, origin)
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


# ---- The shopper's address book ------------------------------------------------------------
# Every address is checked and cleaned by the kernel's rules for its country (tenantry_kernel.addresses); a
# shopper keeps at most MAX_ADDRESSES_PER_USER, and at most one default for shipping and one for billing.
# Addresses are the owner's alone (access.permission_catalog.SELF_SERVICE): no role reaches another's.


def _checked_address(data: Mapping[str, Any]) -> dict[str, str]:
    """The address cleaned for its country, or a 400 naming each bad field (messages in the request's language)."""
    try:
        return normalize_address(data)
    except AddressError as invalid:
        raise ValidationError(
            {
                field: [ErrorDetail(gettext(message), code) for code, message in problems]
                for field, problems in invalid.errors.items()
            }
        ) from None


def _take_defaults(owner: User, *, shipping: bool, billing: bool, keep: int | None = None) -> None:
    """The owner's other addresses stop being the default for what this one becomes the default of."""
    others = Address.objects.filter(owner=owner)
    if keep is not None:
        others = others.exclude(pk=keep)
    if shipping:
        others.filter(is_default_shipping=True).update(is_default_shipping=False)
    if billing:
        others.filter(is_default_billing=True).update(is_default_billing=False)


def add_address(
    request: HttpRequest | None,
    actor: User,
    data: Mapping[str, Any],
    *,
    default_shipping: bool = False,
    default_billing: bool = False,
) -> Address:
    """Add an address to the actor's book; their first one becomes both defaults."""
    require(actor, "addresses.create", context=Context.of(request))
    fields = _checked_address(data)
    with transaction.atomic():
        owner = User.objects.select_for_update().get(pk=actor.pk)  # one writer per book: the limit holds
        count = Address.objects.filter(owner=owner).count()
        if count >= MAX_ADDRESSES_PER_USER:
            raise Conflict(
                gettext("An address book holds at most %(limit)d addresses; delete one you no longer use first.")
                % {"limit": MAX_ADDRESSES_PER_USER},
                code="address_limit",
            )
        shipping, billing = default_shipping or count == 0, default_billing or count == 0
        _take_defaults(owner, shipping=shipping, billing=billing)
        address = Address.objects.create(
            owner=owner, **fields, is_default_shipping=shipping, is_default_billing=billing
        )
        record_security_event(request, AuditEventType.ADDRESS_ADDED, actor=actor, address_id=address.pk)
    return address


def update_address(
    request: HttpRequest | None,
    actor: User,
    address: Address,
    changes: Mapping[str, Any],
    *,
    default_shipping: bool | None = None,
    default_billing: bool | None = None,
) -> Address:
    """Change some of an address's fields (the whole address is checked again) or make it a default."""
    require(actor, "addresses.update", address, Context.of(request))
    with transaction.atomic():
        User.objects.select_for_update().get(pk=address.owner_id)
        address = Address.objects.select_for_update().get(pk=address.pk)
        fields = _checked_address({field: getattr(address, field) for field in ADDRESS_FIELDS} | dict(changes))
        changed = [field for field, value in fields.items() if getattr(address, field) != value]
        for field in changed:
            setattr(address, field, fields[field])
        for flag, wanted in (("is_default_shipping", default_shipping), ("is_default_billing", default_billing)):
            if wanted is not None and getattr(address, flag) != wanted:
                setattr(address, flag, wanted)
                changed.append(flag)
        _take_defaults(address.owner, shipping=bool(default_shipping), billing=bool(default_billing), keep=address.pk)
        if changed:
            address.save(update_fields=[*changed, "updated_at"])
            record_security_event(
                request, AuditEventType.ADDRESS_UPDATED, actor=actor, address_id=address.pk, fields=sorted(changed)
            )
    return address


def delete_address(request: HttpRequest | None, actor: User, address: Address) -> None:
    """Remove an address from the book; if it was a default, the shopper picks another."""
    require(actor, "addresses.delete", address, Context.of(request))
    with transaction.atomic():
        address_id = address.pk
        Address.objects.filter(pk=address_id).delete()
        record_security_event(request, AuditEventType.ADDRESS_DELETED, actor=actor, address_id=address_id)
