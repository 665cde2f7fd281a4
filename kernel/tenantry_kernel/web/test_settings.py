"""Test defaults, star-imported by each project's `settings/test.py`."""

from __future__ import annotations

from tenantry_kernel.web.local_settings import ALLOWED_HOSTS, SECRET_KEY, STATIC_ROOT, WHITENOISE_USE_FINDERS

DEBUG = False
# Hashing strength is not what tests measure.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

__all__ = ["ALLOWED_HOSTS", "DEBUG", "PASSWORD_HASHERS", "SECRET_KEY", "STATIC_ROOT", "WHITENOISE_USE_FINDERS"]
