"""Signup budgets per client address and per email, counted in the shared Redis cache."""

from __future__ import annotations

from tenantry_kernel.identity.throttling import PerAddressThrottle
from tenantry_kernel.web.throttling import ClientAddressThrottle


class SignupPerAddressThrottle(ClientAddressThrottle):
    scope = "signup_ip"
    rate_setting = "SIGNUP_RATE_PER_IP"


class SignupPerEmailThrottle(PerAddressThrottle):
    """Signups per email address, whichever client sends them."""

    scope = "signup_email"
    rate_setting = "SIGNUP_RATE_PER_EMAIL"


class SlugCheckPerAddressThrottle(SignupPerAddressThrottle):
    """Availability checks (as someone types) have their own, larger budget."""

    scope = "signup_slug_ip"
    rate_setting = "SIGNUP_SLUG_RATE_PER_IP"
