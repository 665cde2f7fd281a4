"""Global search on PostgreSQL: autocomplete and full-text latency on 100k products in ~500 tenants,
against a naive `ILIKE '%q%'` scan measured in the same run on the same data.

A scratch database gets the search app's migrations (extensions, text search configurations,
generated tsvector columns, partial GIN indexes), 500 ready tenants and 100k published products
with generated names ("Organic Dark Chocolate Bar", "Vintage Leather Messenger Bag", …) and
descriptions; some names carry accents. Queries go through the search selectors as the API
calls them (ranking, highlights and snippets included), one at a time, after a warm-up.
Queries are drawn from the vocabulary (one to three words, some with a typo; autocomplete
prefixes of 2 to 8 characters, some after a whole first word). The baseline answers the same
inputs with `name ILIKE '%q%' OR description ILIKE '%q%'` (full text) and `name ILIKE '%q%'`
(autocomplete), LIMIT 20 / 10, on the first --baseline-queries of the inputs (it is slow).
Prints p50/p95/p99 of each and the ratios; the database is dropped at the end, also on Ctrl-C.

    .venv/bin/python bench/search.py [--products 100000] [--tenants 500] [--queries 400]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql
from stats import percentile  # bench/stats.py; bench scripts run from their folder

PLATFORM = Path(__file__).resolve().parents[1] / "platform"
sys.path.insert(0, str(PLATFORM))

from control_plane.search.backends.base import words_of  # noqa: E402 (the platform folder joins the path first)

SETTINGS = "control_plane.settings.test"
AUTOCOMPLETE_TARGET_P95_MS = 15.0
SEARCH_TARGET_P95_MS = 30.0

ADJECTIVES = (
    "organic", "vintage", "handmade", "classic", "premium", "rustic", "modern", "artisan", "eco", "deluxe",
    "lightweight", "waterproof", "wireless", "compact", "portable", "ergonomic", "smoked", "spicy", "sweet",
    "crème", "smoky", "fresh", "frozen", "dried", "roasted", "natural", "bamboo", "recycled", "minimalist",
    "nordic", "italian", "japanese", "mexican", "french", "swiss", "belgian", "indian", "café", "rosé", "crispy",
)  # fmt: skip
MATERIALS = (
    "leather", "cotton", "linen", "wool", "silk", "oak", "walnut", "ceramic", "glass", "steel", "copper",
    "chocolate", "coffee", "vanilla", "caramel", "honey", "olive", "lavender", "jasmine", "matcha", "mango",
    "cashmere", "denim", "porcelain", "marble", "cedar", "brass", "velvet", "hemp", "coconut", "pistachio",
)  # fmt: skip
NOUNS = (
    "bag", "wallet", "scarf", "shirt", "jacket", "sneakers", "boots", "mug", "teapot", "bowl", "vase", "lamp",
    "chair", "table", "candle", "soap", "shampoo", "bar", "truffles", "cookies", "granola", "tea", "beans",
    "grinder", "kettle", "backpack", "headphones", "speaker", "charger", "watch", "bracelet", "necklace",
    "earrings", "blanket", "pillow", "towel", "apron", "notebook", "pen", "planter", "cutting board", "sauce",
    "jam", "oil", "vinegar", "pasta", "crackers", "brûlée kit", "espresso machine", "yoga mat", "messenger bag",
)  # fmt: skip
SHOP_WORDS = (
    "Atelier", "Market", "Goods", "Supply", "Studio", "Pantry", "House", "Works", "Collective", "Emporium",
    "Corner", "Boutique", "Trading", "Roasters", "Bakery", "Outfitters", "Crafts", "Kitchen", "Garden", "Co",
)  # fmt: skip
PLACES = (
    "Lisbon", "Oslo", "Kyoto", "Austin", "Montréal", "Zürich", "Bordeaux", "Porto", "Seville", "Brooklyn",
    "Hanoi", "Cusco", "Gdańsk", "Tbilisi", "Nairobi", "Melbourne", "Bergen", "Lyon", "Valencia", "Ghent",
)  # fmt: skip
PHRASES = (
    "Made in small batches by our team.", "Ships within two days.", "A customer favourite since {year}.",
    "Perfect as a gift.", "Sustainably sourced {material}.", "Care: hand wash only.", "Pairs well with our {noun}.",
    "Limited edition.", "Designed in {place}.", "Each piece is unique.", "Vegan and cruelty free.",
)  # fmt: skip
CURRENCIES = ("EUR", "EUR", "USD", "USD", "GBP", "INR", "JPY", "CHF")


def product_name(rng: random.Random) -> str:
    words = [rng.choice(ADJECTIVES), rng.choice(MATERIALS), rng.choice(NOUNS)]
    if rng.random() < 0.3:
        words.insert(0, rng.choice(ADJECTIVES))
    return " ".join(words).title()


def description(rng: random.Random, name: str) -> str:
    chosen = rng.sample(PHRASES, 3)
    fill = {
        "year": rng.randint(1990, 2025),
        "material": rng.choice(MATERIALS),
        "noun": rng.choice(NOUNS),
        "place": rng.choice(PLACES),
    }
    return f"{name}. " + " ".join(phrase.format(**fill) for phrase in chosen)


def typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    index = rng.randrange(1, len(word) - 1)
    return word[:index] + word[index + 1 :]  # one letter dropped


def search_inputs(rng: random.Random, count: int) -> list[str]:
    vocabulary = [word for word in (*ADJECTIVES, *MATERIALS, *NOUNS) if " " not in word]
    inputs = []
    for _ in range(count):
        words = rng.sample(vocabulary, rng.choice((1, 1, 2, 2, 3)))
        if rng.random() < 0.1:
            words[-1] = typo(rng, words[-1])
        inputs.append(" ".join(words))
    return inputs


def autocomplete_inputs(rng: random.Random, count: int) -> list[str]:
    vocabulary = [word for word in (*ADJECTIVES, *MATERIALS, *NOUNS, *PLACES) if " " not in word]
    inputs = []
    for _ in range(count):
        word = rng.choice(vocabulary)
        prefix = word[: rng.randint(2, min(8, len(word)))]
        if rng.random() < 0.3:
            prefix = f"{rng.choice(vocabulary)} {prefix}"
        inputs.append(prefix)
    return inputs


def migrate(dbname: str) -> None:
    env = {**os.environ, "PGDATABASE": dbname, "DJANGO_SETTINGS_MODULE": SETTINGS}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "search", "--no-input"],
        cwd=PLATFORM,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def seed(dsn: str, products: int, tenants: int, rng: random.Random) -> float:
    """Tenants and products straight into the tables (PostgreSQL fills the generated columns)."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    shops = []
    for index in range(tenants):
        name = f"{rng.choice(PLACES)} {rng.choice(MATERIALS).title()} {rng.choice(SHOP_WORDS)}"
        shops.append((f"shop-{index:04d}", name))
    with psycopg.connect(dsn) as conn, conn.cursor() as cursor:
        with cursor.copy(
            "COPY search_tenantentry (slug, name, plan, state, url, source_time, updated_at) FROM STDIN"
        ) as copy:
            for slug, name in shops:
                copy.write_row((slug, name, "growth", "ready", f"https://{slug}.example.com/", now, now))
        columns = (
            "tenant, product_id, name, description, price_amount, price_currency, published, published_at,"
            " tenant_ready, tenant_name, source_time, updated_at"
        )
        vocabulary: set[str] = {word for _, shop in shops for word in words_of(shop)}
        with cursor.copy(f"COPY search_productentry ({columns}) FROM STDIN") as copy:
            for index in range(products):
                slug, shop = shops[index % tenants]
                name = product_name(rng)
                vocabulary.update(words_of(name))
                price = f"{rng.randint(1, 500)}.{rng.choice(('00', '50', '95', '99'))}"
                copy.write_row(
                    (slug, str(index), name, description(rng, name), price, rng.choice(CURRENCIES), True, now,
                     True, shop, now, now)
                )  # fmt: skip
        # The vocabulary typos are corrected against, as the search actions learn it.
        with cursor.copy("COPY search_word (word) FROM STDIN") as copy:
            for word in sorted(vocabulary):
                if 3 <= len(word) <= 100:
                    copy.write_row((word,))
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE search_productentry")
        conn.execute("VACUUM ANALYZE search_tenantentry")
    return time.perf_counter() - started


def measure(inputs: list[str], run: Callable[[str], object], warmup: int = 30) -> list[float]:
    for text in inputs[:warmup]:
        run(text)
    latencies = []
    for text in inputs:
        started = time.perf_counter()
        run(text)
        latencies.append(time.perf_counter() - started)
    return latencies


def figures(label: str, latencies: list[float]) -> dict[str, float]:
    values = {p: percentile(latencies, p / 100) * 1000 for p in (50, 95, 99)}
    print(f"  {label:<44} p50 {values[50]:7.2f} ms   p95 {values[95]:7.2f} ms   p99 {values[99]:7.2f} ms")
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--tenants", type=int, default=500)
    parser.add_argument("--queries", type=int, default=400, help="queries of each kind")
    parser.add_argument("--baseline-queries", type=int, default=120, help="of those, how many the naive scan answers")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    dbname = f"tenantry_bench_search_{secrets.token_hex(4)}"
    dsn = f"{args.server}/{dbname}"
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    try:
        migrate(dbname)
        seconds = seed(dsn, args.products, args.tenants, rng)
        print(f"seeded {args.products} products in {args.tenants} tenants in {seconds:.1f} s ({dbname})")
        load_before = os.getloadavg()[0]

        os.environ.update({"PGDATABASE": dbname, "DJANGO_SETTINGS_MODULE": SETTINGS, "LOG_LEVEL": "WARNING"})
        import django

        django.setup()
        from django.db import connection

        from control_plane.search import selectors
        from control_plane.search.backends.base import SearchQuery

        connection.ensure_connection()  # one connection throughout, as a pooled server would reuse it

        def naive_search(text: str) -> object:
            pattern = f"%{text}%"
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id, name, description FROM search_productentry"
                    " WHERE published AND tenant_ready AND (name ILIKE %s OR description ILIKE %s)"
                    " ORDER BY id LIMIT 20",
                    [pattern, pattern],
                )
                return cursor.fetchall()

        def naive_autocomplete(text: str) -> object:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT DISTINCT name FROM search_productentry"
                    " WHERE published AND tenant_ready AND name ILIKE %s LIMIT 10",
                    [f"%{text}%"],
                )
                return cursor.fetchall()

        searches = search_inputs(rng, args.queries)
        prefixes = autocomplete_inputs(rng, args.queries)
        fuzzy = sum(selectors.search(SearchQuery(text)).match == "fuzzy" for text in searches)
        empty = sum(not selectors.search(SearchQuery(text)).hits for text in searches)
        print(
            f"{len(searches)} full-text queries ({fuzzy} answered with typos corrected, {empty} with no hit),"
            f" {len(prefixes)} autocomplete inputs; one query at a time, after a warm-up"
        )
        print("full text (20 hits, ranked, highlights and snippets):")
        search = figures(
            "PostgreSQL tsvector + GIN (search selector)",
            measure(searches, lambda text: selectors.search(SearchQuery(text))),
        )
        baseline_search = figures(
            "naive ILIKE '%q%' on name or description",
            measure(searches[: args.baseline_queries], naive_search, warmup=5),
        )
        print("autocomplete (10 suggestions):")
        complete = figures("prefix tsquery + GIN (autocomplete selector)", measure(prefixes, selectors.autocomplete))
        baseline_complete = figures(
            "naive ILIKE '%q%' on name", measure(prefixes[: args.baseline_queries], naive_autocomplete, warmup=5)
        )
        print("p95 against targets and baseline:")
        print(
            f"  full text    {search[95]:6.2f} ms (target ≤ {SEARCH_TARGET_P95_MS:.0f} ms:"
            f" {'met' if search[95] <= SEARCH_TARGET_P95_MS else 'MISSED'}),"
            f" {baseline_search[95] / search[95]:5.1f}x faster than the naive scan"
        )
        print(
            f"  autocomplete {complete[95]:6.2f} ms (target ≤ {AUTOCOMPLETE_TARGET_P95_MS:.0f} ms:"
            f" {'met' if complete[95] <= AUTOCOMPLETE_TARGET_P95_MS else 'MISSED'}),"
            f" {baseline_complete[95] / complete[95]:5.1f}x faster than the naive scan"
        )
        cores = os.cpu_count() or 1
        print(f"load average (1 min) {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, on {cores} cores")
        connection.close()
    finally:
        with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))


if __name__ == "__main__":
    main()
