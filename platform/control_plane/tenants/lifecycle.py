"""The tenant state machine: which moves are allowed.

pending → provisioning → ready ⇄ suspended
              ↓ ↑
             failed          (any of these) → deleting → deleted
"""

from __future__ import annotations

from control_plane.tenants.models import TenantState as S

ALLOWED: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.PROVISIONING, S.DELETING}),
    S.PROVISIONING: frozenset({S.READY, S.FAILED, S.DELETING}),
    S.FAILED: frozenset({S.PROVISIONING, S.DELETING}),
    S.READY: frozenset({S.SUSPENDED, S.PROVISIONING, S.DELETING}),
    S.SUSPENDED: frozenset({S.READY, S.DELETING}),
    S.DELETING: frozenset({S.DELETED}),
    S.DELETED: frozenset(),
}


def can_move(from_state: str, to_state: str) -> bool:
    return to_state in ALLOWED[from_state]
