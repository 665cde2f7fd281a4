"""Generate the typed TypeScript clients of both REST APIs from their OpenAPI schemas.

    make clients                     (or: python dev/clients.py)
    python dev/clients.py --out DIR  (write the files into DIR instead: tests/test_clients.py compares)

Each Django project dumps its schema with drf-spectacular (`manage.py spectacular --validate
--fail-on-warn`, test settings) into a scratch folder, and openapi-typescript turns it into
web/packages/api-client/src/generated/<project>.ts. A schema that does not validate stops the run
with drf-spectacular's complaints. `npm ci` runs in web/ first when node_modules is missing or was
installed from another package-lock.json.

Next to the TypeScript goes <project>.requests.json: the schema cut down to what a request sends,
every operation that has a request body (its method, path and body) and the components those
bodies use, with their JSON Schema constraints (maxLength, minLength, pattern, format, required,
enum) that openapi-typescript drops. The portal's zod rules (web/portal/src/lib/schemas.ts) are
written by hand for the forms; a Vitest test (web/portal/tests/schemas-openapi.test.ts) reads this
file and fails when a form's rules drift from the request body it feeds. Why a committed file and
not a pytest test that dumps the schema and runs node with its path: the portal's checks
(`npm run typecheck && npx vitest run`) then need no Python, Django or database, a review reads a
changed constraint in the diff next to the TypeScript, and tests/test_clients.py already says
when a committed file is stale. Why not the whole document: it is some 770 kB, mostly responses and
examples that the TypeScript already carries; the request bodies are a few kB.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from steps import step

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
GENERATED = WEB / "packages" / "api-client" / "src" / "generated"
OPENAPI_TYPESCRIPT = WEB / "node_modules" / ".bin" / "openapi-typescript"
# What npm ci installed from: a digest of the lock file and every package.json of the workspace.
INSTALLED_STAMP = WEB / "node_modules" / ".tenantry-installed"
NODE_AT_LEAST = (20, 19)  # Vite 7, under vitest, needs it


@dataclass(frozen=True)
class Project:
    name: str  # the generated file's stem
    title: str
    directory: str
    settings: str

    @property
    def file_name(self) -> str:
        return f"{self.name}.ts"

    @property
    def requests_file_name(self) -> str:
        return f"{self.name}.requests.json"


PROJECTS = [
    Project("control-plane", "control plane", "platform", "control_plane.settings.test"),
    Project("tenant-app", "tenant app", "tenant-app", "tenant_app.settings.test"),
]


def say(text: str) -> None:
    print(f"clients: {text}", flush=True)


def workspace_digest() -> str:
    manifests = [WEB / "package-lock.json", WEB / "package.json", *sorted(WEB.glob("packages/*/package.json"))]
    digest = hashlib.sha256()
    for manifest in manifests:
        digest.update(manifest.relative_to(WEB).as_posix().encode() + b"\0" + manifest.read_bytes() + b"\0")
    return digest.hexdigest()


def check_node() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise SystemExit("clients: node and npm are not on PATH: install Node.js 20.19 or newer with npm")
    version = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    found = tuple(int(part) for part in re.findall(r"\d+", version)[:2])
    if found < NODE_AT_LEAST:
        wanted = ".".join(map(str, NODE_AT_LEAST))
        raise SystemExit(f"clients: web/ needs Node.js {wanted} or newer, and `node` is {version}: install a newer one")


def ensure_web_dependencies() -> None:
    """`npm ci` in web/ unless node_modules was installed from the current lock file and manifests."""
    check_node()
    wanted = workspace_digest()
    if INSTALLED_STAMP.exists() and INSTALLED_STAMP.read_text().strip() == wanted:
        say("web/node_modules is that of package-lock.json: no npm ci")
        return
    with step("clients", "npm ci in web/ (the locked packages of the npm workspace)"):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=WEB, check=True)
        INSTALLED_STAMP.write_text(wanted + "\n")


def dump_schema(project: Project, schema: Path) -> None:
    """The project's OpenAPI schema into `schema`, validated, or the run stops saying why."""
    command = [sys.executable, "manage.py", "spectacular", "--file", str(schema), "--format", "openapi-json"]
    result = subprocess.run(
        [*command, "--validate", "--fail-on-warn"],
        cwd=ROOT / project.directory,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": project.settings},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise SystemExit(f"clients: the {project.title}'s schema does not validate (manage.py spectacular):\n{output}")


def typescript(project: Project, schema: Path) -> str:
    """The TypeScript types openapi-typescript makes of `schema`, under a line that says where they come from."""
    output = schema.with_suffix(".ts")
    result = subprocess.run(
        [str(OPENAPI_TYPESCRIPT), str(schema), "--output", str(output)], cwd=WEB, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"clients: openapi-typescript failed on the {project.title}'s schema:\n{result.stderr}")
    origin = f"// Generated by `make clients` (dev/clients.py) from the {project.title}'s OpenAPI schema."
    return f"{origin}\n{output.read_text()}"


def referenced(node: object) -> set[str]:
    """The names of the components `node` refers to (`{"$ref": "#/components/schemas/<name>"}`), at any depth."""
    if isinstance(node, dict):
        found = {str(node["$ref"]).rsplit("/", 1)[-1]} if "$ref" in node else set()
        return found.union(*(referenced(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(referenced(value) for value in node))
    return set()


def request_bodies(project: Project, schema: Path) -> str:
    """The schema cut down to its request bodies: each operation's body and the components they use, as JSON."""
    document = json.loads(schema.read_text())
    paths: dict[str, dict[str, object]] = {}
    for path, operations in sorted(document.get("paths", {}).items()):
        for method, operation in sorted(operations.items()):
            if isinstance(operation, dict) and "requestBody" in operation:
                paths.setdefault(path, {})[method] = {"requestBody": operation["requestBody"]}
    components = document.get("components", {}).get("schemas", {})
    wanted, todo = set(), referenced(paths)
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo |= referenced(components[name])
    cut = {
        "openapi": document["openapi"],
        "info": {
            "title": document["info"]["title"],
            "version": document["info"]["version"],
            "description": f"Generated by `make clients` (dev/clients.py): the {project.title}'s request bodies.",
        },
        "paths": paths,
        "components": {"schemas": {name: components[name] for name in sorted(wanted)}},
    }
    return json.dumps(cut, indent=2, ensure_ascii=False) + "\n"


def generate(out: Path) -> None:
    """Both projects' client types into `out`."""
    ensure_web_dependencies()
    with tempfile.TemporaryDirectory(prefix="tenantry-openapi-") as scratch:
        schemas = {project: Path(scratch) / f"{project.name}.json" for project in PROJECTS}
        dumping = "OpenAPI schemas of both projects (manage.py spectacular --validate --fail-on-warn)"
        with step("clients", dumping), ThreadPoolExecutor(len(PROJECTS)) as pool:
            list(pool.map(dump_schema, schemas, schemas.values()))
        converting = "TypeScript types from the schemas (openapi-typescript)"
        with step("clients", converting), ThreadPoolExecutor(len(PROJECTS)) as pool:
            texts = pool.map(lambda project: typescript(project, schemas[project]), PROJECTS)
            files = dict(zip((project.file_name for project in PROJECTS), texts, strict=True))
        for project in PROJECTS:
            files[project.requests_file_name] = request_bodies(project, schemas[project])
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        target = out / name
        where = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
        if target.exists() and target.read_text() == text:
            say(f"{where}: unchanged")
        else:
            target.write_text(text)
            say(f"{where}: written")


def main() -> int:
    parser = argparse.ArgumentParser(description="Generate the typed TypeScript clients of both REST APIs.")
    parser.add_argument("--out", type=Path, default=GENERATED, help="the folder to write the .ts files to")
    arguments = parser.parse_args()
    generate(arguments.out.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
