"""Development defaults, star-imported by each project's `settings/local.py` and `test.py`."""

from __future__ import annotations

from tenantry_kernel.web.settings import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Only for machines of developers; production refuses to start without its own key.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="tenantry-local-development-only-key-never-use-in-production")
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", ".localhost", "127.0.0.1", "[::1]"])
WHITENOISE_USE_FINDERS = True
# Static files come from the apps through WhiteNoise's finders; nothing is collected.
STATIC_ROOT = None
# Mail is printed by the worker unless an SMTP server is configured.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

__all__ = ["ALLOWED_HOSTS", "DEBUG", "EMAIL_BACKEND", "SECRET_KEY", "STATIC_ROOT", "WHITENOISE_USE_FINDERS"]
