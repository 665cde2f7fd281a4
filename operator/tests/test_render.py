"""The dedicated tier's Kubernetes objects, rendered from a Tenant spec without any server."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tenant_operator.specs.common import Placement, RenderConfig, SecretNames, TenantRef
from tenant_operator.specs.dedicated import MANAGED_KINDS, desired_kinds, render_dedicated
from tenant_operator.specs.job import render_migration_job
from tenantry_kernel.provisioning.naming import InvalidSlug
from tenantry_kernel.provisioning.plans import plan_for

TENANT = TenantRef(name="acme", uid="6f1c2a9e-0000-4000-8000-000000000001", generation=3)
PLACEMENT = Placement(shard="eu-1")
SECRETS = SecretNames(database="tenant-db", broker="tenant-broker", django="tenant-django")
CONFIG = RenderConfig(
    base_domain="tenantry.example",
    image="ghcr.io/tenantry/tenantry",
    database_cidrs=("10.20.0.0/24", "10.21.0.5/32"),
    broker_cidrs=("10.30.0.0/24",),
)
TENANT_LABELS = {
    "app.kubernetes.io/name": "tenant-app",
    "app.kubernetes.io/instance": "acme",
    "app.kubernetes.io/managed-by": "tenantry-operator",
    "tenantry.dev/tenant": "acme",
}


def make_spec(**overrides: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "displayName": "ACME Corp",
        "plan": "growth",
        "tier": "dedicated",
        "owner": {"email": "owner@acme.example", "subject": "user-1"},
        "domains": ["app.acme.example", "portal.acme.example"],
        "region": "eu",
        "app": {"version": "1.4.2"},
        "database": {"shard": "eu-1", "deletionPolicy": "Retain"},
        "broker": {"deletionPolicy": "Delete"},
        "suspended": False,
        "features": {"billing": True, "beta": False},
    }
    spec.update(overrides)
    return spec


def render(spec: dict[str, Any], config: RenderConfig = CONFIG) -> list[dict[str, Any]]:
    return render_dedicated(TENANT, spec, PLACEMENT, SECRETS, config)


def find(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    matches = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} {name!r}, found {len(matches)}"
    return matches[0]


def kinds_of(objects: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(o["apiVersion"], o["kind"]) for o in objects}


def deployments(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == "Deployment"}


def containers(pod_owner: dict[str, Any]) -> list[dict[str, Any]]:
    return list(pod_owner["spec"]["template"]["spec"]["containers"])


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


# --- labels, ownership, namespaces ---------------------------------------------------------


def test_every_object_carries_the_tenant_labels_and_the_owner_reference() -> None:
    objects = [*render(make_spec()), render_migration_job(TENANT, make_spec(), PLACEMENT, SECRETS, CONFIG)]

    for obj in objects:
        labels = obj["metadata"]["labels"]
        assert labels.items() >= TENANT_LABELS.items(), obj["metadata"]["name"]
        assert labels["tenantry.dev/plan"] == "growth"
        assert labels["app.kubernetes.io/component"]
        assert obj["metadata"]["ownerReferences"] == [
            {
                "apiVersion": "tenantry.dev/v1alpha1",
                "kind": "Tenant",
                "name": "acme",
                "uid": "6f1c2a9e-0000-4000-8000-000000000001",
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]


def test_namespaced_objects_live_in_the_tenant_namespace_and_the_namespace_comes_first() -> None:
    objects = render(make_spec())

    namespace, *namespaced = objects
    assert namespace["kind"] == "Namespace"
    assert namespace["metadata"]["name"] == "tenant-acme"
    assert "namespace" not in namespace["metadata"]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert {o["metadata"]["namespace"] for o in namespaced} == {"tenant-acme"}


def test_quota_limits_and_network_policies_are_applied_before_any_workload() -> None:
    objects = render(make_spec())

    order = [o["kind"] for o in objects]
    first_workload = order.index("Deployment")
    for kind in ("ResourceQuota", "LimitRange", "NetworkPolicy", "ConfigMap", "ServiceAccount"):
        assert order.index(kind) < first_workload, kind
    assert order.index("Ingress") > first_workload


def test_workload_components_are_labelled_by_role() -> None:
    objects = render(make_spec())

    for name in ("web", "worker", "beat"):
        deployment = find(objects, "Deployment", name)
        assert deployment["metadata"]["labels"]["app.kubernetes.io/component"] == name
        assert deployment["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"] == name
        assert deployment["spec"]["selector"]["matchLabels"] == {
            "app.kubernetes.io/name": "tenant-app",
            "app.kubernetes.io/instance": "acme",
            "app.kubernetes.io/component": name,
        }


def test_an_invalid_tenant_name_is_refused() -> None:
    with pytest.raises(InvalidSlug):
        render_dedicated(TenantRef("kube-acme", "uid", 1), make_spec(), PLACEMENT, SECRETS, CONFIG)


def test_a_shared_tier_tenant_gets_no_dedicated_objects() -> None:
    with pytest.raises(ValueError, match="tier is 'shared'"):
        render(make_spec(tier="shared"))


# --- plan sizing ---------------------------------------------------------------------------


def resources_of(objects: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return dict(containers(find(objects, "Deployment", name))[0]["resources"])


@pytest.mark.parametrize("plan_name", ["free", "starter", "growth", "enterprise"])
def test_workload_resources_quota_and_limits_follow_the_plan(plan_name: str) -> None:
    plan = plan_for(plan_name)

    objects = render(make_spec(plan=plan_name))

    assert resources_of(objects, "web") == {
        "requests": {"cpu": plan.web.cpu_request, "memory": plan.web.memory_request},
        "limits": {"cpu": plan.web.cpu_limit, "memory": plan.web.memory_limit},
    }
    worker_resources = {
        "requests": {"cpu": plan.worker.cpu_request, "memory": plan.worker.memory_request},
        "limits": {"cpu": plan.worker.cpu_limit, "memory": plan.worker.memory_limit},
    }
    assert resources_of(objects, "worker") == worker_resources
    assert resources_of(objects, "beat") == worker_resources
    quota = next(o for o in objects if o["kind"] == "ResourceQuota")
    assert quota["spec"]["hard"] == {
        "requests.cpu": plan.quota_cpu,
        "limits.cpu": plan.quota_cpu,
        "requests.memory": plan.quota_memory,
        "limits.memory": plan.quota_memory,
        "pods": str(plan.quota_pods),
        "requests.storage": plan.storage,
    }
    (limits,) = next(o for o in objects if o["kind"] == "LimitRange")["spec"]["limits"]
    assert limits["type"] == "Container"
    assert limits["default"] == worker_resources["limits"]
    assert limits["defaultRequest"] == worker_resources["requests"]


def test_changing_the_plan_resizes_the_workloads_and_relabels_them() -> None:
    before = render(make_spec(plan="starter"))

    after = render(make_spec(plan="enterprise"))

    assert resources_of(before, "web") != resources_of(after, "web")
    assert resources_of(after, "web")["limits"] == {"cpu": "4", "memory": "2Gi"}
    assert {o["metadata"]["labels"]["tenantry.dev/plan"] for o in after} == {"enterprise"}


def test_an_unknown_plan_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown plan 'platinum'; expected one of free, starter"):
        render(make_spec(plan="platinum"))


# --- replicas, autoscaling, disruption budget ----------------------------------------------


def hpa_of(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((o for o in objects if o["kind"] == "HorizontalPodAutoscaler"), None)


def pdb_of(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((o for o in objects if o["kind"] == "PodDisruptionBudget"), None)


def test_replicas_default_to_the_plan() -> None:
    objects = render(make_spec(plan="growth"))

    hpa = hpa_of(objects)
    assert hpa is not None
    assert hpa["spec"]["minReplicas"] == 2
    assert hpa["spec"]["maxReplicas"] == 8
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
    assert hpa["spec"]["metrics"] == [
        {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}
    ]
    workloads = deployments(objects)
    assert workloads["worker"]["spec"]["replicas"] == 2
    assert workloads["beat"]["spec"]["replicas"] == 1


def test_spec_replicas_override_the_plan_but_are_clamped_to_its_maximum() -> None:
    objects = render(make_spec(plan="starter", app={"version": "1.4.2", "replicas": {"min": 2, "max": 50}}))

    hpa = hpa_of(objects)
    assert hpa is not None
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 3)
    assert deployments(objects)["worker"]["spec"]["replicas"] == 2


def test_a_spec_minimum_above_the_plan_maximum_pins_the_replicas_to_that_maximum() -> None:
    objects = render(make_spec(plan="starter", app={"version": "1.4.2", "replicas": {"min": 9, "max": 12}}))

    assert hpa_of(objects) is None
    workloads = deployments(objects)
    assert workloads["web"]["spec"]["replicas"] == 3
    assert workloads["worker"]["spec"]["replicas"] == 3
    assert workloads["beat"]["spec"]["replicas"] == 1


def test_while_autoscaled_the_web_deployment_leaves_its_replica_count_to_the_hpa() -> None:
    objects = render(make_spec(plan="growth"))

    assert hpa_of(objects) is not None
    assert "replicas" not in deployments(objects)["web"]["spec"]


def test_no_hpa_when_the_minimum_equals_the_maximum() -> None:
    objects = render(make_spec(plan="free"))

    assert hpa_of(objects) is None
    assert deployments(objects)["web"]["spec"]["replicas"] == 1
    assert ("autoscaling/v2", "HorizontalPodAutoscaler") not in desired_kinds(make_spec(plan="free"))


def test_a_disruption_budget_protects_web_only_from_two_replicas_up() -> None:
    two = render(make_spec(plan="growth"))
    one = render(make_spec(plan="starter"))

    pdb = pdb_of(two)
    assert pdb is not None
    assert pdb["apiVersion"] == "policy/v1"
    assert pdb["spec"] == {
        "minAvailable": 1,
        "selector": {
            "matchLabels": {
                "app.kubernetes.io/name": "tenant-app",
                "app.kubernetes.io/instance": "acme",
                "app.kubernetes.io/component": "web",
            }
        },
    }
    assert pdb_of(one) is None


def test_a_suspended_tenant_runs_no_pods_and_has_no_hpa_or_pdb() -> None:
    spec = make_spec(plan="enterprise", suspended=True)

    objects = render(spec)

    assert {name: d["spec"]["replicas"] for name, d in deployments(objects).items()} == {
        "web": 0,
        "worker": 0,
        "beat": 0,
    }
    assert hpa_of(objects) is None
    assert pdb_of(objects) is None
    assert desired_kinds(spec) == kinds_of(objects)
    assert ("autoscaling/v2", "HorizontalPodAutoscaler") not in desired_kinds(spec)
    assert ("policy/v1", "PodDisruptionBudget") not in desired_kinds(spec)
    assert ("autoscaling/v2", "HorizontalPodAutoscaler") in desired_kinds(make_spec(plan="enterprise"))
    assert ("policy/v1", "PodDisruptionBudget") in desired_kinds(make_spec(plan="enterprise"))


@pytest.mark.parametrize(
    "spec",
    [
        make_spec(plan="free"),
        make_spec(plan="starter"),
        make_spec(plan="growth"),
        make_spec(plan="enterprise", suspended=True),
        make_spec(plan="growth", app={"version": "2.0.0", "replicas": {"min": 8, "max": 8}}),
    ],
    ids=["free", "starter", "growth", "suspended", "pinned"],
)
def test_desired_kinds_are_exactly_the_rendered_kinds(spec: dict[str, Any]) -> None:
    objects = render(spec)

    assert desired_kinds(spec) == kinds_of(objects)
    assert desired_kinds(spec) <= MANAGED_KINDS


def test_missing_keys_get_the_defaults() -> None:
    objects = render({})

    assert {o["metadata"]["labels"]["tenantry.dev/plan"] for o in objects} == {"free"}
    web = deployments(objects)["web"]
    assert containers(web)[0]["image"] == "ghcr.io/tenantry/tenantry:latest"
    assert web["spec"]["template"]["metadata"]["annotations"]["tenantry.dev/app-version"] == "latest"
    assert web["spec"]["replicas"] == 1
    assert find(objects, "Ingress", "web")["spec"]["tls"][0]["hosts"] == ["acme.tenantry.example"]


# --- pods ----------------------------------------------------------------------------------


def pod_specs(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o["spec"]["template"]["spec"] for o in objects if "template" in o.get("spec", {})}


def test_pods_run_as_non_root_with_a_read_only_root_filesystem_and_no_capabilities() -> None:
    objects = [*render(make_spec()), render_migration_job(TENANT, make_spec(), PLACEMENT, SECRETS, CONFIG)]

    specs = pod_specs(objects)
    assert len(specs) == 4
    for name, pod in specs.items():
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] == 10001
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False
        assert pod["serviceAccountName"] == "tenant-app"
        assert {"name": "tmp", "emptyDir": {}} in pod["volumes"]
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["runAsNonRoot"] is True
            assert security["runAsUser"] == 10001
            assert security["readOnlyRootFilesystem"] is True
            assert security["allowPrivilegeEscalation"] is False
            assert security["capabilities"] == {"drop": ["ALL"]}
            assert security["seccompProfile"] == {"type": "RuntimeDefault"}
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]


def test_the_service_account_mounts_no_token() -> None:
    account = find(render(make_spec()), "ServiceAccount", "tenant-app")

    assert account["automountServiceAccountToken"] is False


def test_web_probes_hit_healthz_and_readyz_on_the_http_port() -> None:
    (web,) = containers(find(render(make_spec()), "Deployment", "web"))

    assert web["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    assert web["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert web["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert web["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}


def test_each_workload_runs_its_command_with_the_versioned_image() -> None:
    objects = render(make_spec(app={"version": "1.4.2"}))

    workloads = deployments(objects)
    commands = {name: containers(d)[0]["command"] for name, d in workloads.items()}
    assert commands["web"] == [
        "python",
        "-m",
        "tenantry_kernel.serve",
        "tenant_app.asgi:application",
        "--service",
        "tenant-app",
        "--host",
        "0.0.0.0",
        "--port",
        "8000",
    ]
    assert commands["worker"] == ["celery", "-A", "tenant_app", "worker", "--loglevel", "INFO"]
    assert commands["beat"][:4] == ["celery", "-A", "tenant_app", "beat"]
    # Entries live in the tenant's schema (django-celery-beat), not in a file on the read-only root filesystem.
    assert commands["beat"][4:] == [
        "--scheduler",
        "django_celery_beat.schedulers:DatabaseScheduler",
        "--loglevel",
        "INFO",
    ]
    assert workloads["beat"]["spec"]["strategy"] == {"type": "Recreate"}
    for deployment in workloads.values():
        assert containers(deployment)[0]["image"] == "ghcr.io/tenantry/tenantry:1.4.2"
        assert deployment["spec"]["template"]["metadata"]["annotations"]["tenantry.dev/app-version"] == "1.4.2"


def test_pods_read_the_config_map_and_the_three_secrets() -> None:
    for name, pod in pod_specs(render(make_spec())).items():
        assert pod["containers"][0]["envFrom"] == [
            {"configMapRef": {"name": "tenant-app-config"}},
            {"secretRef": {"name": "tenant-db"}},
            {"secretRef": {"name": "tenant-broker"}},
            {"secretRef": {"name": "tenant-django"}},
        ], name


def test_the_config_map_holds_the_non_secret_environment() -> None:
    data = find(render(make_spec()), "ConfigMap", "tenant-app-config")["data"]

    assert data["TENANT_SLUG"] == "acme"
    assert data["SERVICE_NAME"] == "tenant-app"
    assert data["OTEL_SERVICE_NAME"] == "tenant-app"
    assert data["DJANGO_SETTINGS_MODULE"] == "tenant_app.settings.production"
    assert data["DJANGO_ALLOWED_HOSTS"] == "acme.tenantry.example,app.acme.example,portal.acme.example"
    assert json.loads(data["TENANT_FEATURES"]) == {"billing": True, "beta": False}
    assert data["LOG_LEVEL"] == "INFO"
    assert all(isinstance(value, str) for value in data.values())


def test_a_config_change_rolls_the_pods() -> None:
    before = deployments(render(make_spec(features={"billing": False})))["web"]

    after = deployments(render(make_spec(features={"billing": True})))["web"]

    annotation = "tenantry.dev/config-hash"
    before_hash = before["spec"]["template"]["metadata"]["annotations"][annotation]
    assert after["spec"]["template"]["metadata"]["annotations"][annotation] != before_hash


# --- traffic -------------------------------------------------------------------------------


def test_the_service_sends_port_80_to_the_web_pods_on_8000() -> None:
    service = find(render(make_spec()), "Service", "web")

    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": 8000, "protocol": "TCP"}]
    assert service["spec"]["selector"]["app.kubernetes.io/component"] == "web"


def test_ingress_serves_the_tenant_host_and_its_domains_with_tls_for_all() -> None:
    ingress = find(render(make_spec(domains=["App.ACME.example.", "portal.acme.example"])), "Ingress", "web")

    hosts = ["acme.tenantry.example", "app.acme.example", "portal.acme.example"]
    assert [rule["host"] for rule in ingress["spec"]["rules"]] == hosts
    assert ingress["spec"]["tls"] == [{"hosts": hosts, "secretName": "web-tls"}]
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "letsencrypt"
    for rule in ingress["spec"]["rules"]:
        assert rule["http"]["paths"] == [
            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"name": "http"}}}}
        ]


# --- network policies ----------------------------------------------------------------------


def policies(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o["spec"] for o in objects if o["kind"] == "NetworkPolicy"}


def test_network_policies_deny_everything_by_default() -> None:
    found = policies(render(make_spec()))

    assert set(found) == {"default-deny", "allow-web-from-ingress", "allow-dns", "allow-database", "allow-broker"}
    assert found["default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_only_the_ingress_controller_reaches_the_web_pods() -> None:
    config = RenderConfig(base_domain="tenantry.example", image="img", ingress_namespace="traefik")

    web = policies(render(make_spec(), config))["allow-web-from-ingress"]

    assert web["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "web"
    assert web["policyTypes"] == ["Ingress"]
    assert web["ingress"] == [
        {
            "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "traefik"}}}],
            "ports": [{"protocol": "TCP", "port": 8000}],
        }
    ]


def test_pods_may_resolve_names_through_kube_dns() -> None:
    dns = policies(render(make_spec()))["allow-dns"]

    assert dns["policyTypes"] == ["Egress"]
    assert dns["egress"] == [
        {
            "to": [
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                }
            ],
            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
        }
    ]


def test_egress_to_the_database_and_broker_is_limited_to_their_cidrs_and_ports() -> None:
    found = policies(render(make_spec()))

    assert found["allow-database"]["policyTypes"] == ["Egress"]
    assert found["allow-database"]["egress"] == [
        {
            "to": [{"ipBlock": {"cidr": "10.20.0.0/24"}}, {"ipBlock": {"cidr": "10.21.0.5/32"}}],
            "ports": [{"protocol": "TCP", "port": 5432}],
        }
    ]
    assert found["allow-broker"]["egress"] == [
        {"to": [{"ipBlock": {"cidr": "10.30.0.0/24"}}], "ports": [{"protocol": "TCP", "port": 5672}]}
    ]


def test_without_cidrs_egress_is_open_to_any_address_on_that_port_only() -> None:
    config = RenderConfig(base_domain="tenantry.example", image="img", database_port=6432, broker_port=5671)

    found = policies(render(make_spec(), config))

    assert found["allow-database"]["egress"] == [{"ports": [{"protocol": "TCP", "port": 6432}]}]
    assert found["allow-broker"]["egress"] == [{"ports": [{"protocol": "TCP", "port": 5671}]}]


# --- migration job -------------------------------------------------------------------------


def migration(spec: dict[str, Any], tenant: TenantRef = TENANT) -> dict[str, Any]:
    return render_migration_job(tenant, spec, PLACEMENT, SECRETS, CONFIG)


def test_the_migration_job_runs_migrate_with_bounded_retries() -> None:
    job = migration(make_spec(app={"version": "1.4.2"}))

    assert job["apiVersion"] == "batch/v1"
    assert job["metadata"]["namespace"] == "tenant-acme"
    assert job["metadata"]["name"].startswith("migrate-1-4-2-")
    assert len(job["metadata"]["name"]) <= 63
    assert job["spec"]["backoffLimit"] == 3
    assert job["spec"]["activeDeadlineSeconds"] > 0
    assert job["spec"]["ttlSecondsAfterFinished"] > 0
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    (container,) = pod["containers"]
    assert container["command"] == ["python", "tenant-app/manage.py", "migrate", "--noinput"]
    assert container["workingDir"] == "/app"
    assert container["image"] == "ghcr.io/tenantry/tenantry:1.4.2"


def test_the_migration_job_name_changes_with_the_version() -> None:
    first = migration(make_spec(app={"version": "1.4.2"}))["metadata"]["name"]

    second = migration(make_spec(app={"version": "1.5.0"}))["metadata"]["name"]

    assert first != second
    assert second.startswith("migrate-1-5-0-")


def test_the_migration_job_name_is_stable_for_the_same_version_across_generations() -> None:
    spec = make_spec(app={"version": "1.4.2"})
    later = TenantRef(name=TENANT.name, uid=TENANT.uid, generation=TENANT.generation + 7)
    resized = make_spec(plan="enterprise", app={"version": "1.4.2", "replicas": {"min": 4}}, suspended=True)

    names = {
        migration(spec)["metadata"]["name"],
        migration(spec, later)["metadata"]["name"],
        migration(resized, later)["metadata"]["name"],
    }

    assert len(names) == 1


def test_a_long_or_odd_version_still_gives_a_valid_job_name() -> None:
    name = migration(make_spec(app={"version": "2.0.0-rc.1+build.20250101.abcdef0123456789"}))["metadata"]["name"]

    assert len(name) <= 63
    assert name.startswith("migrate-2-0-0-rc-1-build-")
    assert name.replace("-", "").isalnum()
    assert name == name.lower()


# --- secrets and determinism ---------------------------------------------------------------


def test_no_secret_data_is_rendered() -> None:
    spec = make_spec(
        owner={"email": "owner@acme.example", "subject": "user-1"},
        database={"shard": "eu-1", "deletionPolicy": "Retain", "password": "hunter2-password"},
    )
    objects = [*render(spec), migration(spec)]

    rendered = list(strings(objects))

    assert not [s for s in rendered if "password" in s.lower()]
    assert not [s for s in rendered if "hunter2" in s]
    assert "Secret" not in {o["kind"] for o in objects}
    assert not [s for s in rendered if "owner@acme.example" in s]


def test_rendering_is_deterministic_and_does_not_touch_the_spec() -> None:
    spec = make_spec()
    untouched = copy.deepcopy(spec)

    first = render(spec)
    second = render(copy.deepcopy(spec))

    assert first == second
    assert yaml.safe_dump_all(first, sort_keys=False) == yaml.safe_dump_all(second, sort_keys=False)
    assert spec == untouched
    assert migration(spec) == migration(copy.deepcopy(spec))


def test_a_caller_mutating_the_output_does_not_change_the_next_render() -> None:
    first = render(make_spec())
    for pod in pod_specs(first).values():
        pod["containers"][0]["command"].append("--oops")
        pod["containers"][0]["envFrom"].clear()

    second = render(make_spec())

    assert second != first
    assert second == render(make_spec())
    assert "--oops" not in list(strings(second))
