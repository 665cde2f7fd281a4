"""The Kubernetes objects of a dedicated-tier tenant, as pure functions of its spec.

No I/O and no Kubernetes client: the kopf handlers apply what these functions return, so
every rule about names, sizes and isolation can be tested without a server.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from tenantry_kernel.provisioning.naming import namespace_name, validate_slug
from tenantry_kernel.provisioning.plans import Plan, Resources, plan_for

API_VERSION = "tenantry.dev/v1alpha1"
APP_NAME = "tenant-app"
MANAGER = "tenantry-operator"
WEB_PORT = 8000
CONFIG_MAP_NAME = "tenant-app-config"
SERVICE_ACCOUNT_NAME = "tenant-app"
TLS_SECRET_NAME = "web-tls"  # noqa: S105 - the name of the certificate Secret, not a password
APP_VERSION_ANNOTATION = "tenantry.dev/app-version"
CONFIG_HASH_ANNOTATION = "tenantry.dev/config-hash"
HPA_CPU_UTILIZATION = 70
RUN_AS_USER = 10001

MIGRATION_BACKOFF_LIMIT = 3
MIGRATION_DEADLINE_SECONDS = 30 * 60
# Long enough for the handlers and people to read the outcome; a re-run is harmless.
MIGRATION_TTL_SECONDS = 24 * 60 * 60

NAMESPACE = ("v1", "Namespace")
SERVICE_ACCOUNT = ("v1", "ServiceAccount")
RESOURCE_QUOTA = ("v1", "ResourceQuota")
LIMIT_RANGE = ("v1", "LimitRange")
NETWORK_POLICY = ("networking.k8s.io/v1", "NetworkPolicy")
CONFIG_MAP = ("v1", "ConfigMap")
SERVICE = ("v1", "Service")
DEPLOYMENT = ("apps/v1", "Deployment")
HORIZONTAL_POD_AUTOSCALER = ("autoscaling/v2", "HorizontalPodAutoscaler")
POD_DISRUPTION_BUDGET = ("policy/v1", "PodDisruptionBudget")
INGRESS = ("networking.k8s.io/v1", "Ingress")
JOB = ("batch/v1", "Job")

# Every kind render_dedicated can produce: the handlers prune MANAGED_KINDS - desired_kinds(spec).
# Migration Jobs are not pruned by kind; ttlSecondsAfterFinished removes them.
MANAGED_KINDS: frozenset[tuple[str, str]] = frozenset(
    {
        NAMESPACE,
        SERVICE_ACCOUNT,
        RESOURCE_QUOTA,
        LIMIT_RANGE,
        NETWORK_POLICY,
        CONFIG_MAP,
        SERVICE,
        DEPLOYMENT,
        HORIZONTAL_POD_AUTOSCALER,
        POD_DISRUPTION_BUDGET,
        INGRESS,
    }
)

WEB_COMMAND = [
    "python",
    "-m",
    "tenantry_kernel.serve",
    "tenant_app.asgi:application",
    "--service",
    APP_NAME,
    "--host",
    "0.0.0.0",  # noqa: S104 - the pod's own interface; the NetworkPolicy limits who reaches it
    "--port",
    str(WEB_PORT),
]
WORKER_COMMAND = ["celery", "-A", "tenant_app", "worker", "--loglevel", "INFO"]
# Beat reads its entries from the tenant's own schema (django-celery-beat), so nothing is
# written to the read-only root filesystem; the worker and beat reach the tenant's own vhost
# through BROKER_URL in the broker Secret.
BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
BEAT_COMMAND = ["celery", "-A", "tenant_app", "beat", "--scheduler", BEAT_SCHEDULER, "--loglevel", "INFO"]
MIGRATE_COMMAND = ["python", "tenant-app/manage.py", "migrate", "--noinput"]


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


@dataclass(frozen=True)
class DedicatedSettings:
    """A Tenant spec with its defaults applied and its replicas clamped to the plan."""

    plan: Plan
    version: str
    replicas_min: int
    replicas_max: int
    suspended: bool
    domains: tuple[str, ...]
    features: tuple[tuple[str, bool], ...]

    @property
    def autoscaled(self) -> bool:
        return not self.suspended and self.replicas_min < self.replicas_max

    @property
    def disruption_budget(self) -> bool:
        return not self.suspended and self.replicas_min >= 2


def resolve_settings(spec: dict[str, Any]) -> DedicatedSettings:
    """Apply the defaults: plan free, version "latest", replicas from the plan unless the spec narrows them."""
    plan = plan_for(str(spec.get("plan") or "free"))
    app = spec.get("app") or {}
    replicas = app.get("replicas") or {}
    # The spec may ask for fewer or more replicas than the plan's defaults, never more than it allows.
    replicas_max = min(int(replicas.get("max", plan.replicas_max)), plan.replicas_max)
    replicas_min = min(int(replicas.get("min", min(plan.replicas_min, replicas_max))), plan.replicas_max)
    replicas_min = max(replicas_min, 1)
    replicas_max = max(replicas_max, replicas_min)
    domains = tuple(str(d).strip().rstrip(".").lower() for d in spec.get("domains") or ())
    features = tuple(sorted((str(k), bool(v)) for k, v in (spec.get("features") or {}).items()))
    return DedicatedSettings(
        plan=plan,
        version=str(app.get("version") or "latest"),
        replicas_min=replicas_min,
        replicas_max=replicas_max,
        suspended=bool(spec.get("suspended", False)),
        domains=domains,
        features=features,
    )


def desired_kinds(spec: dict[str, Any]) -> set[tuple[str, str]]:
    """(apiVersion, kind) of the objects render_dedicated returns for this spec."""
    settings = resolve_settings(spec)
    kinds = set(MANAGED_KINDS)
    if not settings.autoscaled:
        kinds.discard(HORIZONTAL_POD_AUTOSCALER)
    if not settings.disruption_budget:
        kinds.discard(POD_DISRUPTION_BUDGET)
    return kinds


def render_dedicated(
    tenant: TenantRef,
    spec: dict[str, Any],
    placement: Placement,
    secrets: SecretNames,
    config: RenderConfig,
) -> list[dict[str, Any]]:
    """Every object of the tenant's namespace, in an order that is safe to apply one by one.

    The namespace comes first, then the quota, limits and network policies that must be in
    place before any pod starts, then the configuration the pods read, the workloads, and
    finally what routes traffic to them.

    While the web Deployment is autoscaled its `replicas` is left out, so that applying
    the manifest never resets what the HPA chose. An HPA does not scale up from 0: when
    resuming a suspended tenant, the handlers must not leave a stale `replicas: 0` behind
    (server-side apply drops it; a merge patch must set it to replicas_min).
    """
    _require_dedicated(spec)
    slug = validate_slug(tenant.name)
    settings = resolve_settings(spec)
    r = _Renderer(tenant, slug, settings, placement, secrets, config)
    objects = [
        r.namespace(),
        r.service_account(),
        r.resource_quota(),
        r.limit_range(),
        *r.network_policies(),
        r.config_map(),
        r.service(),
        r.deployment("web"),
        r.deployment("worker"),
        r.deployment("beat"),
    ]
    if settings.autoscaled:
        objects.append(r.horizontal_pod_autoscaler())
    if settings.disruption_budget:
        objects.append(r.pod_disruption_budget())
    objects.append(r.ingress())
    return objects


def render_migration_job(
    tenant: TenantRef,
    spec: dict[str, Any],
    placement: Placement,
    secrets: SecretNames,
    config: RenderConfig,
) -> dict[str, Any]:
    """The Job that migrates the tenant's schema to spec.app.version.

    Its name depends on the version and the inputs that change what migrate does, not on
    the generation: re-rendering after an unrelated spec change names the same Job, so the
    handlers do not run migrations twice.
    """
    _require_dedicated(spec)
    slug = validate_slug(tenant.name)
    settings = resolve_settings(spec)
    return _Renderer(tenant, slug, settings, placement, secrets, config).migration_job()


def render_shared_migration_job(
    tenant: TenantRef,
    spec: dict[str, Any],
    placement: Placement,
    secrets: SecretNames,
    config: RenderConfig,
    namespace: str,
) -> dict[str, Any]:
    """The migrations Job of a shared-tier tenant, run in the operator's `namespace`.

    Shared tenants have no namespace, ConfigMap or ServiceAccount of their own: the Job
    takes the tenant's Secrets (kept in `namespace`) and the few settings migrate needs.
    """
    job = render_migration_job(tenant, {**spec, "tier": "dedicated"}, placement, secrets, config)
    slug = validate_slug(tenant.name)
    job["metadata"]["namespace"] = namespace
    job["metadata"]["name"] = f"{slug}-{job['metadata']['name']}"[:63].rstrip("-")
    pod = job["spec"]["template"]["spec"]
    pod.pop("serviceAccountName", None)
    container = pod["containers"][0]
    container["envFrom"] = [ref for ref in container["envFrom"] if "secretRef" in ref]
    container["env"] = [
        {"name": "DJANGO_SETTINGS_MODULE", "value": "tenant_app.settings.production"},
        {"name": "DJANGO_ALLOWED_HOSTS", "value": f"{slug}.{config.base_domain}"},
        {"name": "TENANT_SLUG", "value": slug},
    ]
    return job


def migration_job_name(version: str, config: RenderConfig, placement: Placement, secrets: SecretNames) -> str:
    version_slug = re.sub(r"[^a-z0-9]+", "-", version.lower()).strip("-")[:30].rstrip("-") or "v"
    inputs = {
        "image": config.image,
        "version": version,
        "shard": placement.shard,
        "database_secret": secrets.database,
    }
    digest = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:10]
    return f"migrate-{version_slug}-{digest}"


def _require_dedicated(spec: dict[str, Any]) -> None:
    tier = spec.get("tier", "dedicated")
    if tier != "dedicated":
        raise ValueError(
            f"only dedicated-tier tenants get their own Kubernetes objects; this tenant's tier is {tier!r}"
        )


@dataclass(frozen=True)
class _Renderer:
    tenant: TenantRef
    slug: str
    settings: DedicatedSettings
    placement: Placement
    secrets: SecretNames
    config: RenderConfig

    # --- shared pieces -------------------------------------------------------------------

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
            "tenantry.dev/tenant": self.slug,
            "tenantry.dev/plan": self.settings.plan.name.value,
        }

    def selector(self, component: str) -> dict[str, str]:
        # Selectors are immutable on Deployments: only labels that never change for a workload.
        return {
            "app.kubernetes.io/name": APP_NAME,
            "app.kubernetes.io/instance": self.slug,
            "app.kubernetes.io/component": component,
        }

    def owner_reference(self) -> dict[str, Any]:
        return {
            "apiVersion": API_VERSION,
            "kind": "Tenant",
            "name": self.tenant.name,
            "uid": self.tenant.uid,
            "controller": True,
            "blockOwnerDeletion": True,
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
        meta["ownerReferences"] = [self.owner_reference()]
        return meta

    def config_data(self) -> dict[str, str]:
        hosts = self.hosts
        return {
            "TENANT_SLUG": self.slug,
            "TENANT_PLAN": self.settings.plan.name.value,
            "TENANT_SHARD": self.placement.shard,
            "TENANT_FEATURES": json.dumps(dict(self.settings.features), sort_keys=True, separators=(",", ":")),
            "SERVICE_NAME": APP_NAME,
            "DJANGO_SETTINGS_MODULE": "tenant_app.settings.production",
            "DJANGO_ALLOWED_HOSTS": ",".join(hosts),
            "DJANGO_CSRF_TRUSTED_ORIGINS": ",".join(f"https://{host}" for host in hosts),
            "LOG_LEVEL": "INFO",
            # The role's connection limit, less two for migrations and workers, across the web replicas.
            "DATABASE_POOL_SIZE": str(
                min(10, max(2, (self.settings.plan.db_connection_limit - 2) // self.settings.plan.replicas_max))
            ),
            "OTEL_SERVICE_NAME": APP_NAME,
            "OTEL_RESOURCE_ATTRIBUTES": f"tenantry.tenant={self.slug},tenantry.plan={self.settings.plan.name.value}",
        }

    def pod_spec(self, container: dict[str, Any], *, restart_policy: str = "Always") -> dict[str, Any]:
        container = {
            **container,
            "image": self.image,
            "imagePullPolicy": "Always" if self.settings.version == "latest" else "IfNotPresent",
            "envFrom": [
                {"configMapRef": {"name": CONFIG_MAP_NAME}},
                {"secretRef": {"name": self.secrets.database}},
                {"secretRef": {"name": self.secrets.broker}},
                {"secretRef": {"name": self.secrets.django}},
            ],
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": RUN_AS_USER,
                "runAsGroup": RUN_AS_USER,
                "readOnlyRootFilesystem": True,
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"]},
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],  # noqa: S108
        }
        return {
            "serviceAccountName": SERVICE_ACCOUNT_NAME,
            "automountServiceAccountToken": False,
            "restartPolicy": restart_policy,
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": RUN_AS_USER,
                "runAsGroup": RUN_AS_USER,
                "fsGroup": RUN_AS_USER,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containers": [container],
            "volumes": [{"name": "tmp", "emptyDir": {}}],
        }

    # --- objects -------------------------------------------------------------------------

    def namespace(self) -> dict[str, Any]:
        meta = self.metadata(self.namespace_name, "namespace", namespaced=False)
        meta["labels"]["pod-security.kubernetes.io/enforce"] = "restricted"
        return {"apiVersion": NAMESPACE[0], "kind": NAMESPACE[1], "metadata": meta}

    def service_account(self) -> dict[str, Any]:
        return {
            "apiVersion": SERVICE_ACCOUNT[0],
            "kind": SERVICE_ACCOUNT[1],
            "metadata": self.metadata(SERVICE_ACCOUNT_NAME, "config"),
            "automountServiceAccountToken": False,
        }

    def resource_quota(self) -> dict[str, Any]:
        plan = self.settings.plan
        return {
            "apiVersion": RESOURCE_QUOTA[0],
            "kind": RESOURCE_QUOTA[1],
            "metadata": self.metadata("tenant-quota", "namespace"),
            "spec": {
                "hard": {
                    "requests.cpu": plan.quota_cpu,
                    "limits.cpu": plan.quota_cpu,
                    "requests.memory": plan.quota_memory,
                    "limits.memory": plan.quota_memory,
                    "pods": str(plan.quota_pods),
                    "requests.storage": plan.storage,
                }
            },
        }

    def limit_range(self) -> dict[str, Any]:
        worker = self.settings.plan.worker
        return {
            "apiVersion": LIMIT_RANGE[0],
            "kind": LIMIT_RANGE[1],
            "metadata": self.metadata("tenant-limits", "namespace"),
            "spec": {
                "limits": [
                    {
                        "type": "Container",
                        "default": {"cpu": worker.cpu_limit, "memory": worker.memory_limit},
                        "defaultRequest": {"cpu": worker.cpu_request, "memory": worker.memory_request},
                    }
                ]
            },
        }

    def network_policies(self) -> list[dict[str, Any]]:
        def policy(name: str, component: str, spec: dict[str, Any]) -> dict[str, Any]:
            return {
                "apiVersion": NETWORK_POLICY[0],
                "kind": NETWORK_POLICY[1],
                "metadata": self.metadata(name, component),
                "spec": spec,
            }

        def egress_to(cidrs: tuple[str, ...], port: int) -> dict[str, Any]:
            rule: dict[str, Any] = {}
            if cidrs:
                rule["to"] = [{"ipBlock": {"cidr": cidr}} for cidr in cidrs]
            rule["ports"] = [{"protocol": "TCP", "port": port}]
            return {"podSelector": {}, "policyTypes": ["Egress"], "egress": [rule]}

        return [
            policy("default-deny", "network", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}),
            policy(
                "allow-web-from-ingress",
                "web",
                {
                    "podSelector": {"matchLabels": self.selector("web")},
                    "policyTypes": ["Ingress"],
                    "ingress": [
                        {
                            "from": [
                                {
                                    "namespaceSelector": {
                                        "matchLabels": {"kubernetes.io/metadata.name": self.config.ingress_namespace}
                                    }
                                }
                            ],
                            "ports": [{"protocol": "TCP", "port": WEB_PORT}],
                        }
                    ],
                },
            ),
            policy(
                "allow-dns",
                "network",
                {
                    "podSelector": {},
                    "policyTypes": ["Egress"],
                    "egress": [
                        {
                            "to": [
                                {
                                    "namespaceSelector": {
                                        "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                                    },
                                    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                                }
                            ],
                            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                        }
                    ],
                },
            ),
            policy("allow-database", "network", egress_to(self.config.database_cidrs, self.config.database_port)),
            policy("allow-broker", "network", egress_to(self.config.broker_cidrs, self.config.broker_port)),
        ]

    def config_map(self) -> dict[str, Any]:
        return {
            "apiVersion": CONFIG_MAP[0],
            "kind": CONFIG_MAP[1],
            "metadata": self.metadata(CONFIG_MAP_NAME, "config"),
            "data": self.config_data(),
        }

    def service(self) -> dict[str, Any]:
        return {
            "apiVersion": SERVICE[0],
            "kind": SERVICE[1],
            "metadata": self.metadata("web", "web"),
            "spec": {
                "type": "ClusterIP",
                "selector": self.selector("web"),
                "ports": [{"name": "http", "port": 80, "targetPort": WEB_PORT, "protocol": "TCP"}],
            },
        }

    def deployment(self, component: str) -> dict[str, Any]:
        plan = self.settings.plan
        container: dict[str, Any] = {"name": component}
        spec: dict[str, Any] = {}
        if component == "web":
            container |= {
                "command": list(WEB_COMMAND),
                "ports": [{"name": "http", "containerPort": WEB_PORT, "protocol": "TCP"}],
                "resources": _resources(plan.web),
                "startupProbe": _http_probe("/healthz", period=5, failures=30),
                "livenessProbe": _http_probe("/healthz", period=10, failures=3),
                "readinessProbe": _http_probe("/readyz", period=10, failures=3),
            }
            # Autoscaled: the HPA owns the count (see render_dedicated).
            if not self.settings.autoscaled:
                spec["replicas"] = 0 if self.settings.suspended else self.settings.replicas_min
            spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
        elif component == "worker":
            container |= {"command": list(WORKER_COMMAND), "resources": _resources(plan.worker)}
            spec["replicas"] = 0 if self.settings.suspended else self.settings.replicas_min
            spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
        elif component == "beat":
            # One scheduler only, even during a rollout: two would send every periodic task twice.
            container |= {"command": list(BEAT_COMMAND), "resources": _resources(plan.worker)}
            spec["replicas"] = 0 if self.settings.suspended else 1
            spec["strategy"] = {"type": "Recreate"}
        else:
            raise ValueError(f"unknown workload {component!r}; expected web, worker or beat")

        pod_spec = self.pod_spec(container)
        if component == "worker":
            pod_spec["terminationGracePeriodSeconds"] = 60  # let Celery finish running tasks
        spec |= {
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": self.selector(component)},
            "template": {
                "metadata": {
                    "labels": self.labels(component),
                    "annotations": {
                        APP_VERSION_ANNOTATION: self.settings.version,
                        # The ConfigMap is read at start: a change in it must roll the pods.
                        CONFIG_HASH_ANNOTATION: _digest(self.config_data()),
                    },
                },
                "spec": pod_spec,
            },
        }
        return {
            "apiVersion": DEPLOYMENT[0],
            "kind": DEPLOYMENT[1],
            "metadata": self.metadata(component, component),
            "spec": spec,
        }

    def horizontal_pod_autoscaler(self) -> dict[str, Any]:
        return {
            "apiVersion": HORIZONTAL_POD_AUTOSCALER[0],
            "kind": HORIZONTAL_POD_AUTOSCALER[1],
            "metadata": self.metadata("web", "web"),
            "spec": {
                "scaleTargetRef": {"apiVersion": DEPLOYMENT[0], "kind": DEPLOYMENT[1], "name": "web"},
                "minReplicas": self.settings.replicas_min,
                "maxReplicas": self.settings.replicas_max,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {"type": "Utilization", "averageUtilization": HPA_CPU_UTILIZATION},
                        },
                    }
                ],
            },
        }

    def pod_disruption_budget(self) -> dict[str, Any]:
        return {
            "apiVersion": POD_DISRUPTION_BUDGET[0],
            "kind": POD_DISRUPTION_BUDGET[1],
            "metadata": self.metadata("web", "web"),
            "spec": {"minAvailable": 1, "selector": {"matchLabels": self.selector("web")}},
        }

    def ingress(self) -> dict[str, Any]:
        hosts = self.hosts
        return {
            "apiVersion": INGRESS[0],
            "kind": INGRESS[1],
            "metadata": self.metadata(
                "web", "web", annotations={"cert-manager.io/cluster-issuer": self.config.cluster_issuer}
            ),
            "spec": {
                "ingressClassName": self.config.ingress_class,
                "tls": [{"hosts": hosts, "secretName": TLS_SECRET_NAME}],
                "rules": [
                    {"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": _web_backend()}]}}
                    for host in hosts
                ],
            },
        }

    def migration_job(self) -> dict[str, Any]:
        name = migration_job_name(self.settings.version, self.config, self.placement, self.secrets)
        container = {
            "name": "migrate",
            "command": list(MIGRATE_COMMAND),
            "workingDir": "/app",
            "resources": _resources(self.settings.plan.worker),
        }
        annotations = {APP_VERSION_ANNOTATION: self.settings.version}
        return {
            "apiVersion": JOB[0],
            "kind": JOB[1],
            "metadata": self.metadata(name, "migrate", annotations=annotations),
            "spec": {
                "backoffLimit": MIGRATION_BACKOFF_LIMIT,
                "activeDeadlineSeconds": MIGRATION_DEADLINE_SECONDS,
                "ttlSecondsAfterFinished": MIGRATION_TTL_SECONDS,
                "template": {
                    "metadata": {"labels": self.labels("migrate"), "annotations": annotations},
                    "spec": self.pod_spec(container, restart_policy="Never"),
                },
            },
        }


def _resources(resources: Resources) -> dict[str, Any]:
    return {
        "requests": {"cpu": resources.cpu_request, "memory": resources.memory_request},
        "limits": {"cpu": resources.cpu_limit, "memory": resources.memory_limit},
    }


def _web_backend() -> dict[str, Any]:
    return {"service": {"name": "web", "port": {"name": "http"}}}


def _http_probe(path: str, *, period: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": "http"},
        "periodSeconds": period,
        "timeoutSeconds": 3,
        "failureThreshold": failures,
    }


def _digest(data: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
