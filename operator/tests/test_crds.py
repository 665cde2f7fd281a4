"""The CRDs: the checked-in YAML is the generator's output, and the schema and CEL rules accept
the examples and reject what the API server must reject.

No API server runs offline, so the OpenAPI schema is checked with jsonschema (with unknown
fields forbidden, as kubectl's strict field validation does) and the CEL rules with cel-python.
"""

import copy
import datetime
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import celpy
import pytest
import yaml
from celpy.adapter import json_to_cel
from jsonschema import Draft202012Validator, FormatChecker

from tenant_operator import api, crds
from tenant_operator.reconcile import tenant_spec_errors
from tenantry_kernel.provisioning.naming import RESERVED_PREFIXES, RESERVED_SLUGS, InvalidSlug, validate_slug
from tenantry_kernel.provisioning.plans import PlanName

REPO = Path(__file__).resolve().parents[2]
CRD_DIR = REPO / "crds"
EXAMPLES = sorted((CRD_DIR / "examples").glob("*.yaml"))
CRD_BY_KIND = {crd["spec"]["names"]["kind"]: crd for crd in crds.all_crds()}

NAME_LENGTH = "the tenant name must be 3 to 40 characters long; choose another name"
NAME_PATTERN = (
    "the tenant name must be a DNS label: lowercase letters, digits and '-', "
    "starting with a letter and ending with a letter or digit; choose another name"
)
NAME_DOUBLE_DASH = "the tenant name must not contain '--'; choose another name"
NAME_RESERVED = "the tenant name is reserved by the platform; choose another name"
NAME_PREFIX = (
    "the tenant name must not start with 'pg-', 'pg_', 'kube-', 'tenantry-' (reserved by the platform); "
    "choose another name"
)
TIER_IMMUTABLE = "spec.tier cannot change after creation; create a new Tenant to move between dedicated and shared"
REGION_IMMUTABLE = "spec.region cannot change after creation; moving a tenant to another region is not supported"
SHARD_PINNED = "spec.database.shard cannot be changed or removed once set; put the previous value back"
REPLICAS_ORDER = "spec.app.replicas.min must not exceed spec.app.replicas.max; lower min or raise max"
DISPLAY_NAME_BLANK = "spec.displayName must show at least one visible character; enter the store's name"
DISPLAY_NAME_CONTROL = (
    "spec.displayName must not contain control characters such as NUL, tab or a line break; remove them"
)
DOMAIN_NOT_PUBLIC = (
    "each of spec.domains must be a public host name; names under .localhost, .local, .internal, .arpa "
    "never reach a store: remove it"
)
GOOD_DISPLAY_NAMES = ["Corner Bakery", "A", "Café Müller", "東京ストア", "  Spaced  ", "Olive's Oils & Co."]
BAD_DISPLAY_NAMES = [
    ("", [DISPLAY_NAME_BLANK]),
    ("   ", [DISPLAY_NAME_BLANK]),
    ("\u00a0\u3000", [DISPLAY_NAME_BLANK]),
    ("\u200b\ufeff", [DISPLAY_NAME_BLANK]),
    ("\x00", [DISPLAY_NAME_CONTROL]),
    ("Corner\x00Bakery", [DISPLAY_NAME_CONTROL]),
    ("Corner Bakery\n", [DISPLAY_NAME_CONTROL]),
    ("\tCorner", [DISPLAY_NAME_CONTROL]),
    ("Shop\x1b[2J", [DISPLAY_NAME_CONTROL]),
    ("Shop\x7f", [DISPLAY_NAME_CONTROL]),
    ("Shop\x85", [DISPLAY_NAME_CONTROL]),
    (" \r\n", [DISPLAY_NAME_CONTROL]),
]

_MISSING = object()


# --- helpers -----------------------------------------------------------------------------


def openapi_schema(kind: str) -> dict[str, Any]:
    schema: dict[str, Any] = CRD_BY_KIND[kind]["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


def to_json_schema(node: dict[str, Any], path: str = "") -> dict[str, Any]:
    """An OpenAPI schema of a CRD as a JSON Schema with the API server's structural semantics."""
    converted: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("x-kubernetes-"):
            continue
        if key == "properties":
            converted[key] = {name: to_json_schema(child, f"{path}.{name}") for name, child in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            converted[key] = to_json_schema(value, f"{path}[*]")
        else:
            converted[key] = value
    if node.get("x-kubernetes-list-type") == "set":
        converted["uniqueItems"] = True
    # Strict field validation: a field the schema does not declare is an error, not pruned.
    # ObjectMeta is the API server's own: the schema only narrows its name.
    if "properties" in node and "additionalProperties" not in node and path != ".metadata":
        converted["additionalProperties"] = False
    return converted


def _is_date_time(value: object) -> bool:
    # jsonschema only checks date-time with an optional package; RFC 3339 needs a 'T' and a zone.
    if not isinstance(value, str):
        return True
    parsed = datetime.datetime.fromisoformat(value)
    return "T" in value and parsed.tzinfo is not None


FORMATS = FormatChecker()
FORMATS.checks("date-time", raises=ValueError)(_is_date_time)


def schema_errors(kind: str, obj: dict[str, Any]) -> list[str]:
    validator = Draft202012Validator(to_json_schema(openapi_schema(kind)), format_checker=FORMATS)
    return sorted(f"{error.json_path}: {error.message}" for error in validator.iter_errors(obj))


def evaluate_rule(rule: str, self_value: Any, old_self: Any = _MISSING) -> bool:
    """Evaluate one x-kubernetes-validations rule with `self` (and `oldSelf`) bound."""
    env = celpy.Environment()
    program = env.program(env.compile(rule))
    activation = {"self": json_to_cel(self_value)}
    if old_self is not _MISSING:
        activation["oldSelf"] = json_to_cel(old_self)
    result = program.evaluate(activation)
    assert isinstance(result, celpy.celtypes.BoolType), f"{rule!r} gave {result!r}, not a bool"
    return bool(result)


def cel_violations(schema: dict[str, Any], value: Any, old: Any = _MISSING) -> list[str]:
    """Messages of the rules that `value` breaks, walking the schema like the API server.

    Transition rules (those using oldSelf) only run where an old value exists, that is on
    an update and when the field was set before.
    """
    messages = []
    for validation in schema.get("x-kubernetes-validations", []):
        if "oldSelf" in validation["rule"]:
            if old is _MISSING:
                continue
            ok = evaluate_rule(validation["rule"], value, old)
        else:
            ok = evaluate_rule(validation["rule"], value)
        if not ok:
            messages.append(validation["message"])
    if isinstance(value, dict):
        for name, child in value.items():
            child_schema = schema.get("properties", {}).get(name)
            if child_schema is None and isinstance(schema.get("additionalProperties"), dict):
                child_schema = schema["additionalProperties"]
            if child_schema is not None:
                child_old = old.get(name, _MISSING) if isinstance(old, dict) else _MISSING
                messages += cel_violations(child_schema, child, child_old)
    if isinstance(value, list) and "items" in schema:
        for item in value:
            messages += cel_violations(schema["items"], item)
    return messages


def all_validations(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    if isinstance(node, dict):
        for validation in node.get("x-kubernetes-validations", []):
            found.append((path or ".", validation))
        for name, child in node.get("properties", {}).items():
            found += all_validations(child, f"{path}.{name}")
        if isinstance(node.get("items"), dict):
            found += all_validations(node["items"], f"{path}[*]")
        if isinstance(node.get("additionalProperties"), dict):
            found += all_validations(node["additionalProperties"], f"{path}.*")
    return found


def schema_nodes(node: dict[str, Any], path: str = ""):
    yield path or ".", node
    for name, child in node.get("properties", {}).items():
        yield from schema_nodes(child, f"{path}.{name}")
    if isinstance(node.get("items"), dict):
        yield from schema_nodes(node["items"], f"{path}[*]")
    if isinstance(node.get("additionalProperties"), dict):
        yield from schema_nodes(node["additionalProperties"], f"{path}.*")


def tenant(name: str = "corner-bakery", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "tenantry.dev/v1alpha1",
        "kind": "Tenant",
        "metadata": {"name": name},
        "spec": {"displayName": "Corner Bakery", "owner": {"email": "maria@corner-bakery.example"}, **spec},
    }


def database_shard(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "tenantry.dev/v1alpha1",
        "kind": "DatabaseShard",
        "metadata": {"name": "local-1"},
        "spec": {"adminSecretRef": {"name": "shard-admin", "namespace": "tenantry-system"}, **spec},
    }


def name_violations(name: str) -> list[str]:
    return cel_violations(openapi_schema("Tenant"), tenant(name))


# --- the generated YAML ------------------------------------------------------------------


@pytest.mark.parametrize("filename", sorted(crds.CRD_FILES))
def test_checked_in_crd_equals_the_generator_output(filename: str) -> None:
    # Given the checked-in file and the generator
    checked_in = (CRD_DIR / filename).read_text(encoding="utf-8")

    # When the generator renders the same CRD
    generated = crds.render(crds.CRD_FILES[filename]())

    # Then they are identical, header included
    assert checked_in == generated
    assert checked_in.startswith("# Generated by `python -m tenant_operator.crds --write crds/`")
    assert yaml.safe_load(checked_in) == crds.CRD_FILES[filename]()


def test_check_command_accepts_the_checked_in_crds() -> None:
    # Given the repository's crds/ directory
    # When the check runs as documented, from the repository root
    result = subprocess.run(
        [sys.executable, "-m", "tenant_operator.crds", "--check", "crds/"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )

    # Then it passes silently
    assert (result.returncode, result.stderr) == (0, "")


def test_check_command_fails_on_an_edited_crd_and_write_repairs_it(tmp_path: Path, capsys) -> None:
    # Given a copy of the CRDs where someone edited the generated YAML by hand
    shutil.copytree(CRD_DIR, tmp_path, dirs_exist_ok=True)
    edited = tmp_path / "tenant.yaml"
    edited.write_text(edited.read_text().replace("- tnt", "- tn"))

    # When the check runs
    exit_code = crds.main(["--check", str(tmp_path)])

    # Then it fails, shows the difference and says how to regenerate
    stderr = capsys.readouterr().err
    assert exit_code == 1
    assert "-    - tn\n+    - tnt\n" in stderr
    assert f"{edited} is out of date with operator/tenant_operator/crds.py; " in stderr
    assert f"run `python -m tenant_operator.crds --write {tmp_path}` from the repository root" in stderr
    assert "databaseshard.yaml" not in stderr

    # And after --write, the check passes again
    assert crds.main(["--write", str(tmp_path)]) == 0
    assert crds.main(["--check", str(tmp_path)]) == 0


def test_check_command_fails_when_a_crd_file_is_missing(tmp_path: Path, capsys) -> None:
    # Given a directory with only the Tenant CRD
    shutil.copy(CRD_DIR / "tenant.yaml", tmp_path / "tenant.yaml")

    # When the check runs
    exit_code = crds.main(["--check", str(tmp_path)])

    # Then it fails for the missing DatabaseShard CRD
    assert exit_code == 1
    assert f"{tmp_path / 'databaseshard.yaml'} is out of date" in capsys.readouterr().err


# --- the CRDs' shape ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("crd", "kind", "plural", "short_name"),
    [
        (crds.tenant_crd(), "Tenant", "tenants", "tnt"),
        (crds.database_shard_crd(), "DatabaseShard", "databaseshards", "dbshard"),
    ],
)
def test_crd_is_cluster_scoped_with_status_subresource(crd, kind, plural, short_name) -> None:
    # Given a generated CRD
    spec = crd["spec"]

    # Then it names the group, version and kind the operator watches
    assert crd["metadata"]["name"] == f"{plural}.tenantry.dev"
    assert (spec["group"], spec["scope"]) == ("tenantry.dev", "Cluster")
    assert spec["names"] == {
        "kind": kind,
        "listKind": f"{kind}List",
        "plural": plural,
        "singular": kind.lower(),
        "shortNames": [short_name],
        "categories": ["tenantry"],
    }
    [version] = spec["versions"]
    assert (version["name"], version["served"], version["storage"]) == ("v1alpha1", True, True)
    assert version["subresources"] == {"status": {}}
    assert (api.API_GROUP, api.API_VERSION, api.TENANT_PLURAL, api.DATABASE_SHARD_PLURAL) == (
        "tenantry.dev",
        "v1alpha1",
        "tenants",
        "databaseshards",
    )


def test_printer_columns_read_spec_status_and_the_ready_condition() -> None:
    # Given both CRDs
    def columns(crd: dict[str, Any]) -> list[tuple[str, str, str]]:
        return [(c["name"], c["type"], c["jsonPath"]) for c in crd["spec"]["versions"][0]["additionalPrinterColumns"]]

    ready = ("Ready", "string", '.status.conditions[?(@.type=="Ready")].status')
    age = ("Age", "date", ".metadata.creationTimestamp")

    # Then kubectl get shows these columns
    assert columns(crds.tenant_crd()) == [
        ("Plan", "string", ".spec.plan"),
        ("Tier", "string", ".spec.tier"),
        ("Shard", "string", ".status.shard"),
        ready,
        ("URL", "string", ".status.url"),
        age,
    ]
    assert columns(crds.database_shard_crd()) == [
        ("Region", "string", ".spec.region"),
        ("Tenants", "integer", ".status.tenantCount"),
        ("Capacity", "integer", ".spec.capacity.maxTenants"),
        ("Cordoned", "boolean", ".spec.cordoned"),
        ready,
        ("Citus", "string", ".status.citusVersion"),
        age,
    ]


@pytest.mark.parametrize("kind", sorted(CRD_BY_KIND))
def test_schema_is_structural_and_its_defaults_are_valid(kind: str) -> None:
    # Given a CRD schema
    schema = openapi_schema(kind)

    for path, node in schema_nodes(schema):
        # Then every node has a type and nothing preserves unknown fields (status is pruned too)
        assert "type" in node, f"{kind} {path} has no type"
        assert "x-kubernetes-preserve-unknown-fields" not in node, f"{kind} {path}"
        # And map-list keys are required, as the API server demands
        for key in node.get("x-kubernetes-list-map-keys", []):
            assert key in node["items"]["required"], f"{kind} {path}: map key {key} must be required"
        # And every default passes its own schema (the API server refuses the CRD otherwise)
        if "default" in node:
            validator = Draft202012Validator(to_json_schema(node), format_checker=FORMATS)
            assert list(validator.iter_errors(node["default"])) == [], f"{kind} {path} default"


def test_tenant_name_length_is_bounded_in_the_schema_for_cel_cost() -> None:
    # Given a Tenant whose name is one character too long, with labels on its metadata
    obj = tenant("a" * 41)
    obj["metadata"]["labels"] = {"tenantry.dev/plan": "free"}

    # When the schema validates it
    errors = schema_errors("Tenant", obj)

    # Then the name's bound (which the CEL cost estimator relies on) rejects it, labels pass
    assert errors == ["$.metadata.name: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is too long"]
    assert openapi_schema("DatabaseShard")["properties"]["metadata"]["properties"]["name"]["maxLength"] == 253


def test_tenant_spec_enums_and_defaults_come_from_the_kernel() -> None:
    # Given the Tenant spec schema
    spec = openapi_schema("Tenant")["properties"]["spec"]
    props = spec["properties"]

    # Then the plans are the kernel's and the defaults are the documented ones
    assert props["plan"]["enum"] == [plan.value for plan in PlanName] == ["free", "starter", "growth", "enterprise"]
    assert spec["required"] == ["displayName", "owner"]
    defaults = {
        "plan": props["plan"]["default"],
        "tier": props["tier"]["default"],
        "region": props["region"]["default"],
        "app.version": props["app"]["properties"]["version"]["default"],
        "database.deletionPolicy": props["database"]["properties"]["deletionPolicy"]["default"],
        "broker.deletionPolicy": props["broker"]["properties"]["deletionPolicy"]["default"],
        "suspended": props["suspended"]["default"],
    }
    assert defaults == {
        "plan": "free",
        "tier": "shared",
        "region": "local",
        "app.version": "latest",
        "database.deletionPolicy": "Retain",
        "broker.deletionPolicy": "Delete",
        "suspended": False,
    }
    # And the objects holding defaults default to {} so that their fields get defaulted too
    assert (props["app"]["default"], props["database"]["default"], props["broker"]["default"]) == ({}, {}, {})


def test_database_shard_spec_defaults() -> None:
    # Given the DatabaseShard spec schema
    props = openapi_schema("DatabaseShard")["properties"]["spec"]["properties"]

    # Then its defaults are the documented ones
    assert props["adminSecretRef"]["properties"]["key"]["default"] == "dsn"
    assert props["region"]["default"] == "local"
    assert props["database"]["default"] == "tenantry"
    assert props["capacity"]["properties"]["maxTenants"]["default"] == 500
    assert props["capacity"]["properties"]["maxTenants"]["minimum"] == 1
    assert props["cordoned"]["default"] is False
    assert openapi_schema("DatabaseShard")["properties"]["spec"]["required"] == ["adminSecretRef"]


# --- the examples ------------------------------------------------------------------------


def test_examples_cover_both_kinds() -> None:
    # Given the example manifests
    kinds = [yaml.safe_load(path.read_text())["kind"] for path in EXAMPLES]

    # Then there are Tenants and DatabaseShards to validate, each saying what it shows
    assert kinds.count("Tenant") >= 3
    assert kinds.count("DatabaseShard") >= 2
    for path in EXAMPLES:
        assert path.read_text().startswith("# "), f"{path.name} has no comment saying what it shows"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_example_is_accepted_by_its_kind_schema_and_rules(path: Path) -> None:
    # Given an example manifest
    manifest = yaml.safe_load(path.read_text())

    # When it is validated against its kind's schema and CEL rules, as on create
    errors = schema_errors(manifest["kind"], manifest)
    violations = cel_violations(openapi_schema(manifest["kind"]), manifest)

    # Then it is accepted
    assert manifest["apiVersion"] == f"{api.API_GROUP}/{api.API_VERSION}"
    assert (errors, violations) == ([], [])


# --- rejected by the OpenAPI schema ------------------------------------------------------


def _without_owner(obj):
    del obj["spec"]["owner"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            lambda obj: obj["spec"].update(plan="premium"),
            ["$.spec.plan: 'premium' is not one of ['free', 'starter', 'growth', 'enterprise']"],
            id="unknown plan",
        ),
        pytest.param(
            lambda obj: obj["spec"].update(tier="private"),
            ["$.spec.tier: 'private' is not one of ['dedicated', 'shared']"],
            id="bad tier",
        ),
        pytest.param(_without_owner, ["$.spec: 'owner' is a required property"], id="missing owner"),
        pytest.param(
            lambda obj: obj["spec"].update(owner={"email": "maria.corner-bakery.example"}),
            ["$.spec.owner.email: 'maria.corner-bakery.example' is not a 'email'"],
            id="bad email",
        ),
        pytest.param(
            lambda obj: obj["spec"].update(domains=["shop_1.example.com"]),
            [f"$.spec.domains[0]: 'shop_1.example.com' does not match {crds.HOSTNAME_PATTERN!r}"],
            id="bad domain",
        ),
        pytest.param(
            lambda obj: obj["spec"].update(domains=["localhost"]),
            [f"$.spec.domains[0]: 'localhost' does not match {crds.HOSTNAME_PATTERN!r}"],
            id="domain without a dot",
        ),
        pytest.param(
            lambda obj: obj["spec"].update(domains=["10.0.0.1"]),
            [f"$.spec.domains[0]: '10.0.0.1' does not match {crds.HOSTNAME_PATTERN!r}"],
            id="IP address as domain",
        ),
        pytest.param(
            lambda obj: obj["spec"].update(domains=["a.example", "a.example"]),
            ["$.spec.domains: ['a.example', 'a.example'] has non-unique elements"],
            id="duplicate domain",
        ),
        pytest.param(
            lambda obj: obj["spec"].update(suspended="yes"),
            ["$.spec.suspended: 'yes' is not of type 'boolean'"],
            id="suspended not a bool",
        ),
        pytest.param(
            lambda obj: obj["spec"].update(features={"giftCards": "on"}),
            ["$.spec.features.giftCards: 'on' is not of type 'boolean'"],
            id="feature not a bool",
        ),
        pytest.param(
            lambda obj: obj["spec"].update(displayName=""),
            ["$.spec.displayName: '' should be non-empty"],
            id="empty display name",
        ),
        pytest.param(
            lambda obj: obj["spec"].update(app={"replicas": {"min": -1}}),
            ["$.spec.app.replicas.min: -1 is less than the minimum of 0"],
            id="negative replicas",
        ),
        pytest.param(
            lambda obj: obj["spec"].update(database={"deletionPolicy": "Orphan"}),
            ["$.spec.database.deletionPolicy: 'Orphan' is not one of ['Retain', 'Delete']"],
            id="bad deletion policy",
        ),
        pytest.param(
            lambda obj: obj["spec"].update(plans="growth"),
            ["$.spec: Additional properties are not allowed ('plans' was unexpected)"],
            id="unknown field",
        ),
    ],
)
def test_tenant_schema_rejects_bad_spec(change, expected: list[str]) -> None:
    # Given a valid Tenant with one thing wrong
    obj = tenant()
    assert schema_errors("Tenant", obj) == []
    change(obj)

    # When the schema validates it
    errors = schema_errors("Tenant", obj)

    # Then exactly that is reported
    assert errors == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param({"adminSecretRef": None}, ["$.spec.adminSecretRef: None is not of type 'object'"], id="null ref"),
        pytest.param(
            {"adminSecretRef": {"name": "shard-admin"}},
            ["$.spec.adminSecretRef: 'namespace' is a required property"],
            id="ref without namespace",
        ),
        pytest.param(
            {"capacity": {"maxTenants": 0}},
            ["$.spec.capacity.maxTenants: 0 is less than the minimum of 1"],
            id="zero capacity",
        ),
        pytest.param(
            {"readReplicas": [{"secretRef": {"name": "r", "namespace": "tenantry-system"}}]},
            ["$.spec.readReplicas[0]: 'name' is a required property"],
            id="replica without name",
        ),
        pytest.param(
            {"cordoned": "true"},
            ["$.spec.cordoned: 'true' is not of type 'boolean'"],
            id="cordoned not a bool",
        ),
    ],
)
def test_database_shard_schema_rejects_bad_spec(spec, expected: list[str]) -> None:
    # Given a DatabaseShard with one thing wrong
    obj = database_shard(**spec)

    # When the schema validates it
    errors = schema_errors("DatabaseShard", obj)

    # Then exactly that is reported
    assert errors == expected


def test_database_shard_schema_requires_the_admin_secret() -> None:
    # Given a DatabaseShard without its admin Secret
    obj = database_shard()
    del obj["spec"]["adminSecretRef"]

    # Then the schema rejects it
    assert schema_errors("DatabaseShard", obj) == ["$.spec: 'adminSecretRef' is a required property"]


def test_status_schemas_accept_operator_status_and_reject_malformed_conditions() -> None:
    # Given the status the operator writes
    condition = {
        "type": "Ready",
        "status": "True",
        "reason": "Provisioned",
        "message": "schema, vhost and workloads are ready",
        "lastTransitionTime": "2025-05-01T10:00:00Z",
        "observedGeneration": 3,
    }
    tenant_status = {
        "observedGeneration": 3,
        "conditions": [condition],
        "phase": "Ready",
        "shard": "local-1",
        "namespace": "tenant-corner-bakery",
        "url": "https://corner-bakery.tenantry.example",
        "appVersion": "1.14.2",
        "secretRefs": {"database": "corner-bakery-database", "broker": "corner-bakery-broker"},
    }
    shard_status = {
        "observedGeneration": 1,
        "conditions": [condition],
        "tenantCount": 12,
        "serverVersion": "16.4",
        "citusVersion": "",
        "lastCheckTime": "2025-05-01T10:00:00+00:00",
    }

    # Then both kinds accept it
    assert schema_errors("Tenant", {**tenant(), "status": tenant_status}) == []
    assert schema_errors("DatabaseShard", {**database_shard(), "status": shard_status}) == []

    # And malformed status is rejected field by field
    bad = copy.deepcopy(tenant_status)
    bad["conditions"] = [{**condition, "status": "Maybe", "lastTransitionTime": "yesterday"}, {"status": "True"}]
    bad["phase"] = "Running"
    bad["leftovers"] = True
    assert schema_errors("Tenant", {**tenant(), "status": bad}) == [
        "$.status.conditions[0].lastTransitionTime: 'yesterday' is not a 'date-time'",
        "$.status.conditions[0].status: 'Maybe' is not one of ['True', 'False', 'Unknown']",
        "$.status.conditions[1]: 'type' is a required property",
        "$.status.phase: 'Running' is not one of ['Provisioning', 'Ready', 'Suspended', 'Failed', 'Deleting']",
        "$.status: Additional properties are not allowed ('leftovers' was unexpected)",
    ]
    conditions = openapi_schema("Tenant")["properties"]["status"]["properties"]["conditions"]
    assert (conditions["x-kubernetes-list-type"], conditions["x-kubernetes-list-map-keys"]) == ("map", ["type"])


# --- CEL rules ---------------------------------------------------------------------------

ALL_RULES = [
    pytest.param(kind, path, validation, id=f"{kind}{path}:{validation['rule'][:40]}")
    for kind in sorted(CRD_BY_KIND)
    for path, validation in all_validations(openapi_schema(kind))
]


def test_the_expected_cel_rules_exist() -> None:
    # Given all rules of both CRDs
    paths = [(values[0], values[1]) for values in (param.values for param in ALL_RULES)]

    # Then the name, immutability and consistency rules are all there
    assert paths == [("Tenant", ".")] * 5 + [
        ("Tenant", ".spec.displayName"),
        ("Tenant", ".spec.displayName"),
        ("Tenant", ".spec.tier"),
        ("Tenant", ".spec.domains[*]"),
        ("Tenant", ".spec.region"),
        ("Tenant", ".spec.app.replicas"),
        ("Tenant", ".spec.database"),
    ]


@pytest.mark.parametrize(("kind", "path", "validation"), ALL_RULES)
def test_every_cel_rule_compiles_and_explains_itself(kind: str, path: str, validation: dict[str, Any]) -> None:
    # Given a rule from the schema
    env = celpy.Environment()

    # When it is compiled
    env.program(env.compile(validation["rule"]))

    # Then it carries a message saying what to do, and a reason the API server knows
    assert set(validation) == {"rule", "message", "reason"}
    assert "; " in validation["message"]
    assert validation["reason"] in {"FieldValueInvalid", "FieldValueForbidden"}


@pytest.mark.parametrize("name", ["corner-bakery", "abc", "a1b", "shop-2024", "a" * 40, "kube", "pgshop", "my-admin"])
def test_good_tenant_names_pass_the_name_rules(name: str) -> None:
    # Given a Tenant with a good name
    # When the name rules run
    violations = name_violations(name)

    # Then none fails
    assert violations == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("admin", [NAME_RESERVED]),
        ("www", [NAME_RESERVED]),
        ("pg-foo", [NAME_PREFIX]),
        ("kube-shop", [NAME_PREFIX]),
        ("tenantry-shop", [NAME_PREFIX]),
        ("pg_foo", [NAME_PATTERN, NAME_PREFIX]),
        ("ab", [NAME_LENGTH, NAME_PATTERN]),
        ("Bad_Name", [NAME_PATTERN]),
        ("a" * 41, [NAME_LENGTH, NAME_PATTERN]),
        ("1shop", [NAME_PATTERN]),
        ("shop-", [NAME_PATTERN]),
        ("my--shop", [NAME_DOUBLE_DASH]),
    ],
)
def test_bad_tenant_names_fail_with_the_rule_message(name: str, expected: list[str]) -> None:
    # Given a Tenant with a bad name
    # When the name rules run
    violations = name_violations(name)

    # Then exactly the broken rules report, with their messages
    assert violations == expected


def test_name_rules_agree_with_the_kernel_slug_validation() -> None:
    # Given reserved names, reserved prefixes and ordinary names
    names = sorted(RESERVED_SLUGS) + [f"{prefix}shop" for prefix in RESERVED_PREFIXES]
    names += ["corner-bakery", "ab", "a" * 40, "a" * 41, "Shop", "x--y", "shop-", "9lives", "admins", "pgadmin"]

    for name in names:
        # When both the API server's rules and the kernel judge the name
        try:
            validate_slug(name)
            kernel_accepts = True
        except InvalidSlug:
            kernel_accepts = False

        # Then they agree
        assert (name_violations(name) == []) == kernel_accepts, name


def test_replicas_min_above_max_is_rejected_by_cel() -> None:
    # Given Tenants with replica bounds
    schema = openapi_schema("Tenant")

    # Then min > max is rejected, min == max and a lone bound are accepted
    assert cel_violations(schema, tenant(app={"replicas": {"min": 3, "max": 2}})) == [REPLICAS_ORDER]
    assert cel_violations(schema, tenant(app={"replicas": {"min": 2, "max": 2}})) == []
    assert cel_violations(schema, tenant(app={"replicas": {"min": 5}})) == []
    assert cel_violations(schema, tenant(app={"replicas": {"max": 1}})) == []


@pytest.mark.parametrize(
    ("field", "before", "after", "message"),
    [("tier", "shared", "dedicated", TIER_IMMUTABLE), ("region", "local", "eu-west", REGION_IMMUTABLE)],
)
def test_tier_and_region_cannot_change(field: str, before: str, after: str, message: str) -> None:
    # Given an existing Tenant
    schema = openapi_schema("Tenant")
    old = tenant(**{field: before})

    # When it is updated with the field changed, or left alone while other fields change
    changed = cel_violations(schema, tenant(**{field: after}), old)
    unchanged = cel_violations(schema, tenant(plan="growth", **{field: before}), old)

    # Then only the change is refused
    assert changed == [message]
    assert unchanged == []
    # And the rule itself, evaluated directly
    assert evaluate_rule("self == oldSelf", before, before) is True
    assert evaluate_rule("self == oldSelf", after, before) is False


def test_tier_and_region_can_be_anything_valid_on_create() -> None:
    # Given a new Tenant (no old object): transition rules do not run
    violations = cel_violations(openapi_schema("Tenant"), tenant(tier="dedicated", region="eu-west"))

    # Then it is accepted
    assert violations == []


@pytest.mark.parametrize(
    ("old_database", "new_database", "expected"),
    [
        pytest.param({}, {"shard": "local-1"}, [], id="pinned for the first time"),
        pytest.param({"deletionPolicy": "Retain"}, {"shard": "local-1"}, [], id="pinned later"),
        pytest.param({"shard": "local-1"}, {"shard": "local-1", "deletionPolicy": "Delete"}, [], id="kept"),
        pytest.param({"shard": "local-1"}, {"shard": "local-2"}, [SHARD_PINNED], id="changed"),
        pytest.param({"shard": "local-1"}, {"deletionPolicy": "Retain"}, [SHARD_PINNED], id="removed"),
    ],
)
def test_database_shard_pin_is_set_once(old_database, new_database, expected: list[str]) -> None:
    # Given an existing Tenant with its database settings
    schema = openapi_schema("Tenant")
    old = tenant(database=old_database)

    # When its database settings are updated
    violations = cel_violations(schema, tenant(database=new_database), old)

    # Then the shard may be pinned once, never moved or unpinned
    assert violations == expected


@pytest.mark.parametrize(("name", "expected"), BAD_DISPLAY_NAMES, ids=repr)
def test_a_blank_display_name_or_one_with_control_characters_is_rejected_by_cel(name: str, expected: list[str]) -> None:
    # Given a Tenant whose displayName shows nothing, or carries a NUL, a line break, an escape...
    obj = tenant(displayName=name)

    # When its CEL rules run, as on create
    violations = cel_violations(openapi_schema("Tenant"), obj)

    # Then exactly the broken rule reports
    assert violations == expected


def test_the_operator_checks_display_names_as_the_crd_does() -> None:
    # Given names the API server's rules accept and refuse
    for name, expected in [(good, []) for good in GOOD_DISPLAY_NAMES] + BAD_DISPLAY_NAMES:
        # When the CEL rules and the operator (for objects an older API server let through) judge the name
        cel = cel_violations(openapi_schema("Tenant"), tenant(displayName=name))
        operator = tenant_spec_errors("corner-bakery", tenant(displayName=name)["spec"])

        # Then both accept the readable names and refuse the others, with the same messages
        assert cel == operator == expected, repr(name)


@pytest.mark.parametrize(
    "domain",
    ["shop.localhost", "printer.local", "web.tenantry-system.svc.cluster.local", "db.internal", "1.in-addr.arpa"],
)
def test_a_domain_that_never_reaches_a_store_is_rejected_by_cel_and_by_the_operator(domain: str) -> None:
    # Given a Tenant claiming a host name of a machine, a local network or a cluster
    obj = tenant(domains=["shop.example.com", domain])

    # When the schema, the CEL rules and the operator judge it
    errors = schema_errors("Tenant", obj)
    violations = cel_violations(openapi_schema("Tenant"), obj)
    operator = tenant_spec_errors("corner-bakery", obj["spec"])

    # Then the format passes, the rule refuses that domain, and so does the operator
    assert (errors, violations) == ([], [DOMAIN_NOT_PUBLIC])
    assert operator == [
        f"spec.domains: {domain} is not a public host name (names under .localhost, .local, .internal, .arpa "
        "never reach a store); remove it"
    ]
