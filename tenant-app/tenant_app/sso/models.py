"""Which identity-provider account signs in as which user."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SsoLink(models.Model):
    """An account at a provider (its stable subject id, never its email) bound to one of our users."""

    provider = models.CharField(max_length=40)
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_links")
    # The address the provider gave when the link was made, and whether it vouched for it.
    email = models.EmailField(max_length=254)
    email_verified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "subject"], name="sso_link_one_user_per_account")]

    def __str__(self) -> str:
        return f"{self.provider} account {self.subject} of user {self.user_id}"
