"""Every environment variable the code reads is declared in tenantry_kernel.config, and its reference is current.

The code is read, not run: every call that reads a variable by a literal name (os.environ, os.getenv,
the kernel's `getenv`, django-environ's `env.<type>(...)`, `${NAME:-…}` in shell scripts, `$(NAME)` in
the Makefile) is found with `ast` (or a pattern), so branches no test takes count too.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import environ

from tenantry_kernel.config import VARIABLES, Varies
from tenantry_kernel.config.reference import COMMAND, ENV_EXAMPLE, stale_files

ROOT = Path(__file__).resolve().parents[1]
PYTHON_FOLDERS = ("kernel", "operator", "platform", "tenant-app", "dev", "tests", "bench")
SHELL_SCRIPTS = ("dev/bootstrap.sh", ".ci/run")
# The readers' own tests read undeclared names and pass wrong defaults on purpose, to see them refused.
NOT_SCANNED = {"kernel/tests/test_config.py"}
# Read by the code, but not Tenantry's configuration.
NOT_CONFIGURATION = {"PYTHONPATH": "Python's module path, which a test passes on to the processes it starts"}
# django-environ's readers (`env` is the kernel's `tenantry_kernel.config.env` wherever settings use it).
ENVIRON_READERS = {
    "bool",
    "bytes",
    "cache",
    "cache_url",
    "channels_url",
    "db",
    "db_url",
    "dict",
    "email",
    "email_url",
    "float",
    "get_value",
    "int",
    "json",
    "list",
    "path",
    "search_url",
    "str",
    "tuple",
    "url",
}
VARIABLE_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
SHELL_READ = re.compile(r"\$\{([A-Z][A-Z0-9_]*):?-([^}]*)\}")
MAKE_READ = re.compile(r"\$\(([A-Z][A-Z0-9_]*)\)")
MAKE_ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)\s*[:?+]?=", re.MULTILINE)
MAKE_BUILTINS = {"MAKEFILE_LIST", "MAKE", "CURDIR", "SHELL"}


@dataclass(frozen=True)
class Read:
    name: str
    where: str
    # How it was read: "os.environ.get", "getenv", "env.str", "shell" … ("setdefault" sets it for a child).
    how: str
    # The default the reader passes: the text of a literal, or None when it passes none (or a non-literal).
    default: str | None = None
    passes_default: bool = False


def _literal_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and VARIABLE_NAME.match(node.value):
        return node.value
    return None


def _is_os_environ(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _call_read(node: ast.Call, *, dev_script: bool) -> str | None:
    """How `node` reads a variable, if it is a read of one."""
    function = node.func
    if isinstance(function, ast.Name):
        return "getenv" if function.id == "getenv" else None
    if not isinstance(function, ast.Attribute):
        return None
    receiver = function.value
    if _is_os_environ(receiver) and function.attr in ("get", "setdefault"):
        return f"os.environ.{function.attr}"
    if function.attr == "getenv":
        return "getenv"
    if isinstance(receiver, ast.Name) and receiver.id == "env":
        if function.attr in ENVIRON_READERS:
            return f"env.{function.attr}"
        # The dev scripts pass copies of the environment around as `env`.
        if dev_script and function.attr == "get":
            return "dict.get"
    return None


def python_reads(path: Path) -> list[Read]:
    relative = path.relative_to(ROOT).as_posix()
    dev_script = relative.startswith("dev/")
    reads = []
    for node in ast.walk(ast.parse(path.read_text(), filename=relative)):
        where = f"{relative}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Call) and node.args and (name := _literal_name(node.args[0])):
            if how := _call_read(node, dev_script=dev_script):
                given = node.args[1] if len(node.args) > 1 else None
                given = next((keyword.value for keyword in node.keywords if keyword.arg == "default"), given)
                literal = given.value if isinstance(given, ast.Constant) else None
                text = None if literal is None else str(literal)
                reads.append(Read(name, where, how, text, passes_default=given is not None))
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and (name := _literal_name(node.slice)):
            receiver = node.value
            if _is_os_environ(receiver) or (dev_script and isinstance(receiver, ast.Name) and receiver.id == "env"):
                reads.append(Read(name, where, "[]"))
        elif (
            isinstance(node, ast.Compare)
            and (name := _literal_name(node.left))
            and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops)
            and any(map(_is_os_environ, node.comparators))
        ):
            reads.append(Read(name, where, "in"))
    return reads


def shell_reads(path: Path) -> list[Read]:
    relative = path.relative_to(ROOT).as_posix()
    return [
        Read(match.group(1), f"{relative}:{path.read_text().count(chr(10), 0, match.start()) + 1}", "shell")
        for match in SHELL_READ.finditer(path.read_text())
    ]


def makefile_reads(path: Path) -> list[Read]:
    text = path.read_text()
    assigned = set(MAKE_ASSIGNMENT.findall(text)) | MAKE_BUILTINS
    return [
        Read(match.group(1), f"Makefile:{text.count(chr(10), 0, match.start()) + 1}", "make")
        for match in MAKE_READ.finditer(text)
        if match.group(1) not in assigned
    ]


@functools.cache
def every_read() -> tuple[Read, ...]:
    reads = []
    for folder in PYTHON_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            excluded = path.relative_to(ROOT).as_posix() in NOT_SCANNED
            if not excluded and not {".venv", "migrations", "node_modules"} & set(path.parts):
                reads += python_reads(path)
    for script in SHELL_SCRIPTS:
        reads += shell_reads(ROOT / script)
    reads += makefile_reads(ROOT / "Makefile")
    return tuple(reads)


def test_the_scan_finds_reads_of_every_kind() -> None:
    # Given the code as it is, when it is scanned, then each way of reading a variable is found at least once:
    # a scan that found nothing would let every other test here pass.
    hows = {read.how for read in every_read()}

    assert {"getenv", "env.str", "env.int", "env.bool", "env.list", "os.environ.get", "[]", "shell", "make"} <= hows


def test_the_code_reads_only_declared_variables() -> None:
    undeclared = [
        f"{read.name} ({read.where})"
        for read in every_read()
        if read.name not in VARIABLES and read.name not in NOT_CONFIGURATION
    ]

    assert not undeclared, (
        "read but not declared in kernel/tenantry_kernel/config/catalog.py (declare each with its type, default, "
        f"components and meaning, then run `{COMMAND}`): {', '.join(undeclared)}"
    )


def test_every_declared_variable_is_read_somewhere() -> None:
    read = {each.name for each in every_read()}

    unread = sorted(name for name, variable in VARIABLES.items() if name not in read and not variable.read_by)

    assert not unread, (
        "declared in kernel/tenantry_kernel/config/catalog.py but read nowhere (remove them, or say in `read_by` "
        f"which library or code reads them by another name): {', '.join(unread)}"
    )


def test_readers_take_declared_defaults_from_the_catalog() -> None:
    # A reader passes its own default only where the catalog says the default depends on the reader; elsewhere a
    # literal default (in code that reads os.environ directly: dev scripts, tests, benchmarks) must be the declared
    # one, so the same variable never has two defaults.
    conflicts = []
    for read in every_read():
        variable = VARIABLES.get(read.name)
        if variable is None or read.how == "os.environ.setdefault":
            continue
        if isinstance(variable.default, Varies):
            if read.how.startswith(("env.", "getenv")) and not read.passes_default:
                conflicts.append(
                    f"{read.name} ({read.where}) passes no default: the catalog says it depends on the reader"
                )
            continue
        if not read.passes_default:
            continue
        if read.how.startswith(("env.", "getenv")):
            conflicts.append(f"{read.name} ({read.where}) passes a default: its default is the catalog's")
        elif read.default is not None and read.default != variable.default_text:
            conflicts.append(
                f"{read.name} ({read.where}) defaults to {read.default!r}, the catalog to {variable.default_text!r}"
            )

    assert not conflicts, "; ".join(conflicts)


def test_docs_and_env_example_are_what_the_catalog_writes() -> None:
    stale = stale_files(ROOT)

    assert not stale, f"{', '.join(map(str, stale))} differ from the catalog: run `{COMMAND}` and commit the result"


def test_env_example_sets_each_default_as_the_readers_read_it() -> None:
    # Given .env.example read as django-environ reads an env file,
    class EnvFile(environ.Env):  # type: ignore[misc]  # django-environ has no type information
        ENVIRON: dict[str, str] = {}

    EnvFile.read_env(str(ROOT / ENV_EXAMPLE))

    # then it writes no secret's value (and the message never shows one), and every line it sets gives the
    # declared default.
    assert EnvFile.ENVIRON, "nothing read from .env.example"
    for name, text in EnvFile.ENVIRON.items():
        variable = VARIABLES[name]
        writes_a_secret = variable.secret and bool(text)
        assert not writes_a_secret, f"{name} is a secret, yet .env.example writes a value for it"
        assert variable.has_fixed_default, f"{name} has no default of its own, yet .env.example sets it"
        assert text == variable.default_text, f"{name}: .env.example sets another value than the catalog's default"
    assert set(EnvFile.ENVIRON) == {name for name, variable in VARIABLES.items() if variable.has_fixed_default} - {
        name for name, variable in VARIABLES.items() if variable.secret and variable.default_text
    }
