from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One recorded change. `actor_email` survives the actor's deletion; `tenant` is a slug, not a key."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_email = models.CharField(max_length=254, blank=True)
    # `<area>.<verb>`, e.g. "tenant.suspended", "member.invited", "admin.change".
    action = models.CharField(max_length=80)
    tenant = models.CharField(max_length=40, blank=True, db_index=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # "portal", "ops", "admin", "stripe", "provisioner", "system"
    source = models.CharField(max_length=20, default="system")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["action", "created_at"])]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_email or self.source} at {self.created_at:%Y-%m-%d %H:%M:%S}"
