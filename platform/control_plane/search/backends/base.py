"""What every search backend does, and the shapes of questions and answers they share.

A backend is told about every change of the search records (inside the transaction that
made it, so a backend that fails makes the event be retried) and answers queries. The
PostgreSQL backend searches the records themselves; an index elsewhere copies what is visible.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from control_plane.search.models import ProductEntry, TenantEntry

Kind = Literal["product", "tenant"]
Match = Literal["exact", "fuzzy"]

# Highlight marks while text travels through a backend; `marked_html` turns them into <mark> after escaping.
MARK_START = "\x02"
MARK_END = "\x03"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class SearchQuery:
    text: str
    kind: Kind | None = None  # None: products and tenants together, ranked as one list
    currency: str | None = None  # products priced in this currency only
    offset: int = 0
    limit: int = 20
    match: Match | None = None  # None: exact first, fuzzy (typos corrected) only if nothing matches exactly


@dataclass(frozen=True)
class TenantRef:
    slug: str
    name: str
    url: str


@dataclass(frozen=True)
class Hit:
    kind: Kind
    score: float
    name: str
    name_html: str  # the name, HTML-escaped, with the matched words in <mark>
    snippet_html: str  # a passage of the description around the matches (products), escaped and marked
    tenant: TenantRef
    product_id: str = ""
    price: tuple[Decimal, str] | None = None


@dataclass(frozen=True)
class SearchPage:
    hits: list[Hit]
    has_more: bool
    match: Match
    corrected: str | None = None  # for a fuzzy match: the query as it was understood ("lavender soap")


@dataclass(frozen=True)
class Suggestion:
    kind: Kind
    text: str
    text_html: str
    tenant: TenantRef | None = None  # for a tenant suggestion: the tenant itself


class SearchBackend(Protocol):
    name: str

    def prepare(self) -> None:
        """Create what the backend needs (index templates, indices); idempotent."""

    def product_changed(self, product: ProductEntry) -> None:
        """`product`'s record changed (content, published, its tenant's readiness): index or drop it."""

    def tenant_changed(self, tenant: TenantEntry) -> None:
        """A tenant's directory entry changed; its products' `tenant_ready`/`tenant_name` changed with it."""

    def tenant_removed(self, slug: str) -> None:
        """The tenant was deleted: remove its entry and every product of it."""

    def search(self, query: SearchQuery) -> SearchPage: ...

    def autocomplete(self, text: str, limit: int) -> list[Suggestion]: ...

    def flush(self) -> None:
        """Make every write so far visible to searches (an index refresh; nothing where writes are immediate)."""

    def clear(self) -> None:
        """Forget everything indexed (tests, rebuilds); the records stay."""


def marked_html(text: str) -> str:
    """`text` with MARK_START/MARK_END as <mark>…</mark>, everything else HTML-escaped."""
    escaped = html.escape(text, quote=False)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def fold(text: str) -> str:
    """Lower case without accents, as the search configurations see words ("Crème" → "creme")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words_of(text: str) -> list[str]:
    """The words of `text`, folded ("Crème brûlée!" → ["creme", "brulee"])."""
    return _WORD.findall(fold(text))


def prefix_tokens(text: str) -> list[str]:
    """The words of an autocomplete input, folded; the last one is a prefix."""
    return words_of(text)


def mark_prefixes(text: str, tokens: list[str]) -> str:
    """`text` as HTML with each word's typed beginning in <mark> (autocomplete's highlight)."""
    parts: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        word = match.group()
        folded = fold(word)
        longest = max((len(token) for token in tokens if folded.startswith(token)), default=0)
        if not longest:
            continue
        # Folding keeps one character per letter for the scripts we fold (accents drop).
        cut = match.start() + min(longest, len(word))
        parts.append(html.escape(text[last : match.start()], quote=False))
        parts.append(f"<mark>{html.escape(text[match.start() : cut], quote=False)}</mark>")
        last = cut
    parts.append(html.escape(text[last:], quote=False))
    return "".join(parts)
