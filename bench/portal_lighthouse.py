"""Lighthouse on the portal's pages: performance, accessibility, best practices and SEO per page, against targets.

npm's `lighthouse` (web/node_modules/.bin, installed with the workspace) drives Debian's /usr/bin/chromium (headless;
CHROME_PATH) with its defaults: a mobile device, simulated slow 4G. Either a portal that runs already (`--url`), or
`--stack`: `make up`'s stack on scratch databases, as the tests start it, with a signed-up and signed-in owner whose
session cookie goes with every request (Lighthouse's extraHeaders), so signed-in pages (/stores, a store's billing) are
measured as their users see them. `--cookie` passes a cookie of one's own to a running portal.

Prints a table; exits 1 when a page misses a target (performance ≥ 90, accessibility ≥ 95, best practices ≥ 95,
SEO ≥ 95 on public pages: signed-in pages are kept out of search engines on purpose) or cannot be measured; the
targets can be changed with --targets.

    .venv/bin/python bench/portal_lighthouse.py --stack [--path / --path /sign-in --path /stores]
    .venv/bin/python bench/portal_lighthouse.py --url http://127.0.0.1:3000 --path / [--cookie 'tenantry_refresh=…']
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "web" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 90, "accessibility": 95, "best-practices": 95, "seo": 95}
PRIVATE = ("/stores", "/account", "/staff")
DEFAULT_PATHS = ["/", "/sign-up", "/sign-in", "/stores", "/stores/{slug}/billing"]


def lighthouse(url: str, cookie: str | None) -> dict[str, int]:
    """The four category scores (0-100) of one page."""
    command = [
        str(LIGHTHOUSE), url, "--output=json", "--output-path=stdout", "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run",
    ]  # fmt: skip
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    ran = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    if ran.returncode != 0:
        raise RuntimeError(f"lighthouse {url} exited with {ran.returncode}:\n{ran.stderr[-2000:]}")
    report = json.loads(ran.stdout)
    failed = [
        f"{audit['id']}: {audit['title']}"
        for audit in report["audits"].values()
        if audit.get("score") is not None and audit["score"] < 0.9 and audit.get("scoreDisplayMode") == "binary"
    ]
    if failed:
        print(f"  {url}: failed audits: {'; '.join(failed)}", flush=True)
    for name in ("errors-in-console", "inspector-issues"):
        for item in (report["audits"].get(name, {}).get("details") or {}).get("items", []):
            said = item.get("description") or item.get("issueType") or json.dumps(item)[:300]
            print(f"  {url}: {name}: {said} {item.get('sourceLocation', {}).get('url', '')}", flush=True)
    return {name: round((report["categories"][name]["score"] or 0) * 100) for name in CATEGORIES}


def exists(base: str, path: str, cookie: str | None) -> bool:
    answer = requests.get(
        f"{base}{path}", headers={"Cookie": cookie} if cookie else {}, timeout=30, allow_redirects=False
    )
    return answer.status_code == 200


@contextmanager
def stack_with_a_session() -> Iterator[tuple[str, str, str]]:
    """`make up`'s stack as tests/ start it; an owner signed up, verified and signed in through the portal's BFF."""
    sys.path.insert(0, str(ROOT))
    from tests.e2e_support import PASSWORD, running_stack, sign_up, verify_email

    with running_stack() as stack:
        slug = f"lh-{secrets.token_hex(3)}"
        email = f"owner-{slug}@example.test"
        assert sign_up(stack, slug, email).status_code == 202
        assert verify_email(stack, email).status_code == 200
        signed_in = requests.post(
            f"{stack.portal_web}/bff/sign-in",
            json={"email": email, "password": PASSWORD},
            headers={"Origin": stack.portal_web},
            timeout=30,
        )
        assert signed_in.status_code == 200, signed_in.text
        cookie = "; ".join(f"{name}={value}" for name, value in signed_in.cookies.items())
        yield stack.portal_web, cookie, slug


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a running portal, e.g. http://127.0.0.1:3000")
    where.add_argument("--stack", action="store_true", help="start make up's stack with a signed-in owner")
    parser.add_argument(
        "--path", action="append", help=f"a page (repeatable); default: those of {DEFAULT_PATHS} that exist"
    )
    parser.add_argument("--cookie", help="a Cookie header sent with every request (with --url)")
    parser.add_argument("--slug", default="", help="the store whose pages are measured (with --url; --stack makes one)")
    parser.add_argument("--targets", help="e.g. performance=90,accessibility=95,best-practices=95,seo=95")
    arguments = parser.parse_args()
    targets = dict(TARGETS)
    for item in (arguments.targets or "").split(","):
        if item:
            name, value = item.split("=")
            targets[name] = int(value)

    def measure(base: str, cookie: str | None, slug: str) -> bool:
        wanted = [path.replace("{slug}", slug) for path in arguments.path or DEFAULT_PATHS]
        paths = [path for path in wanted if "//" not in path and exists(base, path, cookie)]
        print(f"lighthouse {base} on {', '.join(paths)} (targets: {targets})", flush=True)
        print(f"{'page':<28}" + "".join(f"{name:>16}" for name in CATEGORIES), flush=True)
        ok = True
        for path in paths:
            try:
                scores = lighthouse(f"{base}{path}", cookie)
            except RuntimeError as error:
                print(f"{path:<28} {error}", flush=True)
                ok = False
                continue
            # Signed-in pages are kept out of search engines on purpose (robots.txt, noindex): SEO is no target there.
            private = path.startswith(PRIVATE)
            misses = [name for name in CATEGORIES if scores[name] < targets[name] and not (private and name == "seo")]
            ok = ok and not misses
            cells = "".join(f"{str(scores[name]) + (' !' if name in misses else ''):>16}" for name in CATEGORIES)
            print(f"{path:<28}{cells}", flush=True)
        return ok

    if arguments.stack:
        with stack_with_a_session() as (base, cookie, slug):
            ok = measure(base, cookie, slug)
    else:
        ok = measure(arguments.url.rstrip("/"), arguments.cookie, arguments.slug)
    print("all pages meet the targets" if ok else "some pages miss the targets (marked !)", flush=True)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
