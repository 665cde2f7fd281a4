"""Small helpers the benchmark scripts share (they run as scripts: `python bench/NAME.py`)."""

from __future__ import annotations

import time
from collections.abc import Callable


def percentile(samples: list[float], fraction: float) -> float:
    """The sample at `fraction` (0..1) of the sorted samples, nearest rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(action: Callable[[], object]) -> float:
    """Seconds `action()` took."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started
