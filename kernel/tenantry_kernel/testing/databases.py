"""Scratch databases for tests that run whole projects, copied from migrated templates.

Migrating the control plane from nothing takes minutes here (dj-stripe alone has dozens of
migrations); `CREATE DATABASE … TEMPLATE` copies a migrated one in well under a second. A
template is named after a fingerprint of everything that decides its schema (the project's and
the kernel's migrations, and the locked dependency versions), so it is made once, reused by
every later run while nothing changed, and replaced when something did.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from tenantry_kernel.config import getenv

ROOT = Path(__file__).resolve().parents[3]
KERNEL = ROOT / "kernel"
LOCK_FILE = ROOT / "requirements" / "dev.txt"
_COMPLETE = "tenantry migrated template"


def server_params() -> dict[str, str]:
    """Where the local server is and who its superuser is, from the libpq variables `make services` sets.

    The password is not here: libpq takes it from PGPASSWORD or the password file PGPASSFILE names.
    """
    return {
        "host": getenv("PGHOST"),
        "port": getenv("PGPORT"),
        "user": getenv("PGUSER"),
    }


def server_conninfo(dbname: str = "postgres", **params: str) -> str:
    """A libpq connection string for `dbname` on the local server, as its superuser unless `params` say otherwise."""
    return make_conninfo(**{**server_params(), "dbname": dbname, **params})


def server_url() -> str:
    """`postgresql://user@host:port` of the local server (TCP), for code that appends `/dbname` to a URL."""
    params = server_params()
    return f"postgresql://{params['user']}@{params['host']}:{params['port']}"


def server_env(dbname: str) -> dict[str, str]:
    """Environment for a Django process of ours on `dbname` (the libpq variables; no DATABASE_URL)."""
    params = server_params()
    return {
        "DATABASE_URL": "",
        "PGHOST": params["host"],
        "PGPORT": params["port"],
        "PGUSER": params["user"],
        "PGDATABASE": dbname,
    }


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(server_conninfo(), autocommit=True)


def fingerprint(project: Path) -> str:
    digest = hashlib.sha256(LOCK_FILE.read_bytes())
    for directory in (project, KERNEL):
        for path in sorted(directory.rglob("migrations/*.py")):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _exists(conn: psycopg.Connection[tuple[object, ...]], name: str) -> bool:
    row = conn.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
    ).fetchone()
    return row is not None and row[0] == _COMPLETE


def migrated_template(project: Path, settings_module: str, label: str) -> str:
    """The name of a database migrated for the Django project in `project` (made if missing).

    Concurrent runs serialize on an advisory lock; a half-made template (a run killed while
    migrating) is never used, because only a finished one is marked complete.
    """
    name = f"tenantry_tmpl_{label}_{fingerprint(project)}"
    lock = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with _admin() as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", [lock])
        try:
            if _exists(conn, name):
                return name
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            environment = {**os.environ, "PGDATABASE": name, "DJANGO_SETTINGS_MODULE": settings_module}
            environment.pop("DATABASE_URL", None)
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                cwd=project,
                env=environment,
                check=True,
            )
            conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(_COMPLETE)))
            stale = conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
                [f"tenantry\\_tmpl\\_{label}\\_%", name],
            ).fetchall()
            for (old,) in stale:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(str(old))))
            return name
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [lock])


def copy_database(template: str, name: str) -> None:
    """`name` as a fresh copy of `template` (replacing any database of that name)."""
    with _admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))


def create_database(name: str) -> None:
    with _admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name: str) -> None:
    with _admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def drop_role(name: str) -> None:
    """Drop a role that owns nothing any more (its databases and schemas went first)."""
    with _admin() as conn:
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


# Held (on the `postgres` database) by every test that reopens the server's own databases, in any suite.
_SERVER_DATABASES_LOCK = int.from_bytes(hashlib.sha256(b"tenantry:server-databases").digest()[:8], "big", signed=True)


@contextmanager
def server_databases_reopened() -> Iterator[None]:
    """`postgres` and `template1` open to PUBLIC again, as on a new server, for a test proving some code closes them.

    An earlier run (or `make services`) closed them for good, so such a test would pass without
    the code it tests. Only one such block runs at a time on the server (an advisory lock across
    every suite's processes): another could not reopen them between this test's code closing them
    and its attack. They are left as the test's code leaves them.
    """
    with _admin() as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", [_SERVER_DATABASES_LOCK])
        try:
            for name in ("postgres", "template1"):
                grant = sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO PUBLIC").format(sql.Identifier(name))
                for attempt in range(5):
                    try:
                        conn.execute(grant)
                        break
                    except psycopg.errors.InternalError_:  # "tuple concurrently updated": code closing it now
                        if attempt == 4:
                            raise
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [_SERVER_DATABASES_LOCK])


@contextmanager
def new_database(template: str | None = None, prefix: str = "tenantry_scratch") -> Iterator[str]:
    """A new database on the local server (a copy of `template`, or empty), dropped afterwards."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    if template:
        copy_database(template, name)
    else:
        create_database(name)
    try:
        yield name
    finally:
        drop_database(name)


PROJECTS: Mapping[str, tuple[Path, str]] = {
    "control_plane": (ROOT / "platform", "control_plane.settings.local"),
    "tenant_app": (ROOT / "tenant-app", "tenant_app.settings.local"),
}


@contextmanager
def migrated_database(project: str) -> Iterator[str]:
    """A scratch database of `project` ("control_plane" or "tenant_app"), migrated, dropped afterwards."""
    directory, settings_module = PROJECTS[project]
    with new_database(migrated_template(directory, settings_module, project.replace("_", ""))) as name:
        yield name
