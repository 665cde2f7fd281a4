"""Progress lines for the slow steps of `make up` and `make test`: one line when a step starts, one with its time.

A newcomer on a fresh machine waits minutes for packages, servers and migrations; these lines
say what is happening and how long it took, so a silent terminal never means "stuck".
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


def elapsed(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 60 else f"{int(seconds // 60)} min {int(seconds % 60)} s"


@contextmanager
def step(prefix: str, what: str) -> Iterator[None]:
    """`<prefix>: <what> …` now, and `<prefix>: <what>: done in N s` (or `failed after`) when it ends."""
    print(f"{prefix}: {what} …", flush=True)
    started = time.monotonic()
    try:
        yield
    except BaseException:
        print(f"{prefix}: {what}: failed after {elapsed(time.monotonic() - started)}", file=sys.stderr, flush=True)
        raise
    print(f"{prefix}: {what}: done in {elapsed(time.monotonic() - started)}", flush=True)
