"""Store addresses (slugs): derived from a store's name, checked, and alternatives when taken."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from control_plane.tenants.models import Tenant
from tenantry_kernel.provisioning.naming import SLUG_MAX, InvalidSlug, validate_slug


def slug_from_name(name: str) -> str:
    """'Café Müller & Söhne' → 'cafe-muller-sohne': ASCII, lowercase, '-' between words, a DNS label."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if slug and not slug[0].isalpha():
        slug = f"store-{slug}"
    slug = slug[:SLUG_MAX].rstrip("-")
    return slug


@dataclass(frozen=True)
class SlugAvailability:
    slug: str
    available: bool
    code: str = ""
    message: str = ""
    suggestions: list[str] = field(default_factory=list)


def _valid(slug: str) -> bool:
    try:
        validate_slug(slug)
    except InvalidSlug:
        return False
    return True


def suggestions_for(slug: str, count: int = 3) -> list[str]:
    """Free, valid alternatives to `slug` (one query)."""
    base = slug_from_name(slug) or "store"
    base = base[: SLUG_MAX - 6].rstrip("-")
    candidates = [f"{base}-shop", f"{base}-store", *(f"{base}-{n}" for n in range(2, 10))]
    candidates = [c for c in candidates if _valid(c)]
    taken = set(Tenant.objects.filter(slug__in=candidates).values_list("slug", flat=True))
    return [c for c in candidates if c not in taken][:count]


def slug_availability(slug: str) -> SlugAvailability:
    try:
        validate_slug(slug)
    except InvalidSlug as error:
        code = "reserved_slug" if "reserved" in str(error) else "invalid_slug"
        return SlugAvailability(slug, False, code, f"{str(error)[0].upper()}{str(error)[1:]}.", suggestions_for(slug))
    if Tenant.objects.filter(slug=slug).exists():
        return SlugAvailability(
            slug, False, "slug_taken", f"The store address {slug!r} is taken; pick another.", suggestions_for(slug)
        )
    return SlugAvailability(slug, True)
