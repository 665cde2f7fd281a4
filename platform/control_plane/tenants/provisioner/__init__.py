"""Who makes a tenant real: the `local` backend drives the provisioning library directly, the
`kubernetes` backend writes `Tenant` resources for the operator. `TENANT_PROVISIONER` picks one.

Backends are idempotent: each call brings the outside world to what the record says, so a
retried task (or an ops retry) converges instead of failing on what an earlier try created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from control_plane.tenants.models import Tenant


@dataclass(frozen=True)
class ProvisionOutcome:
    """What a provisioning call achieved: ready now (local) or asked for (kubernetes, the operator follows)."""

    ready: bool
    url: str = ""
    shard: str = ""
    conditions: list[dict[str, Any]] = field(default_factory=list)


class Provisioner(Protocol):
    name: str

    def provision(self, tenant: Tenant) -> ProvisionOutcome:
        """Create or repair everything the tenant needs (its plan, tier and suspension as recorded)."""
        ...

    def apply_plan(self, tenant: Tenant) -> None:
        """Bring limits and sizes to the tenant's (new) plan."""
        ...

    def suspend(self, tenant: Tenant) -> None:
        """Stop serving the tenant; its data stays."""
        ...

    def resume(self, tenant: Tenant) -> None:
        """Serve the suspended tenant again."""
        ...

    def delete(self, tenant: Tenant) -> bool:
        """Remove the tenant honouring `tenant.deletion_policy`; True when it is gone already, False
        when the removal was asked for and finishes later (`tasks.sync_tenant_status` notices)."""
        ...


BACKENDS = {
    "local": "control_plane.tenants.provisioner.local.LocalProvisioner",
    "kubernetes": "control_plane.tenants.provisioner.kubernetes.KubernetesProvisioner",
}


def provisioner(name: str | None = None) -> Provisioner:
    """The backend named by `name` or by the TENANT_PROVISIONER setting."""
    from django.utils.module_loading import import_string

    chosen = name or settings.TENANT_PROVISIONER
    if chosen not in BACKENDS:
        raise ImproperlyConfigured(f"TENANT_PROVISIONER is {chosen!r}; set it to one of: {', '.join(sorted(BACKENDS))}")
    backend: Provisioner = import_string(BACKENDS[chosen])()
    return backend


def condition(type_: str, ok: bool, reason: str, message: str = "") -> dict[str, Any]:
    """A Kubernetes-style condition, the shape both backends record in Tenant.conditions."""
    from django.utils import timezone

    return {
        "type": type_,
        "status": "True" if ok else "False",
        "reason": reason,
        "message": message,
        "lastTransitionTime": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
