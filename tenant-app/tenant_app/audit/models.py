"""Security events, written once and never changed (the model refuses updates and deletes)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditEventType(models.TextChoices):
    """Every kind of security event; each app adds its own here (no DB choices: adding one needs no migration)."""

    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    TOKEN_REUSED = "token_reused"  # noqa: S105 (an event name, not a secret)
    SESSION_REVOKED = "session_revoked"
    USER_REGISTERED = "user_registered"
    USER_INVITED = "user_invited"
    INVITATION_REMINDED = "invitation_reminded"
    USER_UPDATED = "user_updated"
    USER_DEACTIVATED = "user_deactivated"
    EMAIL_VERIFICATION_REQUESTED = "verification_requested"
    EMAIL_VERIFIED = "email_verified"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"  # noqa: S105 (an event name)
    PASSWORD_RESET = "password_reset"  # noqa: S105 (an event name)
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (an event name)
    TWO_FACTOR_ENABLED = "two_factor_enabled"
    TWO_FACTOR_DISABLED = "two_factor_disabled"
    TWO_FACTOR_FAILED = "two_factor_failed"
    TWO_FACTOR_LOCKED = "two_factor_locked"
    BACKUP_CODE_USED = "backup_code_used"
    BACKUP_CODES_REGENERATED = "backup_codes_regenerated"
    SSO_LINKED = "sso_linked"
    SSO_FAILED = "sso_failed"
    ROLE_CREATED = "role_created"
    ROLE_UPDATED = "role_updated"
    ROLE_DELETED = "role_deleted"
    ROLE_ASSIGNED = "role_assigned"
    POLICY_CREATED = "policy_created"
    POLICY_UPDATED = "policy_updated"
    POLICY_DELETED = "policy_deleted"
    PRODUCT_CREATED = "product_created"
    PRODUCT_UPDATED = "product_updated"
    PRODUCT_PUBLISHED = "product_published"
    PRODUCT_UNPUBLISHED = "product_unpublished"
    CATALOG_CHANGED = "catalog_changed"  # variants, prices, stock, categories, translations, store settings
    PAYMENT_GATEWAY_CONNECTED = "payment_gateway_connected"
    PAYMENT_GATEWAY_DISCONNECTED = "payment_gateway_disconnected"
    PAYMENT_WEBHOOK_REFUSED = "payment_webhook_refused"
    ADDRESS_ADDED = "address_added"
    ADDRESS_UPDATED = "address_updated"
    ADDRESS_DELETED = "address_deleted"
    INVOICE_ISSUED = "invoice_issued"


class AppendOnlyError(Exception):
    """Audit events cannot be changed or deleted."""


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    type = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the actor claimed to be when there is no actor (a failed sign-in).
    subject = models.CharField(max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} at {self.occurred_at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events are append-only")
