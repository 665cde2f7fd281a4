"""The portal's first-load JavaScript budget per page (gzip): 150 kB (TARGET), on every page.

Next 16 and React alone are 132 kB on every page, which leaves 18 kB per page. The heaviest pages hold TanStack
Query with the typed API client (about 14 kB) besides their own code; what keeps every page under TARGET: words per
page (`<Words areas>`, not the whole dictionary), TanStack Query and the notices only on the pages that use them, zod
loaded on a form's first validation, and the forms a person opens on purpose loaded on that click with React Hook
Form ("Change the password…", the two-step steps, "Invite someone…", "Change the plan…", "Add a card", a store's
deletion), what needs no interaction rendered on the server (web/portal/README.md, "First-load budget").

A pytest test rather than a vitest one because it needs `next build` first, which `make up` already knows how to
run only when the sources changed (dev/portal.py); a vitest test would read a `.next` it cannot trust to be current.

What a page's first load costs is read from Next 16's own manifests: `.next/build-manifest.json`'s `rootMainFiles`
(the runtime and React, on every page) and, per page, `entryJSFiles` of its client reference manifest
(`.next/server/app/<route>/page_client-reference-manifest.js`: the chunks of its layouts and of the page, which
the server puts in the page's `<script>` tags). Chunks a page imports later (`import()`, e.g. Chart.js on /staff,
the forms' zod schemas) are not in them, and the `polyfillFiles` are `nomodule` (only browsers without modules load
them). Each chunk counts once per page, at its gzip size (level 6, what servers and CDNs use).
"""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path

from tests.portal_browser import ensure_build

ROOT = Path(__file__).resolve().parents[1]
NEXT_DIR = ROOT / "web" / "portal" / ".next"
TARGET = 150 * 1024


def first_load(next_dir: Path) -> dict[str, dict[str, int]]:
    """Per page route: its first-load chunks (path under .next) with their gzip sizes."""
    build = json.loads((next_dir / "build-manifest.json").read_text())
    root = list(build["rootMainFiles"])
    pages: dict[str, dict[str, int]] = {}
    for manifest in sorted((next_dir / "server" / "app").rglob("page_client-reference-manifest.js")):
        text = manifest.read_text()
        key = re.search(r'__RSC_MANIFEST\["([^"]+)"\]', text)
        assert key, f"no route in {manifest}"
        body = json.loads(text[text.index("=", text.index(key.group(0))) + 1 :].strip().rstrip(";"))
        chunks = dict.fromkeys(root)
        for files in body["entryJSFiles"].values():
            chunks.update(dict.fromkeys(files))
        route = key.group(1).removesuffix("/page") or "/"
        pages[route] = {
            chunk: len(gzip.compress((next_dir / chunk).read_bytes(), compresslevel=6))
            for chunk in chunks
            if chunk.endswith(".js")
        }
    return pages


def table(pages: dict[str, dict[str, int]]) -> str:
    lines = [f"{'route':<24} {'chunks':>6} {'first-load JS (gzip)':>22}"]
    for route, chunks in sorted(pages.items()):
        lines.append(f"{route:<24} {len(chunks):>6} {sum(chunks.values()) / 1024:>19.1f} kB")
    return "\n".join(lines)


def test_no_page_loads_more_javascript_first_than_its_budget() -> None:
    ensure_build()
    pages = first_load(NEXT_DIR)
    above_target = sorted(route for route, chunks in pages.items() if sum(chunks.values()) > TARGET)
    print(f"\nfirst-load JavaScript per page (target {TARGET // 1024} kB, gzip):")
    print(f"{table(pages)}\nabove the target: {', '.join(above_target) or 'none'}")
    assert {"/", "/sign-in", "/stores", "/staff", "/offline"} <= set(pages), sorted(pages)
    over = table({route: pages[route] for route in above_target})
    assert not above_target, f"over the budget ({TARGET // 1024} kB):\n{over}"


def test_the_budget_reads_the_chunks_of_each_page(tmp_path: Path) -> None:
    """On a made-up build: the shared chunks count on every page, a page's own only on it, each chunk once."""
    (tmp_path / "static" / "chunks").mkdir(parents=True)
    for name, size in (("main", 60_000), ("layout", 30_000), ("big", 400_000)):
        (tmp_path / "static" / "chunks" / f"{name}.js").write_bytes(os.urandom(size))  # random: gzip cannot shrink it
    (tmp_path / "build-manifest.json").write_text(json.dumps({"rootMainFiles": ["static/chunks/main.js"]}))
    for route, own in (("", []), ("heavy", ["static/chunks/big.js"])):
        folder = tmp_path / "server" / "app" / route
        folder.mkdir(parents=True, exist_ok=True)
        entry = {
            "[project]/app/layout": ["static/chunks/layout.js", "static/chunks/main.js"],
            f"[project]/app/{route}/page": ["static/chunks/layout.js", *own],
        }
        name = f"/{route}/page" if route else "/page"
        (folder / "page_client-reference-manifest.js").write_text(
            f"globalThis.__RSC_MANIFEST = globalThis.__RSC_MANIFEST || {{}};\n"
            f'globalThis.__RSC_MANIFEST["{name}"] = {json.dumps({"entryJSFiles": entry})};\n'
        )

    pages = first_load(tmp_path)

    assert sorted(pages) == ["/", "/heavy"]
    assert list(pages["/"]) == ["static/chunks/main.js", "static/chunks/layout.js"]
    assert 90_000 < sum(pages["/"].values()) < TARGET
    assert sum(pages["/heavy"].values()) > TARGET
