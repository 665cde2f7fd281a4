"""What every rendered object shares: the renderer's inputs, names, labels, owner reference and metadata."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tenant_operator.api import API_GROUP, GROUP_VERSION, TENANT_KIND
from tenant_operator.specs.settings import DedicatedSettings, require_dedicated, resolve_settings
from tenantry_kernel.provisioning.naming import namespace_name, validate_slug

APP_NAME = "tenant-app"
MANAGER = "tenantry-operator"
WEB_PORT = 8000
TENANT_LABEL = f"{API_GROUP}/tenant"
APP_VERSION_ANNOTATION = "tenantry.dev/app-version"


@dataclass(frozen=True)
class TenantRef:
    """The Tenant resource (cluster-scoped) that owns every rendered object."""

    name: str
    uid: str
    generation: int


@dataclass(frozen=True)
class RenderConfig:
    base_domain: str  # tenants are served at <slug>.<base_domain>
    image: str  # image repository; the tag is spec.app.version
    ingress_class: str = "nginx"
    cluster_issuer: str = "letsencrypt"
    ingress_namespace: str = "ingress-nginx"
    database_cidrs: tuple[str, ...] = ()
    broker_cidrs: tuple[str, ...] = ()
    database_port: int = 5432
    broker_port: int = 5672


@dataclass(frozen=True)
class Placement:
    shard: str


@dataclass(frozen=True)
class SecretNames:
    """Secrets the handlers create; their data is never rendered here."""

    database: str
    broker: str
    django: str


def owner_reference(tenant: TenantRef) -> dict[str, Any]:
    return {
        "apiVersion": GROUP_VERSION,
        "kind": TENANT_KIND,
        "name": tenant.name,
        "uid": tenant.uid,
        "controller": True,
        "blockOwnerDeletion": True,
    }


@dataclass(frozen=True)
class RenderContext:
    """One dedicated tenant's inputs, checked and resolved once; each kind renders from it."""

    tenant: TenantRef
    slug: str
    settings: DedicatedSettings
    placement: Placement
    secrets: SecretNames
    config: RenderConfig

    @classmethod
    def of(
        cls,
        tenant: TenantRef,
        spec: dict[str, Any],
        placement: Placement,
        secrets: SecretNames,
        config: RenderConfig,
    ) -> RenderContext:
        require_dedicated(spec)
        slug = validate_slug(tenant.name)
        settings = resolve_settings(spec)
        return cls(tenant, slug, settings, placement, secrets, config)

    @property
    def namespace_name(self) -> str:
        return namespace_name(self.slug)

    @property
    def hosts(self) -> list[str]:
        primary = f"{self.slug}.{self.config.base_domain}"
        return list(dict.fromkeys([primary, *self.settings.domains]))

    @property
    def image(self) -> str:
        version = self.settings.version
        separator = "@" if version.startswith("sha256:") else ":"
        return f"{self.config.image}{separator}{version}"

    def labels(self, component: str) -> dict[str, str]:
        return {
            "app.kubernetes.io/name": APP_NAME,
            "app.kubernetes.io/instance": self.slug,
            "app.kubernetes.io/component": component,
            "app.kubernetes.io/managed-by": MANAGER,
            TENANT_LABEL: self.slug,
            "tenantry.dev/plan": self.settings.plan.name.value,
        }

    def selector(self, component: str) -> dict[str, str]:
        # Selectors are immutable on Deployments: only labels that never change for a workload.
        return {
            "app.kubernetes.io/name": APP_NAME,
            "app.kubernetes.io/instance": self.slug,
            "app.kubernetes.io/component": component,
        }

    def metadata(
        self, name: str, component: str, *, namespaced: bool = True, annotations: dict[str, str] | None = None
    ) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": name}
        if namespaced:
            meta["namespace"] = self.namespace_name
        meta["labels"] = self.labels(component)
        if annotations:
            meta["annotations"] = annotations
        meta["ownerReferences"] = [owner_reference(self.tenant)]
        return meta
