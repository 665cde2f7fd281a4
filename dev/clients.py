"""Generate the typed TypeScript clients of both REST APIs from their OpenAPI schemas.

    make clients                     (or: python dev/clients.py)
    python dev/clients.py --out DIR  (write the files into DIR instead: tests/test_clients.py compares)

Each Django project dumps its schema with drf-spectacular (`manage.py spectacular --validate
--fail-on-warn`, test settings) into a scratch folder, and openapi-typescript turns it into
web/packages/api-client/src/generated/<project>.ts. The TypeScript is committed and the schemas
are not: a schema is a product of the Python code, the TypeScript is what the web apps compile
against, so one committed copy is enough, a review reads the API change in its diff, and one
comparison (tests/test_clients.py) says when it is stale. A project that publishes no schema yet
gets the client of an empty API, and the run says so. `npm ci` runs in web/ first when
node_modules is missing or was installed from another package-lock.json.
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
UNKNOWN_COMMAND = "Unknown command: 'spectacular'"


@dataclass(frozen=True)
class Project:
    name: str  # the generated file's stem
    title: str
    directory: str
    settings: str

    @property
    def file_name(self) -> str:
        return f"{self.name}.ts"


PROJECTS = [
    Project("control-plane", "control plane", "platform", "control_plane.settings.test"),
    Project("tenant-app", "tenant app", "tenant-app", "tenant_app.settings.test"),
]
# The document a project without a schema gets its client from: no operations at all.
EMPTY_SCHEMA = {"openapi": "3.0.3", "info": {"title": "No schema published yet", "version": "0"}, "paths": {}}


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


def dump_schema(project: Project, schema: Path) -> bool:
    """The project's OpenAPI schema into `schema`; False when the project publishes none (no drf-spectacular)."""
    command = [sys.executable, "manage.py", "spectacular", "--file", str(schema), "--format", "openapi-json"]
    result = subprocess.run(
        [*command, "--validate", "--fail-on-warn"],
        cwd=ROOT / project.directory,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": project.settings},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 and UNKNOWN_COMMAND in result.stderr:
        return False
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise SystemExit(f"clients: the {project.title}'s schema does not validate (manage.py spectacular):\n{output}")
    return True


def typescript(project: Project, schema: Path, published: bool) -> str:
    """The TypeScript types openapi-typescript makes of `schema`, under a line that says where they come from."""
    output = schema.with_suffix(".ts")
    result = subprocess.run(
        [str(OPENAPI_TYPESCRIPT), str(schema), "--output", str(output)], cwd=WEB, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"clients: openapi-typescript failed on the {project.title}'s schema:\n{result.stderr}")
    if published:
        origin = f"// Generated by `make clients` (dev/clients.py) from the {project.title}'s OpenAPI schema."
    else:
        origin = (
            f"// Generated by `make clients` (dev/clients.py): the {project.title} publishes no schema yet, so this\n"
            "// is the client of an empty API. Run `make clients` again once it serves one."
        )
    return f"{origin}\n{output.read_text()}"


def generate(out: Path) -> list[str]:
    """Both projects' client types into `out`; the titles of the projects that publish no schema."""
    ensure_web_dependencies()
    with tempfile.TemporaryDirectory(prefix="tenantry-openapi-") as scratch:
        schemas = {project: Path(scratch) / f"{project.name}.json" for project in PROJECTS}
        dumping = "OpenAPI schemas of both projects (manage.py spectacular --validate --fail-on-warn)"
        with step("clients", dumping), ThreadPoolExecutor(len(PROJECTS)) as pool:
            published = dict(zip(PROJECTS, pool.map(dump_schema, schemas, schemas.values()), strict=True))
        for project, schema in schemas.items():
            if not published[project]:
                schema.write_text(json.dumps(EMPTY_SCHEMA))
        converting = "TypeScript types from the schemas (openapi-typescript)"
        with step("clients", converting), ThreadPoolExecutor(len(PROJECTS)) as pool:
            texts = pool.map(lambda project: typescript(project, schemas[project], published[project]), PROJECTS)
            files = dict(zip(PROJECTS, texts, strict=True))
    out.mkdir(parents=True, exist_ok=True)
    for project, text in files.items():
        target = out / project.file_name
        where = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
        if target.exists() and target.read_text() == text:
            say(f"{where}: unchanged")
        else:
            target.write_text(text)
            say(f"{where}: written")
    return [project.title for project in PROJECTS if not published[project]]


def main() -> int:
    parser = argparse.ArgumentParser(description="Generate the typed TypeScript clients of both REST APIs.")
    parser.add_argument("--out", type=Path, default=GENERATED, help="the folder to write the .ts files to")
    arguments = parser.parse_args()
    for title in generate(arguments.out.resolve()):
        say(f"the {title} publishes no schema yet (no drf-spectacular there): its client has no operations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
