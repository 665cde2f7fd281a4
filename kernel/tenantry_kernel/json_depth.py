"""How deeply JSON text nests, counted without parsing it: hostile input is refused before any recursion.

Python's json, DRF's serializers and Django's debug pages all recurse once per level; a 2 KB text of a
thousand brackets raises RecursionError. The depth is counted by one regular-expression pass over the
bytes, which skips string literals whole (escapes included), so it never recurses itself. Request bodies
(`tenantry_kernel.web.parsers`) and event envelopes (`tenantry_kernel.events.envelope`) both use it.
"""

from __future__ import annotations

import re

# One token per match: a whole string literal (an unterminated one runs to the end), or one bracket.
# Possessive repeats keep a long string from piling up backtracking state.
_STRING_OR_BRACKET = re.compile(rb'"(?:[^"\\]++|\\.)*+"?|[\[\]{}]', re.DOTALL)
_OPENING = frozenset(b"[{")
_CLOSING = frozenset(b"]}")


def nesting_exceeds(body: bytes, max_depth: int) -> bool:
    """Whether the JSON text `body` opens more than `max_depth` arrays or objects inside one another.

    Brackets inside strings do not count. It stops at the first level too many, so a hostile body costs
    no more than `max_depth` brackets of scanning past its strings.
    """
    depth = 0
    for token in _STRING_OR_BRACKET.finditer(body):
        first = token.group()[0]
        if first in _OPENING:
            depth += 1
            if depth > max_depth:
                return True
        elif first in _CLOSING:
            depth -= 1
    return False
