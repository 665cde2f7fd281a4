"""Error codes of the catalog (tenantry_kernel.web.problems)."""

from __future__ import annotations

from rest_framework import status
from rest_framework.exceptions import APIException

from tenantry_kernel.web.problems import Problem

PROBLEMS = (
    Problem(
        "currency_not_offered",
        400,
        "Currency not offered",
        "The store does not sell in this currency; use one of the store's currencies (GET storefront/settings/).",
    ),
    Problem(
        "no_price",
        400,
        "No price",
        "The variant has no price in this currency nor in the store's default currency to convert from.",
    ),
    Problem(
        "language_not_offered",
        400,
        "Language not offered",
        "The store has no content in this language; use one of the store's languages (GET storefront/settings/).",
    ),
    Problem(
        "rate_unavailable",
        400,
        "Exchange rate unavailable",
        "No exchange rate into this currency is known; the store sets one in its rate overrides.",
    ),
)


class CatalogProblem(APIException):
    """A catalog rule refused the request: `code` is one of PROBLEMS."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, detail: str, code: str) -> None:
        super().__init__(detail, code)
        self.code = code


class CurrencyNotOffered(CatalogProblem):
    def __init__(self, currency: str, offered: list[str]) -> None:
        listed = ", ".join(offered)
        super().__init__(f"This store does not sell in {currency!r}; it sells in {listed}.", "currency_not_offered")


class NoPrice(CatalogProblem):
    def __init__(self, sku: str, currency: str) -> None:
        super().__init__(f"Variant {sku!r} has no price in {currency} nor in the default currency.", "no_price")


class LanguageNotOffered(CatalogProblem):
    def __init__(self, language: str, offered: list[str]) -> None:
        listed = ", ".join(offered)
        super().__init__(f"This store has no content in {language!r}; it has {listed}.", "language_not_offered")
