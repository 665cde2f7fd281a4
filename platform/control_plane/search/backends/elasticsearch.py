"""The production backend: Elasticsearch (or OpenSearch's compatible API) through the official client.

Two indices, `<prefix>-products` and `<prefix>-tenants`, made from index templates (analysis:
lower case and ASCII folding, English stemming; `name.suggest` is a search_as_you_type field
for autocomplete). Only what is visible is indexed: a product while published and its tenant
ready, a tenant while ready. Documents are written with external versions (the record's
`source_time` in microseconds, `external_gte`), so a stale write can never overwrite a newer one.
The search records in PostgreSQL stay the source: `manage.py search_reindex` rebuilds the indices.

Not exercised on the development machines (no Elasticsearch server there): the contract tests
run against it when ELASTICSEARCH_URL is set.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError, helpers

from control_plane.search.backends.base import (
    MARK_END,
    MARK_START,
    Hit,
    SearchPage,
    SearchQuery,
    Suggestion,
    TenantRef,
    mark_prefixes,
    marked_html,
    prefix_tokens,
)
from control_plane.search.models import ProductEntry, TenantEntry

ANALYSIS = {
    "filter": {
        "english_stemmer": {"type": "stemmer", "language": "english"},
        "english_possessive": {"type": "stemmer", "language": "possessive_english"},
    },
    "analyzer": {
        "folded": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "asciifolding"]},
        "folded_english": {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["lowercase", "asciifolding", "english_possessive", "english_stemmer"],
        },
    },
}
_KEYWORD = {"type": "keyword"}
_STORED = {"type": "keyword", "index": False}
_NAME = {
    "type": "text",
    "analyzer": "folded_english",
    "fields": {"suggest": {"type": "search_as_you_type", "analyzer": "folded"}, "raw": _KEYWORD},
}
PRODUCT_MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "key": _KEYWORD,
        "tenant": _KEYWORD,
        "product_id": _KEYWORD,
        "name": _NAME,
        "description": {"type": "text", "analyzer": "folded_english"},
        "tenant_name": {"type": "text", "analyzer": "folded_english"},
        "tenant_url": _STORED,
        "price_amount": _STORED,
        "price_currency": _KEYWORD,
        "published_at": {"type": "date"},
    },
}
TENANT_MAPPINGS = {
    "dynamic": "strict",
    "properties": {"key": _KEYWORD, "tenant": _KEYWORD, "name": _NAME, "tenant_url": _STORED},
}
SEARCH_FIELDS = ["name^3", "description", "tenant_name^0.5"]
SUGGEST_FIELDS = ["name.suggest", "name.suggest._2gram", "name.suggest._3gram"]
AUTOCOMPLETE_TENANTS = 3


def _version(moment: datetime | None) -> int:
    return int(moment.timestamp() * 1_000_000) if moment else 1


class ElasticsearchBackend:
    name = "elasticsearch"

    def __init__(self, url: str, prefix: str) -> None:
        self.client = Elasticsearch(url, request_timeout=5, retry_on_timeout=True, max_retries=2)
        self.prefix = prefix
        self.products = f"{prefix}-products"
        self.tenants = f"{prefix}-tenants"
        self._prepared = False

    # -- indices --------------------------------------------------------------------------------

    def prepare(self) -> None:
        for index, mappings in ((self.products, PRODUCT_MAPPINGS), (self.tenants, TENANT_MAPPINGS)):
            self.client.indices.put_index_template(
                name=index,
                index_patterns=[f"{index}*"],
                priority=200,
                template={"settings": {"analysis": ANALYSIS}, "mappings": mappings},
            )
            if not self.client.indices.exists(index=index):
                self.client.options(ignore_status=400).indices.create(index=index)  # 400: created meanwhile
        self._prepared = True

    def _ensure_prepared(self) -> None:
        # Before the first write of this process: templates and indices exist, whoever made them.
        if not self._prepared:
            self.prepare()

    def flush(self) -> None:
        self.client.indices.refresh(index=[self.products, self.tenants])

    def clear(self) -> None:
        self._prepared = False
        self.client.options(ignore_status=404).indices.delete(index=[self.products, self.tenants])
        for index in (self.products, self.tenants):
            self.client.options(ignore_status=404).indices.delete_index_template(name=index)

    # -- changes --------------------------------------------------------------------------------

    def product_changed(self, product: ProductEntry) -> None:
        owner = TenantEntry.objects.filter(slug=product.tenant).only("url").first()
        self._bulk([self._product_action(product, owner.url if owner else "")])

    def tenant_changed(self, tenant: TenantEntry) -> None:
        def actions() -> Iterator[dict[str, Any]]:
            key = tenant.slug
            if tenant.listed:
                yield {
                    "_op_type": "index",
                    "_index": self.tenants,
                    "_id": key,
                    "version": _version(tenant.source_time),
                    "version_type": "external_gte",
                    "_source": {"key": key, "tenant": key, "name": tenant.name, "tenant_url": tenant.url},
                }
            else:
                yield {"_op_type": "delete", "_index": self.tenants, "_id": key}
            for product in ProductEntry.objects.filter(tenant=tenant.slug).iterator(chunk_size=500):
                yield self._product_action(product, tenant.url)

        self._bulk(actions())

    def tenant_removed(self, slug: str) -> None:
        self._ensure_prepared()
        self.client.options(ignore_status=404).delete(index=self.tenants, id=slug)
        self.client.delete_by_query(index=self.products, query={"term": {"tenant": slug}}, conflicts="proceed")

    def _product_action(self, product: ProductEntry, tenant_url: str) -> dict[str, Any]:
        key = f"{product.tenant}/{product.product_id}"
        if not product.visible:
            return {"_op_type": "delete", "_index": self.products, "_id": key}
        return {
            "_op_type": "index",
            "_index": self.products,
            "_id": key,
            "version": _version(product.source_time),
            "version_type": "external_gte",
            "_source": {
                "key": key,
                "tenant": product.tenant,
                "product_id": product.product_id,
                "name": product.name,
                "description": product.description,
                "tenant_name": product.tenant_name,
                "tenant_url": tenant_url,
                "price_amount": str(product.price_amount) if product.price_amount is not None else None,
                "price_currency": product.price_currency,
                "published_at": product.published_at.isoformat() if product.published_at else None,
            },
        }

    def _bulk(self, actions: Any) -> None:
        self._ensure_prepared()
        # A delete of what is not indexed (404) is fine; anything else fails the event, which is retried.
        _, errors = helpers.bulk(self.client, actions, raise_on_error=False, raise_on_exception=True)
        assert isinstance(errors, list)  # the count comes only with stats_only=True
        failures = [error for error in errors if _status(error) not in (404, 409)]
        if failures:
            raise RuntimeError(f"Elasticsearch refused {len(failures)} writes, first: {failures[0]}")

    # -- reads ----------------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchPage:
        if query.match != "fuzzy":
            page = self._page(query, fuzzy=False)
            if page.hits or query.match == "exact" or query.offset:
                return page
        return self._page(query, fuzzy=True)

    def _indices(self, query: SearchQuery) -> list[str]:
        indices = []
        if query.kind in (None, "product"):
            indices.append(self.products)
        if query.kind in (None, "tenant") and not query.currency:
            indices.append(self.tenants)
        return indices

    def _page(self, query: SearchQuery, *, fuzzy: bool) -> SearchPage:
        match: dict[str, Any] = {"query": query.text, "fields": SEARCH_FIELDS, "operator": "and"}
        if fuzzy:
            match["fuzziness"] = "AUTO"
        filters = [{"term": {"price_currency": query.currency}}] if query.currency else []
        try:
            response = self.client.search(
                index=self._indices(query),
                query={"bool": {"must": [{"multi_match": match}], "filter": filters}},
                highlight={
                    "pre_tags": [MARK_START],
                    "post_tags": [MARK_END],
                    "fields": {
                        "name": {"number_of_fragments": 0},
                        "description": {"fragment_size": 120, "number_of_fragments": 2},
                    },
                },
                sort=[{"_score": "desc"}, {"key": "asc"}],
                from_=query.offset,
                size=query.limit + 1,
                track_total_hits=False,
            )
        except NotFoundError:  # the indices are not made yet: nothing can match
            return SearchPage(hits=[], has_more=False, match="fuzzy" if fuzzy else "exact")
        documents = response["hits"]["hits"]
        hits = [self._hit(document) for document in documents[: query.limit]]
        return SearchPage(hits=hits, has_more=len(documents) > query.limit, match="fuzzy" if fuzzy else "exact")

    def _hit(self, document: dict[str, Any]) -> Hit:
        source = document["_source"]
        highlight = document.get("highlight", {})
        name_marked = highlight.get("name", [source["name"]])[0]
        is_product = document["_index"] == self.products
        if is_product:
            tenant = TenantRef(source["tenant"], source["tenant_name"], source.get("tenant_url", ""))
            snippet = " … ".join(highlight.get("description", [])) or source.get("description", "")[:200]
            amount = source.get("price_amount")
            return Hit(
                kind="product",
                score=float(document.get("_score") or 0.0),
                name=source["name"],
                name_html=marked_html(name_marked),
                snippet_html=marked_html(snippet),
                tenant=tenant,
                product_id=source["product_id"],
                price=(Decimal(amount), source["price_currency"]) if amount is not None else None,
            )
        return Hit(
            kind="tenant",
            score=float(document.get("_score") or 0.0),
            name=source["name"],
            name_html=marked_html(name_marked),
            snippet_html="",
            tenant=TenantRef(source["tenant"], source["name"], source.get("tenant_url", "")),
        )

    def autocomplete(self, text: str, limit: int) -> list[Suggestion]:
        tokens = prefix_tokens(text)
        if not tokens:
            return []
        query = {"multi_match": {"query": text, "type": "bool_prefix", "fields": SUGGEST_FIELDS}}
        try:
            tenants = self.client.search(
                index=self.tenants,
                query=query,
                size=min(AUTOCOMPLETE_TENANTS, limit),
                source_includes=["tenant", "name", "tenant_url"],
            )["hits"]["hits"]
            products = self.client.search(
                index=self.products,
                query=query,
                collapse={"field": "name.raw"},
                size=limit - len(tenants),
                source_includes=["name"],
            )["hits"]["hits"]
        except NotFoundError:
            return []
        suggestions = [
            Suggestion("product", hit["_source"]["name"], mark_prefixes(hit["_source"]["name"], tokens))
            for hit in products
        ]
        for hit in tenants:
            source = hit["_source"]
            ref = TenantRef(source["tenant"], source["name"], source.get("tenant_url", ""))
            suggestions.append(Suggestion("tenant", source["name"], mark_prefixes(source["name"], tokens), ref))
        return suggestions


def _status(error: dict[str, Any]) -> Any:
    """The HTTP status of one failed bulk item ({"delete": {"status": 404, ...}})."""
    item: Any = next(iter(error.values()), None)
    return item.get("status") if isinstance(item, dict) else None
