"""Status conditions per the Kubernetes API conventions (type, status, reason, message, times)."""

from __future__ import annotations

import datetime
from typing import Any

TENANT_CONDITIONS = ("Ready", "DatabaseReady", "BrokerReady", "WorkloadReady", "Suspended")


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Conditions:
    """A mutable view of `status.conditions` that keeps lastTransitionTime honest."""

    def __init__(self, existing: list[dict[str, Any]] | None, generation: int) -> None:
        self._by_type = {condition["type"]: dict(condition) for condition in existing or []}
        self.generation = generation

    def set(self, type_: str, status: bool | None, reason: str, message: str = "") -> None:
        value = "Unknown" if status is None else ("True" if status else "False")
        previous = self._by_type.get(type_)
        transition = previous["lastTransitionTime"] if previous and previous.get("status") == value else now()
        self._by_type[type_] = {
            "type": type_,
            "status": value,
            "reason": reason,
            "message": message,
            "lastTransitionTime": transition,
            "observedGeneration": self.generation,
        }

    def get(self, type_: str) -> dict[str, Any] | None:
        return self._by_type.get(type_)

    def is_true(self, type_: str) -> bool:
        condition = self._by_type.get(type_)
        return bool(condition and condition["status"] == "True")

    def as_list(self) -> list[dict[str, Any]]:
        order = {name: index for index, name in enumerate(TENANT_CONDITIONS)}
        return sorted(self._by_type.values(), key=lambda c: (order.get(c["type"], len(order)), c["type"]))
