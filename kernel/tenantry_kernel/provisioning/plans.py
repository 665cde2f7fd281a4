"""What each plan gets: database connections, broker limits, workload sizes and quotas.

The single table that the database, broker and Kubernetes rendering all read, so a plan
change resizes everything consistently.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PlanName(StrEnum):
    FREE = "free"
    STARTER = "starter"
    GROWTH = "growth"
    ENTERPRISE = "enterprise"


@dataclass(frozen=True)
class Resources:
    cpu_request: str
    memory_request: str
    cpu_limit: str
    memory_limit: str


@dataclass(frozen=True)
class Plan:
    name: PlanName
    db_connection_limit: int
    broker_max_connections: int
    broker_max_queues: int
    web: Resources
    worker: Resources
    replicas_min: int
    replicas_max: int
    quota_cpu: str  # namespace ResourceQuota: requests.cpu and limits.cpu
    quota_memory: str
    quota_pods: int
    storage: str  # requests.storage in the namespace


PLANS: dict[PlanName, Plan] = {
    PlanName.FREE: Plan(
        PlanName.FREE, 5, 10, 20,
        web=Resources("50m", "192Mi", "500m", "384Mi"),
        worker=Resources("25m", "160Mi", "250m", "320Mi"),
        replicas_min=1, replicas_max=1,
        quota_cpu="2", quota_memory="2Gi", quota_pods=8, storage="1Gi",
    ),
    PlanName.STARTER: Plan(
        PlanName.STARTER, 15, 30, 50,
        web=Resources("100m", "256Mi", "1", "512Mi"),
        worker=Resources("50m", "192Mi", "500m", "384Mi"),
        replicas_min=1, replicas_max=3,
        quota_cpu="4", quota_memory="4Gi", quota_pods=16, storage="5Gi",
    ),
    PlanName.GROWTH: Plan(
        PlanName.GROWTH, 40, 100, 200,
        web=Resources("250m", "384Mi", "2", "1Gi"),
        worker=Resources("100m", "256Mi", "1", "768Mi"),
        replicas_min=2, replicas_max=8,
        quota_cpu="16", quota_memory="16Gi", quota_pods=40, storage="25Gi",
    ),
    PlanName.ENTERPRISE: Plan(
        PlanName.ENTERPRISE, 100, 400, 1000,
        web=Resources("500m", "512Mi", "4", "2Gi"),
        worker=Resources("250m", "384Mi", "2", "1Gi"),
        replicas_min=3, replicas_max=20,
        quota_cpu="64", quota_memory="64Gi", quota_pods=120, storage="100Gi",
    ),
}  # fmt: skip


def plan_for(name: str) -> Plan:
    try:
        return PLANS[PlanName(name)]
    except ValueError:
        raise ValueError(f"unknown plan {name!r}; expected one of {', '.join(p.value for p in PlanName)}") from None
