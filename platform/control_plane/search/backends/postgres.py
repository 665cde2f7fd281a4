"""The default backend: PostgreSQL full text over the search records themselves.

Products and tenants carry generated tsvector columns (weighted: name A, description B,
tenant name C) with partial GIN indexes over what is visible. A query is matched with
`websearch_to_tsquery` (quotes, `or`, `-word` work as people expect) and ranked with
`ts_rank`; when nothing matches exactly, each unknown word is replaced by the most similar
word of the names' vocabulary (trigram similarity, `Word`) and the corrected query runs
instead. Autocomplete matches whole-name and word prefixes (`to_tsquery('dark & choc:*')`).
The records are the index, so changes need no work here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from decimal import Decimal
from typing import Any, NamedTuple

import psycopg.sql
from django.contrib.postgres.search import SearchQuery as TsQuery
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection, transaction
from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Length

from control_plane.search.backends.base import (
    MARK_END,
    MARK_START,
    Hit,
    SearchPage,
    SearchQuery,
    Suggestion,
    TenantRef,
    fold,
    mark_prefixes,
    marked_html,
    prefix_tokens,
    words_of,
)
from control_plane.search.models import (
    ENGLISH,
    SIMPLE,
    VISIBLE,
    ProductEntry,
    TenantEntry,
    TenantState,
    Word,
    folded_name,
)

# ts_rank normalization 1: divide by 1 + log(length), so a short name that matches beats a long description.
RANK_NORMALIZATION = 1
SNIPPET_OPTIONS = {"MaxWords": 30, "MinWords": 12, "MaxFragments": 2, "FragmentDelimiter": " … "}
PLAIN_SNIPPET_CHARACTERS = 200
AUTOCOMPLETE_TENANTS = 3
AUTOCOMPLETE_SAMPLE = 200
TSVECTORS = ("document", "name_words")  # never read back: only the database uses them


class PostgresBackend:
    name = "postgres"

    def prepare(self) -> None:
        """Nothing to create: the migrations made the columns, configurations and indexes."""

    def product_changed(self, product: ProductEntry) -> None:
        """The record is the index entry."""

    def tenant_changed(self, tenant: TenantEntry) -> None:
        """The records are the index entries."""

    def tenant_removed(self, slug: str) -> None:
        """The actions deleted the records, which were the index entries."""

    def flush(self) -> None:
        """Committed writes are visible at once."""

    def clear(self) -> None:
        """Nothing is kept apart from the records."""

    # -- search ---------------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchPage:
        if query.match != "fuzzy":
            page = self._page(query)
            # A later page, or a first page with hits, stays exact; an empty first page tries typos.
            if page.hits or query.match == "exact" or query.offset:
                return page
        corrected = corrected_text(query.text)
        if corrected is None:
            return SearchPage(hits=[], has_more=False, match="fuzzy")
        page = self._page(replace(query, text=corrected))
        return replace(page, match="fuzzy", corrected=corrected)

    def _page(self, query: SearchQuery) -> SearchPage:
        """One statement: the matches ranked, the page cut, and only its rows loaded with their highlights."""
        parts: list[str] = []
        if query.kind in (None, "product"):
            currency = " AND p.price_currency = %(currency)s" if query.currency else ""
            parts.append(_PRODUCT_MATCHES + currency)
        if query.kind in (None, "tenant") and not query.currency:
            parts.append(_TENANT_MATCHES)
        statement = _PAGE.format(matches="\n    UNION ALL\n".join(parts))
        params = {
            "config": ENGLISH,
            "text": query.text,
            "currency": query.currency,
            "normalization": RANK_NORMALIZATION,
            "offset": query.offset,
            "limit": query.limit,
            "name_options": _headline_options(HighlightAll="true"),
            "snippet_options": _headline_options(**SNIPPET_OPTIONS),
        }
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            rows = cursor.fetchall()
        hits = [_hit(_Row._make(row)) for row in rows[: query.limit]]
        return SearchPage(hits=hits, has_more=len(rows) > query.limit, match="exact")

    # -- autocomplete ---------------------------------------------------------------------------

    def autocomplete(self, text: str, limit: int) -> list[Suggestion]:
        """Names that begin with what was typed, then names with words that begin so, then tenants.

        Ranking every name that matches a two-letter prefix would read a sixth of the products;
        instead each step reads a bounded sample straight from an index (names in folded order
        from the btree, then, if those are too few, any names with such words from the GIN
        index) and the sample is ranked here: whole-name prefix first, then how many products share the name,
        then shorter names.
        """
        tokens = prefix_tokens(text)
        if not tokens:
            return []
        typed = " ".join(tokens)
        tenants = self._tenant_suggestions(tokens, typed, min(AUTOCOMPLETE_TENANTS, limit))
        wanted = limit - len(tenants)
        visible = ProductEntry.objects.filter(VISIBLE)
        names = list(
            visible.alias(folded=folded_name())
            .filter(folded__startswith=typed)
            .order_by("folded")
            .values_list("name", flat=True)[:AUTOCOMPLETE_SAMPLE]
        )
        if len(set(names)) < wanted:
            with transaction.atomic(), connection.cursor() as cursor:
                # Any sample will do, and the planner prefers to look for it by scanning the table
                # (it expects matches early); reading the GIN index is several times faster here.
                cursor.execute("SET LOCAL enable_seqscan = off")
                sample = visible.filter(name_words=_prefix_query(tokens)).order_by()  # no default ordering: any rows
                names += sample.values_list("name", flat=True)[:AUTOCOMPLETE_SAMPLE]
        counts = Counter(names)
        ranked = sorted(counts, key=lambda name: (not fold(name).startswith(typed), -counts[name], len(name), name))
        suggestions = [Suggestion("product", name, mark_prefixes(name, tokens)) for name in ranked[:wanted]]
        suggestions += [
            Suggestion(
                "tenant",
                tenant.name,
                mark_prefixes(tenant.name, tokens),
                TenantRef(tenant.slug, tenant.name, tenant.url),
            )
            for tenant in tenants
        ]
        return suggestions

    @staticmethod
    def _tenant_suggestions(tokens: list[str], typed: str, limit: int) -> list[TenantEntry]:
        starts = Case(When(folded__startswith=typed, then=Value(1)), default=Value(0), output_field=IntegerField())
        return list(
            TenantEntry.objects.filter(state=TenantState.READY, name_words=_prefix_query(tokens))
            .alias(folded=folded_name(), starts=starts)
            .only("slug", "name", "url")
            .order_by("-starts", Length("name"), "name")[:limit]
        )


def _prefix_query(tokens: list[str]) -> TsQuery:
    """Whole words so far, and the last one as a prefix: 'dark' & 'choc':*"""
    raw = " & ".join([*(f"'{token}'" for token in tokens[:-1]), f"'{tokens[-1]}':*"])
    return TsQuery(raw, config=SIMPLE, search_type="raw")


def corrected_text(text: str) -> str | None:
    """`text` with each unknown word replaced by the most similar word of the vocabulary (trigrams),
    or None when no word needed or found a correction."""
    tokens = words_of(text)
    known = set(Word.objects.filter(word__in=tokens).values_list("word", flat=True))
    corrected: list[str] = []
    for token in tokens:
        best = None
        if token not in known and len(token) >= 3:
            best = (
                Word.objects.filter(word__trigram_similar=token)
                .annotate(similarity=TrigramSimilarity("word", token))
                .order_by("-similarity", "word")
                .values_list("word", flat=True)
                .first()
            )
        corrected.append(best or token)
    return " ".join(corrected) if corrected != tokens else None


def _plain_snippet(description: str) -> str:
    if len(description) <= PLAIN_SNIPPET_CHARACTERS:
        return description
    return description[:PLAIN_SNIPPET_CHARACTERS].rsplit(" ", 1)[0] + " …"


# The page in one statement. The matches of each kind are ranked (only their ids and scores), the page is
# cut from them, and only its rows are read back with their highlights: ts_headline is costly, so it never
# runs on a match that is not shown. `p.published AND p.tenant_ready` is the GIN index's predicate.
_PRODUCT_MATCHES = """
    SELECT 'product' AS kind, p.id AS pk, ts_rank(p.document, q.query, %(normalization)s) AS score
    FROM search_productentry p, q
    WHERE p.published AND p.tenant_ready AND p.document @@ q.query"""
_TENANT_MATCHES = """
    SELECT 'tenant' AS kind, t.id AS pk, ts_rank(t.document, q.query, %(normalization)s) AS score
    FROM search_tenantentry t, q
    WHERE t.state = 'ready' AND t.document @@ q.query"""
_PAGE = """
WITH q AS (SELECT websearch_to_tsquery(%(config)s::regconfig, %(text)s) AS query),
page AS (
    SELECT * FROM ({matches}
    ) AS matches
    ORDER BY score DESC, kind, pk
    LIMIT %(limit)s + 1 OFFSET %(offset)s
)
SELECT page.kind, page.score,
       p.product_id, p.name, p.description, p.price_amount, p.price_currency, p.tenant, p.tenant_name,
       owner.name, owner.url, t.slug, t.name, t.url,
       ts_headline(%(config)s::regconfig, coalesce(p.name, t.name), q.query, %(name_options)s),
       CASE WHEN p.id IS NOT NULL
            THEN ts_headline(%(config)s::regconfig, p.description, q.query, %(snippet_options)s) END
FROM page CROSS JOIN q
LEFT JOIN search_productentry p ON page.kind = 'product' AND p.id = page.pk
LEFT JOIN search_tenantentry owner ON owner.slug = p.tenant
LEFT JOIN search_tenantentry t ON page.kind = 'tenant' AND t.id = page.pk
ORDER BY page.score DESC, page.kind, page.pk
"""


def _headline_options(**options: Any) -> str:
    """ts_headline's option string, our highlight marks first, each value an SQL literal (as SearchHeadline does)."""
    every = {"StartSel": MARK_START, "StopSel": MARK_END, **options}
    return ", ".join(f"{option}={psycopg.sql.quote(value)}" for option, value in every.items())


class _Row(NamedTuple):
    """A row of `_PAGE`: the product's columns are null on a tenant's row, the directory's on a product's."""

    kind: str
    score: float
    product_id: str | None
    name: str | None
    description: str | None
    price_amount: Decimal | None
    price_currency: str | None
    tenant: str | None
    tenant_name: str | None
    owner_name: str | None
    owner_url: str | None
    slug: str | None
    directory_name: str | None
    directory_url: str | None
    name_marked: str | None
    snippet_marked: str | None


def _hit(row: _Row) -> Hit:
    if row.kind == "tenant":
        name = row.directory_name or ""
        return Hit(
            kind="tenant",
            score=float(row.score),
            name=name,
            name_html=marked_html(row.name_marked if row.name_marked is not None else name),
            snippet_html="",
            tenant=TenantRef(row.slug or "", name, row.directory_url or ""),
        )
    name, tenant = row.name or "", row.tenant or ""
    if row.owner_name is not None:
        owner = TenantRef(tenant, row.owner_name, row.owner_url or "")
    else:  # a product whose tenant the directory does not know (yet)
        owner = TenantRef(tenant, row.tenant_name or "", "")
    marked = row.snippet_marked if row.snippet_marked is not None else _plain_snippet(row.description or "")
    return Hit(
        kind="product",
        score=float(row.score),
        name=name,
        name_html=marked_html(row.name_marked if row.name_marked is not None else name),
        # ts_headline drops markup from descriptions and leaves its spaces: one space each.
        snippet_html=" ".join(marked_html(marked).split()),
        tenant=owner,
        product_id=row.product_id or "",
        price=(row.price_amount, row.price_currency or "") if row.price_amount is not None else None,
    )
