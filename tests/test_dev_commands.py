"""The developer commands behind `make up` and `make test`, run for real."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import requests

from tenantry_kernel.testing import free_port

ROOT = Path(__file__).resolve().parents[1]


def test_up_serves_healthz_and_readyz_on_both_apps_and_ctrl_c_stops_them(scratch_databases: tuple[str, str]) -> None:
    ports = {"CONTROL_PLANE_PORT": free_port(), "TENANT_APP_PORT": free_port()}
    portal_port = free_port()
    databases = dict(zip(("CONTROL_PLANE_DB", "TENANT_APP_DB"), scratch_databases, strict=True))
    env = {
        **os.environ,
        **{key: str(port) for key, port in ports.items()},
        **databases,
        "PORTAL_PORT": str(portal_port),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    up = subprocess.Popen(
        [sys.executable, "dev/up.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(up.stdout or []), daemon=True)
    reader.start()
    answers: dict[str, tuple[int, int]] = {}
    try:
        deadline = time.monotonic() + 120
        while not any("Tenantry is running" in line for line in lines) and time.monotonic() < deadline:
            time.sleep(0.2)
        while len(answers) < len(ports) and time.monotonic() < deadline and up.poll() is None:
            for name, port in ports.items():
                try:
                    health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    ready = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
                    answers[name] = (health.status_code, ready.status_code)
                except requests.ConnectionError:
                    time.sleep(0.3)
        portal = requests.get(f"http://127.0.0.1:{portal_port}/sign-in", timeout=10)
        children = psutil.Process(up.pid).children(recursive=True)
    finally:
        up.send_signal(signal.SIGINT)
        up.wait(timeout=30)
        reader.join(timeout=5)
    output = "".join(lines)

    assert answers == {"CONTROL_PLANE_PORT": (200, 200), "TENANT_APP_PORT": (200, 200)}, output[-3000:]
    assert f"http://localhost:{ports['CONTROL_PLANE_PORT']}/" in output
    # The portal is served (production build) and its URL comes first among the URLs.
    assert portal.status_code == 200, output[-3000:]
    running = output[output.index("Tenantry is running") :].splitlines()
    assert running[1].split() == [
        "portal",
        f"http://localhost:{portal_port}/",
        "(sign",
        "in:",
        f"http://localhost:{portal_port}/sign-in)",
    ]
    assert up.returncode == 0, output[-3000:]
    assert children
    time.sleep(0.5)
    assert not [child for child in children if child.is_running() and child.status() != psutil.STATUS_ZOMBIE]


def test_a_suite_that_collects_no_tests_fails_the_run(tmp_path: Path) -> None:
    empty = tmp_path / "empty_suite"
    empty.mkdir()
    (empty / "pytest.ini").write_text("[pytest]\naddopts = -p no:django\n")

    result = subprocess.run(
        [sys.executable, str(ROOT / "dev" / "test_all.py")],
        cwd=ROOT,
        env={**os.environ, "TENANTRY_SUITES": str(empty)},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert "no tests collected" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "0 passed, 0 failed, 0 skipped"


def services(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """dev/services.py with its state in `tmp_path` and no Debian cluster in sight (PATH has no pg_lsclusters)."""
    bare = {key: value for key, value in os.environ.items() if not key.startswith(("PG", "TENANTRY_", "CI"))}
    return subprocess.run(
        [sys.executable, str(ROOT / "dev" / "services.py")],
        cwd=ROOT,
        env={**bare, "PATH": str(tmp_path), "TENANTRY_LOCAL_DIR": str(tmp_path / "local"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_services_under_ci_refuse_a_postgresql_fallback_nobody_asked_for(tmp_path: Path) -> None:
    result = services(tmp_path, CI="true")

    assert result.returncode == 1
    assert (
        "services: PostgreSQL: CI=true and the system PostgreSQL cannot be used: no Debian PostgreSQL cluster here "
        "(apt-get install postgresql, as root). CI does not fall back to the embedded server it did not ask for "
        "(TENANTRY_POSTGRES=embedded asks for it)."
    ) in result.stdout
    assert not (tmp_path / "local" / "services.env").exists()  # nothing points at a server that is not there


def test_services_asked_for_the_system_postgresql_say_why_it_cannot_be_used(tmp_path: Path) -> None:
    result = services(tmp_path, TENANTRY_POSTGRES="system")

    assert result.returncode == 1
    assert "services: PostgreSQL: no Debian PostgreSQL cluster here (apt-get install postgresql, as root)" in (
        result.stdout
    )
    assert "embedded" not in result.stdout


def test_the_suite_runner_under_ci_refuses_to_run_on_a_fallback_server(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "dev" / "test_all.py")],
        cwd=ROOT,
        env={
            **os.environ,
            "CI": "true",
            "TENANTRY_POSTGRES_KIND": "embedded-fallback",
            "TENANTRY_POSTGRES_SERVER": "embedded PostgreSQL 18.1 in .local/postgres",
            "TENANTRY_SUITES": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "tests: PostgreSQL: embedded PostgreSQL 18.1 in .local/postgres — a FALLBACK, not the machine's server",
        "tests: CI=true refuses a fallback PostgreSQL it did not ask for (see `make services`)",
    ]
