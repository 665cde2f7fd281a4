"""operator/deploy/operator.yaml grants what the operator's code uses, nothing more, and runs it locked down.

What the code needs is read from the code: the Kubernetes calls in tenant_operator's modules
(through `kube.KINDS`), what kopf itself asks of the API, and the variables of config.py.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tenant_operator.kube import KINDS
from tenant_operator.specs.dedicated import MANAGED_KINDS
from tenant_operator.specs.job import JOB
from tenant_operator.specs.namespace import NAMESPACE

OPERATOR_DIR = Path(__file__).resolve().parents[1]
PACKAGE_DIR = OPERATOR_DIR / "tenant_operator"
MANIFEST = OPERATOR_DIR / "deploy" / "operator.yaml"

# What kopf 1.45 asks of the API server for a cluster-wide operator with peering:
# watching the handled resources (list + watch), finalizers and progress annotations
# (patch), handler results through the status subresource, CRD observation, peering
# keep-alives on clusterkopfpeerings.kopf.dev, and core v1 Events (POST only). In
# cluster-wide mode kopf does not watch namespaces.
KOPF_NEEDS = {
    ("tenantry.dev", "tenants", "list"),
    ("tenantry.dev", "tenants", "watch"),
    ("tenantry.dev", "tenants", "patch"),
    ("tenantry.dev", "tenants/status", "patch"),
    ("tenantry.dev", "databaseshards", "list"),
    ("tenantry.dev", "databaseshards", "watch"),
    ("tenantry.dev", "databaseshards", "patch"),
    ("tenantry.dev", "databaseshards/status", "patch"),
    ("apiextensions.k8s.io", "customresourcedefinitions", "list"),
    ("apiextensions.k8s.io", "customresourcedefinitions", "watch"),
    ("kopf.dev", "clusterkopfpeerings", "list"),
    ("kopf.dev", "clusterkopfpeerings", "watch"),
    ("kopf.dev", "clusterkopfpeerings", "patch"),
    ("", "events", "create"),
}

# The RBAC verbs behind each method of kube.Kube.
ADAPTER_VERBS = {
    "get": {"get"},
    "list": {"list"},
    "create": {"create"},
    "patch": {"patch"},
    "delete": {"delete"},
    "ensure": {"get", "create", "patch"},
}


def _kind(api_version_and_kind: tuple[str, str]) -> str:
    return api_version_and_kind[1]


# `kube.ensure(obj)` takes a whole object: which kinds each calling function ensures.
ENSURED_KINDS_BY_FUNCTION = {
    "ensure_secret": {"Secret"},
    "run_migrations_job": {_kind(JOB)},
    "_ensure_namespace": {_kind(NAMESPACE)},
    "_apply_children": {_kind(each) for each in MANAGED_KINDS},
}

ENV_READ = re.compile(r"""(?:(?:env|environ)\.get|getenv)\(\s*["']([A-Z0-9_]+)["']""")
# Left out of the Deployment on purpose (see the comments in operator.yaml).
OMITTED_ENV = {"OPERATOR_NAMESPACE", "TENANT_APP_MANAGE_PY"}


def load_manifest() -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(MANIFEST.read_text()) if doc]


def only(documents: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [doc for doc in documents if doc["kind"] == kind]
    assert len(found) == 1, f"expected one {kind} in {MANIFEST}, found {len(found)}"
    return found[0]


def granted(cluster_role: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {
        (group, resource, verb)
        for rule in cluster_role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }


class _KubeCalls(ast.NodeVisitor):
    """(kind, method, subresource) of every `<...>.kube.<method>(...)` call in a module."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.calls: set[tuple[str, str, str]] = set()
        self.function = ""
        self.loop_values: dict[str, tuple[str, ...]] = {}

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        outer, self.function = self.function, node.name
        self.generic_visit(node)
        self.function = outer

    def visit_For(self, node: ast.For) -> None:
        # `for kind in ("HorizontalPodAutoscaler", ...): kube.list(kind, ...)`
        if isinstance(node.target, ast.Name) and isinstance(node.iter, ast.Tuple):
            values = tuple(e.value for e in node.iter.elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
            if len(values) == len(node.iter.elts):
                self.loop_values[node.target.id] = values
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        is_kube_call = (
            isinstance(func, ast.Attribute)
            and func.attr in ADAPTER_VERBS
            and (
                (isinstance(func.value, ast.Name) and func.value.id == "kube")
                or (isinstance(func.value, ast.Attribute) and func.value.attr == "kube")
            )
        )
        if is_kube_call:
            assert isinstance(func, ast.Attribute)
            where = f"{self.source.name}:{node.lineno} ({self.function})"
            subresource = next((kw.value for kw in node.keywords if kw.arg == "subresource"), None)
            sub = str(subresource.value) if isinstance(subresource, ast.Constant) else ""
            for kind in self._kinds(func.attr, node, where):
                self.calls.add((kind, func.attr, sub))
        self.generic_visit(node)

    def _kinds(self, method: str, node: ast.Call, where: str) -> set[str]:
        if method == "ensure":
            assert self.function in ENSURED_KINDS_BY_FUNCTION, (
                f"kube.ensure at {where}: add the kinds {self.function}() ensures to ENSURED_KINDS_BY_FUNCTION"
            )
            return ENSURED_KINDS_BY_FUNCTION[self.function]
        first = node.args[0] if node.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return {first.value}
        if isinstance(first, ast.Name) and first.id in self.loop_values:
            return set(self.loop_values[first.id])
        raise AssertionError(f"cannot tell which kind kube.{method} at {where} touches; teach this test")


def operator_code_needs() -> set[tuple[str, str, str]]:
    """(apiGroup, resource, verb) of every call the operator's modules make through kube.Kube."""
    calls: set[tuple[str, str, str]] = set()
    for source in sorted(PACKAGE_DIR.glob("*.py")):
        if source.name in ("kube.py", "emulator.py"):  # the adapter itself; the test API server
            continue
        visitor = _KubeCalls(source)
        visitor.visit(ast.parse(source.read_text(), filename=str(source)))
        calls |= visitor.calls
    needs = set()
    for kind, method, subresource in calls:
        assert kind in KINDS, f"the code calls kube.{method} on {kind!r}, which kube.KINDS does not know"
        group_version, plural, _ = KINDS[kind]
        group = group_version.rpartition("/")[0]
        resource = f"{plural}/{subresource}" if subresource else plural
        needs |= {(group, resource, verb) for verb in ADAPTER_VERBS[method]}
    return needs


def test_cluster_role_grants_every_call_of_the_code_and_of_kopf() -> None:
    # Given what the operator's modules call through kube.Kube and what kopf asks for
    needed = operator_code_needs() | KOPF_NEEDS

    # When the ClusterRole of the manifest is expanded into (group, resource, verb)
    role = granted(only(load_manifest(), "ClusterRole"))

    # Then nothing needed is missing
    assert sorted(needed - role) == []
    # and the children the reconciler manages are all covered, with status patches on Tenants
    assert ("", "secrets", "delete") in needed
    assert ("tenantry.dev", "tenants/status", "patch") in needed
    assert {("batch", "jobs", verb) for verb in ("get", "list", "create", "patch", "delete")} <= needed


def test_cluster_role_grants_nothing_the_operator_does_not_use() -> None:
    # Given the manifest's ClusterRole
    cluster_role = only(load_manifest(), "ClusterRole")

    # When its rules are expanded
    role = granted(cluster_role)

    # Then each grant is used, and none is a wildcard or a non-resource URL
    assert sorted(role - (operator_code_needs() | KOPF_NEEDS)) == []
    for rule in cluster_role["rules"]:
        assert "*" not in rule["apiGroups"] + rule["resources"] + rule["verbs"], rule
        assert set(rule) == {"apiGroups", "resources", "verbs"}, rule


def test_every_cluster_role_rule_says_why() -> None:
    # Given the manifest text
    lines = MANIFEST.read_text().splitlines()

    # When looking at the line above each rule of the ClusterRole
    rules_start = lines.index("rules:")
    rule_lines = [index for index in range(rules_start, len(lines)) if lines[index].startswith("- apiGroups:")]

    # Then every rule has a comment right above it
    assert len(rule_lines) == len(only(load_manifest(), "ClusterRole")["rules"])
    assert [lines[index] for index in rule_lines if not lines[index - 1].startswith("#")] == []


def test_cluster_role_is_bound_to_the_operator_service_account() -> None:
    documents = load_manifest()

    binding = only(documents, "ClusterRoleBinding")
    account = only(documents, "ServiceAccount")
    deployment = only(documents, "Deployment")

    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": only(documents, "ClusterRole")["metadata"]["name"],
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "tenantry-operator", "namespace": "tenantry-system"}
    ]
    assert account["metadata"] == {**account["metadata"], "name": "tenantry-operator", "namespace": "tenantry-system"}
    assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == "tenantry-operator"
    assert only(documents, "Namespace")["metadata"]["name"] == "tenantry-system"


def operator_container() -> dict[str, Any]:
    pod = only(load_manifest(), "Deployment")["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["containers"]] == ["operator"]
    return dict(pod["containers"][0])


def test_deployment_env_is_what_config_reads() -> None:
    # Given the variables OperatorConfig.from_env reads
    read = set(ENV_READ.findall((PACKAGE_DIR / "config.py").read_text()))
    assert {"BROKER_ADMIN_URL", "OPERATOR_METRICS_PORT", "TENANT_BASE_DOMAIN"} <= read

    # When looking at the operator container's environment
    env = operator_container()["env"]
    names = [each["name"] for each in env]

    # Then it sets exactly those, minus the deliberate omissions, each once
    assert sorted(names) == sorted(read - OMITTED_ENV)
    assert read >= OMITTED_ENV, "an omitted variable is no longer read by config.py: drop it from OMITTED_ENV"
    assert len(names) == len(set(names))


def test_broker_admin_url_comes_from_a_secret() -> None:
    env = {each["name"]: each for each in operator_container()["env"]}

    assert env["BROKER_ADMIN_URL"] == {
        "name": "BROKER_ADMIN_URL",
        "valueFrom": {"secretKeyRef": {"name": "tenantry-operator-broker", "key": "admin-url"}},
    }
    assert all("value" in each for name, each in env.items() if name != "BROKER_ADMIN_URL")


def test_deployment_runs_one_operator_from_the_tenantry_image() -> None:
    deployment = only(load_manifest(), "Deployment")
    container = operator_container()

    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    assert container["image"] == "ghcr.io/tenantry/tenantry:latest"
    assert container["command"] == ["python", "-m", "tenant_operator"]


def test_probe_and_metrics_ports_match_the_configured_ones() -> None:
    documents = load_manifest()
    container = operator_container()
    env = {each["name"]: each.get("value") for each in container["env"]}
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    service = only(documents, "Service")

    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": 8080}
    assert int(env["OPERATOR_LIVENESS_PORT"]) == 8080
    assert ports["metrics"] == int(env["OPERATOR_METRICS_PORT"]) == 9090
    assert service["spec"]["selector"] == only(documents, "Deployment")["spec"]["selector"]["matchLabels"]
    assert service["spec"]["ports"] == [{"name": "metrics", "port": 9090, "targetPort": "metrics", "protocol": "TCP"}]


def test_pod_runs_non_root_read_only_without_capabilities() -> None:
    pod = only(load_manifest(), "Deployment")["spec"]["template"]["spec"]
    container = operator_container()

    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001
    assert container["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "runAsGroup": 10001,
        "readOnlyRootFilesystem": True,
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert container["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
    assert pod["volumes"] == [{"name": "tmp", "emptyDir": {}}]


@pytest.mark.parametrize("bound", ["requests", "limits"])
def test_operator_container_has_resource_bounds(bound: str) -> None:
    resources = operator_container()["resources"]

    assert set(resources[bound]) == {"cpu", "memory"}
