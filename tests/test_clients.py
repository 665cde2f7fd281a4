"""The TypeScript clients and request bodies committed in web/ are what `make clients` makes of the current schemas."""

import difflib
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ROOT / "web" / "packages" / "api-client" / "src" / "generated"
PROJECT_FILES = [
    "control-plane.requests.json",
    "control-plane.ts",
    "tenant-app.requests.json",
    "tenant-app.ts",
]
MADE = ("*.ts", "*.json")


def stale_files(committed: Path, fresh: Path) -> list[str]:
    """One message per committed file that differs from the fresh one, is missing, or is no longer made."""
    messages = []
    for made in sorted(path for pattern in MADE for path in fresh.glob(pattern)):
        kept = committed / made.name
        shown = kept.relative_to(ROOT) if kept.is_relative_to(ROOT) else kept
        if not kept.exists():
            messages.append(f"{shown} is missing: run `make clients` and commit it")
        elif kept.read_text() != made.read_text():
            diff = difflib.unified_diff(
                kept.read_text().splitlines(), made.read_text().splitlines(), "committed", "generated", lineterm="", n=1
            )
            excerpt = "\n".join(list(diff)[:20])
            messages.append(f"{shown} is stale (its API's schema changed): run `make clients` and commit it\n{excerpt}")
    for kept in sorted(path for pattern in MADE for path in committed.glob(pattern)):
        if not (fresh / kept.name).exists():
            messages.append(f"{kept.name} in {committed} is no longer generated: delete it")
    return messages


def test_the_committed_clients_are_those_of_the_current_schemas(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "dev/clients.py", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == PROJECT_FILES
    stale = stale_files(GENERATED, tmp_path)
    assert stale == [], "\n\n".join(stale)


def test_a_changed_schema_makes_the_committed_client_stale(tmp_path: Path) -> None:
    # Given what the generator would make after an operation left the tenant app's schema
    fresh = tmp_path / "fresh"
    shutil.copytree(GENERATED, fresh)
    client = fresh / "tenant-app.ts"
    committed = client.read_text()
    assert '"/api/v1/auth/me/": {' in committed
    client.write_text(committed.replace('"/api/v1/auth/me/": {', '"/api/v1/auth/myself/": {', 1))

    # When it is compared with the committed clients
    stale = stale_files(GENERATED, fresh)

    # Then the stale file is named with the command that fixes it, and the change is shown
    assert len(stale) == 1
    first_line, *diff = stale[0].splitlines()
    assert first_line == (
        "web/packages/api-client/src/generated/tenant-app.ts is stale (its API's schema changed): "
        "run `make clients` and commit it"
    )
    assert '-    "/api/v1/auth/me/": {' in diff
    assert '+    "/api/v1/auth/myself/": {' in diff


def test_a_client_missing_or_no_longer_made_is_named(tmp_path: Path) -> None:
    committed, fresh = tmp_path / "committed", tmp_path / "fresh"
    shutil.copytree(GENERATED, committed)
    shutil.copytree(GENERATED, fresh)
    (committed / "control-plane.ts").unlink()
    (committed / "old-api.ts").write_text("export type paths = Record<string, never>;\n")

    stale = stale_files(committed, fresh)

    assert stale == [
        f"{committed / 'control-plane.ts'} is missing: run `make clients` and commit it",
        f"old-api.ts in {committed} is no longer generated: delete it",
    ]


def test_a_changed_request_constraint_makes_the_committed_requests_stale(tmp_path: Path) -> None:
    # Given what the generator would make after sign-up's store name got longer (a constraint the TS does not carry)
    fresh = tmp_path / "fresh"
    shutil.copytree(GENERATED, fresh)
    requests = fresh / "control-plane.requests.json"
    document = json.loads(requests.read_text())
    store_name = document["components"]["schemas"]["SignupRequest"]["properties"]["store_name"]
    store_name["maxLength"] += 1
    requests.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")

    # When it is compared with the committed files
    stale = stale_files(GENERATED, fresh)

    # Then the request bodies are named stale, with the command that fixes them
    assert len(stale) == 1
    assert stale[0].splitlines()[0] == (
        "web/packages/api-client/src/generated/control-plane.requests.json is stale (its API's schema changed): "
        "run `make clients` and commit it"
    )


def test_the_request_bodies_keep_the_constraints_and_the_operations() -> None:
    document = json.loads((GENERATED / "control-plane.requests.json").read_text())

    signup = document["paths"]["/api/v1/signup/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert signup == {"$ref": "#/components/schemas/SignupRequest"}
    body = document["components"]["schemas"]["SignupRequest"]
    assert body["properties"]["email"]["format"] == "email"
    assert "maxLength" in body["properties"]["store_name"]
    assert "PlanName" in document["components"]["schemas"]  # what a body refers to comes along
    operations = [operation for by_method in document["paths"].values() for operation in by_method.values()]
    assert operations
    assert all("requestBody" in operation for operation in operations)
