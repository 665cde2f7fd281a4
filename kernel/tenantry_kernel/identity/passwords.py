"""A password validator Django lacks: a password must not be only spaces (AUTH_PASSWORD_VALIDATORS).

Django's validators pass twelve spaces (long enough, not common, not numeric, like no attribute); no
library adds just this rule, so it is one small class here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class NotOnlyWhitespaceValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if not password.strip():
            raise ValidationError(
                "This password is only spaces; choose one with letters, digits or symbols.",
                code="password_only_whitespace",
            )

    def get_help_text(self) -> str:
        return "Your password can't be only spaces."
