"""What a store may be called: the display-name rules the Tenant CRD (as CEL), the operator and the signup share.

A name someone else reads (in the portal, in `kubectl get`, in mails) must show something and must
not carry control characters: a NUL cuts it short in C-based tools, a line break or escape forges log
lines and terminal output.
"""

from __future__ import annotations

import re

# Both patterns read alike in Python's `re` and in RE2 (the API server's CEL `matches`): one character
# class each, `\xHH` escapes, and the other characters as themselves (CEL's "\uXXXX" escapes put them
# into the rule). `matches` finds a match anywhere, as `re.search` does.

# The C0 controls, DEL and the C1 controls: Unicode's category Cc.
CONTROL_CHARACTER = r"[\x00-\x1f\x7f-\x9f]"
# Spaces and the characters that show nothing (zero-width spaces and joiners, the BOM).
_INVISIBLE = " \u00a0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
VISIBLE_CHARACTER = f"[^{_INVISIBLE}]"


def blank_message(field: str) -> str:
    return f"{field} must show at least one visible character; enter the store's name"


def control_character_message(field: str) -> str:
    return f"{field} must not contain control characters such as NUL, tab or a line break; remove them"


def display_name_errors(name: object, field: str = "the display name") -> list[str]:
    """What is wrong with `name` as a store's display name (empty when nothing is)."""
    if not isinstance(name, str):
        return [f"{field} must be text; enter the store's name"]
    errors = []
    if not re.search(VISIBLE_CHARACTER, name):
        errors.append(blank_message(field))
    if re.search(CONTROL_CHARACTER, name):
        errors.append(control_character_message(field))
    return errors
