"""Run every component's pytest suite, and web/'s checks, and print one closing line for the whole run.

    python dev/test_all.py [extra pytest arguments]

Each component has its own pytest.ini (its own Django settings), so each suite runs in
its own process. A suite that collects no tests fails the run: pytest's exit code 5
must never pass for green. The run says first and last which PostgreSQL it tests against;
under CI=true it refuses to run on a fallback server nobody asked for. The migrated template
databases the suites copy are made (or found) first, as a step of their own with its time.

The suite `web` is the npm workspace in web/: `npm run typecheck` (tsc) then `npm test`
(vitest, with a JUnit report like pytest's). `npm ci` runs before the suites, as a step of
its own, when web/node_modules was not installed from the current package-lock.json.

Suites run side by side in `TENANTRY_TEST_LANES` lanes (default: one per core, at most two),
longest first by the durations the last run recorded. The tenant app's tests are two suites,
`tenant-app` and `tenant-app-2` (SPLIT_SUITES): its test modules are dealt to them longest
first, each to the part with less work so far, by the seconds each module took in the last full
run (`.local/junit/modules.json`; a module not seen yet counts its test functions), so each part
is about half of what one suite would take and the lanes balance. Each suite's output goes to
`.local/junit/<suite>.log` and is printed whole when the suite ends; with one lane it streams.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from clients import WEB, ensure_web_dependencies
from steps import elapsed, step

from tenantry_kernel import local_services

ROOT = Path(__file__).resolve().parents[1]
SUITES = os.environ.get("TENANTRY_SUITES", "kernel operator platform tenant-app tenant-app-2 tests web").split()
# Suites that need web/node_modules: the web checks, and tests/test_clients.py's openapi-typescript.
NEEDS_WEB_DEPENDENCIES = {"web", "tests"}
REPORTS = ROOT / ".local" / "junit"
DURATIONS = REPORTS / "durations.json"
# Seconds each test module of a split component took in the last full run ("tenant-app/tests/test_x.py": 12.3).
MODULE_DURATIONS = REPORTS / "modules.json"
NO_TESTS_COLLECTED = 5
# Suites that are one part of a component's tests: suite -> (the component's folder, which part, how many parts).
SPLIT_SUITES = {
    "tenant-app": ("tenant-app", 0, 2),
    "tenant-app-2": ("tenant-app", 1, 2),
}
# A module no run has timed yet counts this many seconds per test function it defines.
SECONDS_PER_UNTIMED_TEST = 2.5
# Seconds each suite took on a 2-core machine, until this checkout's own runs record theirs.
TYPICAL_SECONDS = {
    "tenant-app": 560.0,
    "tenant-app-2": 560.0,
    "operator": 165.0,
    "tests": 150.0,
    "platform": 120.0,
    "kernel": 55.0,
    "web": 30.0,
}
_print_lock = threading.Lock()


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def say(text: str) -> None:
    with _print_lock:
        print(text, flush=True)


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


@dataclass
class SuiteResult:
    suite: str
    code: int
    seconds: float
    counts: dict[str, int] = field(default_factory=lambda: {"passed": 0, "failed": 0, "skipped": 0})

    @property
    def failure(self) -> str | None:
        if self.suite == "web" and self.code != 0:
            return f"web: npm run typecheck / npm test exited with {self.code}"
        if self.code == NO_TESTS_COLLECTED:
            return f"{self.suite}: no tests collected"
        if self.code != 0:
            return f"{self.suite}: pytest exited with {self.code}"
        return None


def counts_in(report: Path) -> dict[str, int]:
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    if not report.exists():
        return counts
    for node in ET.parse(report).getroot().iter("testsuite"):  # noqa: S314 (our own JUnit file, written by pytest in this run)
        tests, errors = int(node.get("tests", 0)), int(node.get("errors", 0))
        failed, skipped = int(node.get("failures", 0)) + errors, int(node.get("skipped", 0))
        counts["passed"] += tests - failed - skipped
        counts["failed"] += failed
        counts["skipped"] += skipped
    return counts


def test_modules(component: str) -> list[str]:
    """The test modules of a component's suite, relative to the checkout (pytest's default `test_*.py`)."""
    return sorted(str(path.relative_to(ROOT)) for path in (ROOT / component).rglob("test_*.py"))


def module_weight(module: str, timed: dict[str, float]) -> float:
    if module in timed:
        return timed[module]
    tests = re.findall(r"^(?:async )?def test_", (ROOT / module).read_text(), flags=re.MULTILINE)
    return max(1, len(tests)) * SECONDS_PER_UNTIMED_TEST


def split_modules(component: str, parts: int) -> list[list[str]]:
    """The component's test modules dealt into `parts` parts of about equal time.

    Longest first, each to the part with the least time so far (ties: the lower part), by the
    seconds the last full run recorded per module. The same modules and times always give the
    same parts.
    """
    timed: dict[str, float] = {}
    with contextlib.suppress(OSError, ValueError):
        timed = {str(key): float(value) for key, value in json.loads(MODULE_DURATIONS.read_text()).items()}
    weights = {module: module_weight(module, timed) for module in test_modules(component)}
    dealt: list[list[str]] = [[] for _ in range(parts)]
    loads = [0.0] * parts
    for module in sorted(weights, key=lambda name: (-weights[name], name)):
        part = loads.index(min(loads))
        dealt[part].append(module)
        loads[part] += weights[module]
    return [sorted(modules) for modules in dealt]


def suite_command(suite: str, report: Path, pytest_args: list[str]) -> tuple[list[str], Path]:
    """The command that runs `suite` and writes its JUnit report, and the folder it runs in."""
    if suite in SPLIT_SUITES:
        component, part, parts = SPLIT_SUITES[suite]
        modules = split_modules(component, parts)[part]
        if not modules:  # pytest given no file would run the whole component: this part has nothing
            return [sys.executable, "-c", f"import sys; print('{suite}: no test modules'); sys.exit(5)"], ROOT
        return [sys.executable, "-m", "pytest", *modules, f"--junitxml={report}", *pytest_args], ROOT
    if suite == "web":
        # tsc first: a type error fails the suite even when every test passes. PYTEST_ARGS are pytest's only.
        typecheck = 'npm run --silent typecheck && echo "web: tsc --noEmit found no errors"'
        test = 'npm test --silent -- --reporter=default --reporter=junit --outputFile.junit="$0"'
        return ["sh", "-c", f"{typecheck} && {test}", str(report)], WEB
    return [sys.executable, "-m", "pytest", suite, f"--junitxml={report}", *pytest_args], ROOT


def run_suite(suite: str, pytest_args: list[str], streaming: bool) -> SuiteResult:
    name = Path(suite).name
    report, log = REPORTS / f"{name}.xml", REPORTS / f"{name}.log"
    report.unlink(missing_ok=True)
    command, cwd = suite_command(suite, report, pytest_args)
    started = time.monotonic()
    if streaming:
        say(f"\n=== {suite} ===")
        code = subprocess.call(command, cwd=cwd)
    else:
        say(f"tests: {suite} started")
        with log.open("w") as output:
            code = subprocess.call(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
    result = SuiteResult(suite, code, time.monotonic() - started, counts_in(report))
    if not streaming:
        with _print_lock:
            print(f"\n=== {suite} ({elapsed(result.seconds)}) ===", flush=True)
            print(log.read_text(errors="replace").rstrip(), flush=True)
    return result


def lanes() -> int:
    wanted = os.environ.get("TENANTRY_TEST_LANES", "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    return max(1, min(2, os.cpu_count() or 1))


def longest_first(suites: list[str]) -> list[str]:
    """The suites in the order that finishes soonest on a few lanes: the longest last time first."""
    known = dict(TYPICAL_SECONDS)
    with contextlib.suppress(OSError, ValueError):
        known.update(json.loads(DURATIONS.read_text()))
    return sorted(suites, key=lambda suite: -known.get(suite, 0.0))


def record_durations(results: list[SuiteResult]) -> None:
    known: dict[str, float] = {}
    with contextlib.suppress(OSError, ValueError):
        known = json.loads(DURATIONS.read_text())
    known.update({result.suite: round(result.seconds, 1) for result in results if "/" not in result.suite})
    DURATIONS.write_text(json.dumps(known, indent=2, sort_keys=True) + "\n")


def module_seconds(report: Path, component: str) -> dict[str, float]:
    """Seconds per test module in a JUnit report of `component` (setup, call and teardown of each test)."""
    seconds: dict[str, float] = {}
    if not report.exists():
        return seconds
    for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314 (our own JUnit file, written by pytest in this run)
        classname = case.get("classname", "")
        # "tests.test_x" or "tests.test_x.TestClass": the module is the longest prefix that is a file.
        parts = classname.split(".")
        for end in range(len(parts), 0, -1):
            module = Path(component, *parts[:end]).with_suffix(".py")
            if (ROOT / module).is_file():
                key = str(module)
                seconds[key] = seconds.get(key, 0.0) + float(case.get("time", 0) or 0)
                break
    return seconds


def record_module_durations(results: list[SuiteResult], pytest_args: list[str]) -> None:
    """Per-module seconds of the split suites, from a full run only (a `-k` run would make modules look short)."""
    if pytest_args:
        return
    known: dict[str, float] = {}
    with contextlib.suppress(OSError, ValueError):
        known = json.loads(MODULE_DURATIONS.read_text())
    for result in results:
        if result.suite in SPLIT_SUITES and result.code in (0, 1):
            timed = module_seconds(REPORTS / f"{result.suite}.xml", SPLIT_SUITES[result.suite][0])
            known.update({module: round(seconds, 1) for module, seconds in timed.items()})
    MODULE_DURATIONS.write_text(json.dumps(known, indent=2, sort_keys=True) + "\n")


def main() -> int:
    local_services.load()
    server = f"PostgreSQL: {local_services.postgres_server()}"
    print(f"tests: {server}", flush=True)
    if in_ci() and os.environ.get("TENANTRY_POSTGRES_KIND") == "embedded-fallback":
        print("tests: CI=true refuses a fallback PostgreSQL it did not ask for (see `make services`)", flush=True)
        return 1
    prepare_templates()
    if NEEDS_WEB_DEPENDENCIES & set(SUITES):
        ensure_web_dependencies()  # once, before suites that would each want it
    REPORTS.mkdir(parents=True, exist_ok=True)
    count = min(lanes(), len(SUITES))
    order = longest_first(SUITES)
    if count > 1:
        print(f"tests: {len(order)} suites in {count} lanes, longest first: {', '.join(order)}", flush=True)
    started = time.monotonic()
    with ThreadPoolExecutor(count) as pool:
        results = list(pool.map(lambda suite: run_suite(suite, sys.argv[1:], streaming=count == 1), order))
    record_durations(results)
    record_module_durations(results, sys.argv[1:])

    totals = {"passed": 0, "failed": 0, "skipped": 0}
    for result in results:
        for key in totals:
            totals[key] += result.counts[key]
    print(f"\ntests: {server}")
    for result in results:
        print(f"tests: {result.suite}: {result.counts['passed']} passed, {result.counts['failed']} failed "
              f"in {elapsed(result.seconds)}")  # fmt: skip
    print(f"tests: all suites in {elapsed(time.monotonic() - started)} on {count} lane(s)")
    failures = [result.failure for result in results if result.failure]
    for failure in failures:
        print(f"FAILED {failure}")
    print(f"{totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped", flush=True)
    return 1 if failures or totals["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
