"""Background processes a cross-component test starts (workers, operators, loops): output kept, always stopped."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Background:
    """A running process and the lines it printed so far (stdout and stderr together)."""

    name: str
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def tail(self, count: int = 40) -> str:
        """The last lines, for a failure message: what the process was doing."""
        return f"--- {self.name} (exit {self.process.poll()}) ---\n" + "\n".join(self.lines[-count:])

    def alive(self) -> bool:
        return self.process.poll() is None


@contextmanager
def background(name: str, argv: list[str], cwd: Path, env: Mapping[str, str]) -> Iterator[Background]:
    """Run `argv` in `cwd` with the environment plus `env`; terminated (killed if it hangs) on exit."""
    process = subprocess.Popen(  # noqa: S603 - a fixed argv from the test, no shell
        argv,
        cwd=cwd,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running = Background(name, process)

    def collect() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            running.lines.append(line.rstrip("\n"))

    reader = threading.Thread(target=collect, name=f"{name}-output", daemon=True)
    reader.start()
    try:
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=5)
