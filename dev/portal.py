"""The portal (web/portal, Next.js) for `make up`: a production build when its sources changed, then `next start`.

The build is skipped when `.next/BUILD_ID` is newer than every file it is made from (the portal's sources,
the shared packages, the workspace's lock), so a second `make up` starts in seconds.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

from clients import WEB, ensure_web_dependencies
from steps import step

PORTAL = WEB / "portal"
NEXT = WEB / "node_modules" / "next" / "dist" / "bin" / "next"
BUILD_ID = PORTAL / ".next" / "BUILD_ID"
SKIPPED = {"node_modules", ".next"}


def _sources() -> Iterator[Path]:
    yield WEB / "package-lock.json"
    for folder in (PORTAL, WEB / "packages"):
        for path in folder.rglob("*"):
            if path.is_file() and not SKIPPED.intersection(path.relative_to(WEB).parts):
                yield path


def build_is_current() -> bool:
    if not BUILD_ID.exists():
        return False
    built = BUILD_ID.stat().st_mtime
    return all(path.stat().st_mtime <= built for path in _sources())


def node_environment(env: dict[str, str], control_plane: str) -> dict[str, str]:
    """What the portal's server reads: where the control plane answers, where Stripe.js comes from (localstripe's
    stand-in when Stripe is localstripe); no telemetry calls from a dev machine."""
    extra = {}
    if env.get("STRIPE_API_HOST") and "STRIPE_JS_URL" not in env:
        extra["STRIPE_JS_URL"] = f"{env['STRIPE_API_HOST'].rstrip('/')}/js.stripe.com/v3/"
    return {**env, **extra, "CONTROL_PLANE_URL": control_plane, "NEXT_TELEMETRY_DISABLED": "1"}


def build(env: dict[str, str]) -> None:
    """`next build` of the portal, unless the last build is that of the current sources."""
    ensure_web_dependencies()
    if build_is_current():
        print("up: the portal's build is current: no next build", flush=True)
        return
    with step("up", "building the portal (next build, a minute)"):
        subprocess.run(["node", str(NEXT), "build"], cwd=PORTAL, env=env, check=True)


def start_command(port: int) -> list[str]:
    return ["node", str(NEXT), "start", "--port", str(port), "--hostname", "127.0.0.1"]


def dev() -> None:
    """`make dev-web`: `next dev` with hot reload; CONTROL_PLANE_URL (the portal reads it) names the API."""
    ensure_web_dependencies()
    env = {**os.environ, "NEXT_TELEMETRY_DISABLED": "1"}
    try:
        raise SystemExit(subprocess.call(["node", str(NEXT), "dev"], cwd=PORTAL, env=env))
    except KeyboardInterrupt:
        raise SystemExit(130) from None


if __name__ == "__main__":
    dev()
