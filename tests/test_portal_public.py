"""The portal's public pages in a real browser on `make up`'s own stack: the landing page's marketplace search with
suggestions as one types (through the BFF, with no session), the server-rendered results (with JavaScript disabled
too), the store directory, sitemap.xml and robots.txt; axe-core on every page and screenshots (light and dark) in
`.local/screenshots/portal/public-*.png`. The browser part is web/portal/e2e/public.e2e.mjs.

The search projection is fed here the way its event consumer feeds it (control_plane.search.actions, run in the
stack's control plane against its database): a ready store with published products, a suspended store with one.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

from tests.e2e_support import ROOT, Stack
from tests.portal_browser import SCREENSHOTS, in_the_browser

SEED = """
import json, os
from datetime import UTC, datetime, timedelta
from control_plane.search import actions
spec = json.loads(os.environ["SEARCH_SEED"])
now = datetime.now(UTC)
for store in spec["stores"]:
    actions.record_tenant_state(store["slug"], {"name": store["name"], "plan": "growth", "from_state": "provisioning",
                                "to_state": store["state"], "reason": "", "url": store["url"]}, event_time=now)
    for index, name in enumerate(store["products"]):
        actions.record_product(store["slug"], {"product_id": str(index), "name": name, "description": f"{name}: "
                               "spring harvest, picked by hand.", "price": {"amount": "18.50", "currency": "EUR"},
                               "published": True, "published_at": now.isoformat()}, published=True,
                               event_time=now + timedelta(seconds=1))
"""


def feed_search(stack: Stack, spec: dict[str, object]) -> None:
    env = {**os.environ, "PGDATABASE": stack.control_plane_db, "DJANGO_SETTINGS_MODULE": "control_plane.settings.local"}
    env.pop("DATABASE_URL", None)
    env["SEARCH_SEED"] = json.dumps(spec)
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SEED],
        cwd=ROOT / "platform",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_search_the_marketplace_from_the_landing_page_browse_the_directory_and_crawl(stack: Stack) -> None:
    # A word no other run uses: suggestions and results are this run's only.
    word = "".join(secrets.choice("bcdfghjklmnpqrstvwxz") + secrets.choice("aeiou") for _ in range(4)).title()
    slug = f"pub-{secrets.token_hex(3)}"
    hidden = f"pub-{secrets.token_hex(3)}"
    url = f"http://{slug}.localhost:{stack.tenant_app_port}/"
    feed_search(
        stack,
        {
            "stores": [
                {"slug": slug, "name": f"{word} Tea House", "state": "ready", "url": url,
                 "products": [f"{word} Sencha Green Tea", f"{word} Matcha Whisk"]},
                {"slug": hidden, "name": f"{word} Hidden Corner", "state": "suspended",
                 "url": f"http://{hidden}.localhost:{stack.tenant_app_port}/", "products": [f"{word} Secret Blend"]},
            ]
        },
    )  # fmt: skip
    # The API answers with them before the browser looks (the projection is the API's own).
    found = stack.portal_call("GET", "/api/v1/search/", params={"q": word})
    assert found.status_code == 200, found.text
    assert {hit["name"] for hit in found.json()["results"]} == {
        f"{word} Sencha Green Tea",
        f"{word} Matcha Whisk",
        f"{word} Tea House",
    }

    for old in SCREENSHOTS.glob("public-*.png"):
        old.unlink()
    in_the_browser(
        stack,
        "public.e2e.mjs",
        "public e2e",
        WORD=word,
        STORE_NAME=f"{word} Tea House",
        STORE_URL=url,
        HIDDEN_STORE=f"{word} Hidden Corner",
    )
    for page in ("landing", "suggestions", "search", "search-empty", "directory", "search-de"):
        for scheme in ("light", "dark"):
            assert (SCREENSHOTS / f"public-{page}-{scheme}.png").stat().st_size > 1000, f"public-{page}-{scheme}.png"
