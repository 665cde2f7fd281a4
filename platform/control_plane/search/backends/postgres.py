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
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchRank, TrigramSimilarity
from django.contrib.postgres.search import SearchQuery as TsQuery
from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
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
SNIPPET_WORDS = {"max_words": 30, "min_words": 12, "max_fragments": 2, "fragment_delimiter": " … "}
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
        rows = list(self._ranked(query)[query.offset : query.offset + query.limit + 1])
        has_more = len(rows) > query.limit
        hits = self._hits(query, rows[: query.limit])
        return SearchPage(hits=hits, has_more=has_more, match="exact")

    def _ranked(self, query: SearchQuery) -> QuerySet[Any, tuple[str, int, float]]:
        """(kind, pk, score) of every match, best first (pk breaks ties, so pages do not overlap)."""
        parts: list[QuerySet[Any, Any]] = []
        if query.kind in (None, "product"):
            products = ProductEntry.objects.filter(VISIBLE)
            if query.currency:
                products = products.filter(price_currency=query.currency)
            parts.append(self._matching(products, query.text, kind="product"))
        if query.kind in (None, "tenant") and not query.currency:
            tenants = TenantEntry.objects.filter(state=TenantState.READY)
            parts.append(self._matching(tenants, query.text, kind="tenant"))
        first, *others = parts
        ranked = first.union(*others, all=True) if others else first
        return ranked.order_by("-score", "kind", "pk")

    @staticmethod
    def _matching(rows: QuerySet[Any], text: str, *, kind: str) -> QuerySet[Any, Any]:
        ts_query = TsQuery(text, config=ENGLISH, search_type="websearch")
        rows = rows.filter(document=ts_query)
        score = SearchRank(F("document"), ts_query, normalization=Value(RANK_NORMALIZATION))
        # No ordering inside the parts (the models' default would sort every match for nothing).
        matching: QuerySet[Any, Any] = (
            rows.order_by().annotate(kind=Value(kind), score=score).values_list("kind", "pk", "score")
        )
        return matching

    def _hits(self, query: SearchQuery, rows: list[tuple[str, int, float]]) -> list[Hit]:
        """The page's rows in rank order, loaded with their highlights (a fixed number of queries)."""
        product_ids = [pk for kind, pk, _ in rows if kind == "product"]
        tenant_ids = [pk for kind, pk, _ in rows if kind == "tenant"]
        ts_query = TsQuery(query.text, config=ENGLISH, search_type="websearch")
        products: dict[int, ProductEntry] = {}
        if product_ids:
            found = (
                ProductEntry.objects.filter(pk__in=product_ids)
                .defer(*TSVECTORS)
                .annotate(
                    name_marked=_headline("name", ts_query, highlight_all=True),
                    snippet_marked=_headline("description", ts_query, **SNIPPET_WORDS),
                )
            )
            products = {product.pk: product for product in found}
        tenants: dict[int, TenantEntry] = {}
        if tenant_ids:
            found_tenants = (
                TenantEntry.objects.filter(pk__in=tenant_ids)
                .defer(*TSVECTORS)
                .annotate(name_marked=_headline("name", ts_query, highlight_all=True))
            )
            tenants = {tenant.pk: tenant for tenant in found_tenants}
        owners = _tenant_refs(product.tenant for product in products.values())

        hits: list[Hit] = []
        for kind, pk, score in rows:
            if kind == "product" and pk in products:
                product = products[pk]
                owner = owners.get(product.tenant) or TenantRef(product.tenant, product.tenant_name, "")
                price = (product.price_amount, product.price_currency) if product.price_amount is not None else None
                hits.append(
                    Hit(
                        kind="product",
                        score=float(score),
                        name=product.name,
                        name_html=_marked(product, "name_marked", product.name),
                        # ts_headline drops markup from descriptions and leaves its spaces: one space each.
                        snippet_html=" ".join(
                            _marked(product, "snippet_marked", _plain_snippet(product.description)).split()
                        ),
                        tenant=owner,
                        product_id=product.product_id,
                        price=price,
                    )
                )
            elif kind == "tenant" and pk in tenants:
                tenant = tenants[pk]
                hits.append(
                    Hit(
                        kind="tenant",
                        score=float(score),
                        name=tenant.name,
                        name_html=_marked(tenant, "name_marked", tenant.name),
                        snippet_html="",
                        tenant=TenantRef(tenant.slug, tenant.name, tenant.url),
                    )
                )
        return hits

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


def _headline(field: str, ts_query: TsQuery, **options: Any) -> SearchHeadline:
    return SearchHeadline(field, ts_query, config=ENGLISH, start_sel=MARK_START, stop_sel=MARK_END, **options)


def _marked(row: Any, attribute: str, fallback: str) -> str:
    marked = getattr(row, attribute, None)
    return marked_html(marked if marked is not None else fallback)


def _plain_snippet(description: str) -> str:
    if len(description) <= PLAIN_SNIPPET_CHARACTERS:
        return description
    return description[:PLAIN_SNIPPET_CHARACTERS].rsplit(" ", 1)[0] + " …"


def _tenant_refs(slugs: Iterable[str]) -> dict[str, TenantRef]:
    wanted = set(slugs)
    if not wanted:
        return {}
    entries = TenantEntry.objects.filter(slug__in=wanted).only("slug", "name", "url")
    return {entry.slug: TenantRef(entry.slug, entry.name, entry.url) for entry in entries}
