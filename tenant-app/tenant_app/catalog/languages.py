"""The store's languages: ISO 639-1 codes, how a request picks one, and PostgreSQL's text-search configuration
(stemming) for each."""

from __future__ import annotations

import pycountry
from django.contrib.postgres.search import SearchConfig
from django.db import models

# PostgreSQL's built-in snowball configurations by ISO 639-1 code; other languages are searched unstemmed.
SEARCH_CONFIGS = {
    "ar": "arabic",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
}
UNSTEMMED = "simple"


def is_language(code: str) -> bool:
    """A two-letter ISO 639-1 code in lower case ("en", "de")."""
    return len(code) == 2 and code.isascii() and code.islower() and pycountry.languages.get(alpha_2=code) is not None


def config_name(code: str) -> str:
    return SEARCH_CONFIGS.get(code, UNSTEMMED)


def search_config(language_field: str) -> models.Case:
    """SQL picking the configuration of the row's language: constant per branch, so usable in a generated column."""
    whens = [models.When(**{language_field: code}, then=SearchConfig(name)) for code, name in SEARCH_CONFIGS.items()]
    return models.Case(*whens, default=SearchConfig(UNSTEMMED))


def pick_language(asked: str | None, accept_language: str, offered: list[str], default: str) -> str | None:
    """The language to answer in: `?lang=` (None when it is not offered: the caller refuses it), else the first
    offered language of Accept-Language by quality ("de-CH" counts as "de"), else the store's default."""
    if asked is not None:
        asked = asked.strip().lower()
        return asked if asked in offered else None
    for code in _accepted(accept_language):
        if code in offered:
            return code
    return default


def _accepted(header: str) -> list[str]:
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary and primary != "*" and quality > 0:
            ranked.append((-quality, index, primary))
    return [code for _, _, code in sorted(ranked)]
