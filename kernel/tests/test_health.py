"""Readiness checks against the real services of this machine, and their failure modes."""

import threading
import time

from tenantry_kernel import health
from tenantry_kernel.testing import free_port
from tenantry_kernel.testing.databases import server_params


def test_all_checks_pass_against_the_running_services() -> None:
    checks = {
        "postgres": health.check_postgres({**server_params(), "dbname": "postgres"}),
        "redis": health.check_redis("redis://127.0.0.1:6379/0"),
        "rabbitmq": health.check_amqp("amqp://guest:guest@127.0.0.1:5672//"),
    }

    readiness = health.run_checks(checks, timeout=5)

    assert readiness.ok, readiness.as_dict()
    assert readiness.as_dict()["failing"] == []


def test_each_closed_port_is_named_with_its_error() -> None:
    closed = free_port()
    checks = {
        "postgres": health.check_postgres({"host": "127.0.0.1", "port": closed, "user": "postgres", "dbname": "x"}),
        "redis": health.check_redis(f"redis://127.0.0.1:{closed}/0"),
        "rabbitmq": health.check_amqp(f"amqp://guest:secret-pw@127.0.0.1:{closed}//"),
    }

    body = health.run_checks(checks, timeout=2).as_dict()

    assert body["status"] == "unavailable"
    assert sorted(body["failing"]) == ["postgres", "rabbitmq", "redis"]
    for name in ("postgres", "redis", "rabbitmq"):
        assert body["checks"][name]["status"] == "error"
        assert body["checks"][name]["error"]
    assert "secret-pw" not in str(body)


def test_a_hung_dependency_fails_the_probe_within_the_timeout() -> None:
    release = threading.Event()

    def hangs(timeout: float) -> None:
        release.wait(30)

    started = time.monotonic()
    readiness = health.run_checks({"slow": hangs, "fine": lambda timeout: None}, timeout=0.3)
    elapsed = time.monotonic() - started
    release.set()

    assert not readiness.ok
    assert readiness.as_dict()["failing"] == ["slow"]
    assert "timed out" in readiness.as_dict()["checks"]["slow"]["error"]
    # Not a timing assertion on speed, only that the probe did not wait for the hung check.
    assert elapsed < 30


def test_no_checks_means_ready() -> None:
    assert health.run_checks({}).ok
