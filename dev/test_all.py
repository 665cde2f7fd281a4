"""Run every component's pytest suite and print one closing line for the whole run.

    python dev/test_all.py [extra pytest arguments]

Each component has its own pytest.ini (its own Django settings), so each suite runs in
its own process. A suite that collects no tests fails the run: pytest's exit code 5
must never pass for green. The run says first and last which PostgreSQL it tests against;
under CI=true it refuses to run on a fallback server nobody asked for. The migrated template
databases the suites copy are made (or found) first, as a step of their own with its time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from steps import step

from tenantry_kernel import local_services

ROOT = Path(__file__).resolve().parents[1]
SUITES = os.environ.get("TENANTRY_SUITES", "kernel operator platform tenant-app tests").split()
NO_TESTS_COLLECTED = 5


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def prepare_templates() -> None:
    """Both projects' migrated templates, made in parallel (each migration is a process of its own)."""
    from tenantry_kernel.testing.databases import PROJECTS, migrated_template

    what = "migrated template databases (minutes when migrations changed, else found)"
    with step("tests", what), ThreadPoolExecutor(len(PROJECTS)) as pool:
        made = [
            pool.submit(migrated_template, directory, settings, name.replace("_", ""))
            for name, (directory, settings) in PROJECTS.items()
        ]
        for future in made:
            print(f"tests: template {future.result()}", flush=True)


def main() -> int:
    local_services.load()
    server = f"PostgreSQL: {local_services.postgres_server()}"
    print(f"tests: {server}", flush=True)
    if in_ci() and os.environ.get("TENANTRY_POSTGRES_KIND") == "embedded-fallback":
        print("tests: CI=true refuses a fallback PostgreSQL it did not ask for (see `make services`)", flush=True)
        return 1
    prepare_templates()
    reports = ROOT / ".local" / "junit"
    reports.mkdir(parents=True, exist_ok=True)
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    failures: list[str] = []
    for suite in SUITES:
        report = reports / f"{suite}.xml"
        report.unlink(missing_ok=True)
        print(f"\n=== {suite} ===", flush=True)
        code = subprocess.call([sys.executable, "-m", "pytest", suite, f"--junitxml={report}", *sys.argv[1:]], cwd=ROOT)
        if code == NO_TESTS_COLLECTED:
            failures.append(f"{suite}: no tests collected")
        elif code != 0:
            failures.append(f"{suite}: pytest exited with {code}")
        if report.exists():
            suite_totals = ET.parse(report).getroot().iter("testsuite")  # noqa: S314 (our own JUnit file, written by pytest in this run)
            for node in suite_totals:
                tests, errors = int(node.get("tests", 0)), int(node.get("errors", 0))
                failed, skipped = int(node.get("failures", 0)) + errors, int(node.get("skipped", 0))
                totals["passed"] += tests - failed - skipped
                totals["failed"] += failed
                totals["skipped"] += skipped
    print(f"\ntests: {server}")
    for failure in failures:
        print(f"FAILED {failure}")
    print(f"{totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped", flush=True)
    return 1 if failures or totals["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
