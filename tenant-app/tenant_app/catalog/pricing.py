"""What a variant costs in a currency the store sells in: its own price there, or its default-currency price
converted at the store's rate (its override, else the rates file) and rounded once to the currency's minor unit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings

from tenant_app.catalog.errors import CatalogProblem, CurrencyNotOffered, NoPrice
from tenant_app.catalog.models import ProductVariant, StoreSettings
from tenantry_kernel.money import FileRates, MoneyError, OverriddenRates, RatesProvider, convert, round_money

# The sample rates shipped for local runs and tests, when CATALOG_EXCHANGE_RATES_FILE is not set.
SAMPLE_RATES_FILE = Path(__file__).with_name("data") / "exchange_rates.json"


@dataclass(frozen=True)
class Priced:
    """A variant's price in `currency`; `rate` is the exchange rate used (None: the variant's own price there)."""

    amount: Decimal
    currency: str
    rate: Decimal | None


@cache
def _file_rates(path: str) -> FileRates:
    return FileRates.from_file(Path(path))


def rates_file() -> Path:
    return Path(settings.CATALOG_EXCHANGE_RATES_FILE or SAMPLE_RATES_FILE)


def rates_provider(store: StoreSettings) -> RatesProvider:
    """The rates file with the store's own overrides in front (units of a currency per 1 default currency)."""
    overrides = {(store.default_currency, code): Decimal(str(rate)) for code, rate in store.rate_overrides.items()}
    return OverriddenRates(_file_rates(str(rates_file())), overrides)


def offered_currencies(store: StoreSettings) -> list[str]:
    """The currencies the store sells in, its default first."""
    return [store.default_currency, *(code for code in store.currencies if code != store.default_currency)]


def check_currency(currency: str, store: StoreSettings) -> str:
    """`currency` when the store sells in it, else CurrencyNotOffered (400 `currency_not_offered`)."""
    offered = offered_currencies(store)
    if currency not in offered:
        raise CurrencyNotOffered(currency, offered)
    return currency


def price_of(
    variant: ProductVariant,
    currency: str,
    *,
    store: StoreSettings | None = None,
    rates: RatesProvider | None = None,
) -> Priced:
    """The variant's price in `currency`. Reads `variant.prices.all()`, so a prefetch of `prices` saves the query;
    pass `store` and `rates` when pricing many variants at once."""
    store = store or StoreSettings.current()
    check_currency(currency, store)
    prices = {price.currency: price.amount for price in variant.prices.all()}
    if currency in prices:
        return Priced(round_money(prices[currency], currency), currency, None)
    base = prices.get(store.default_currency)
    if base is None:
        raise NoPrice(variant.sku, currency)
    try:
        rate = (rates or rates_provider(store)).rate(store.default_currency, currency)
        return Priced(convert(base, rate, currency), currency, rate.value)
    except MoneyError as exc:
        raise CatalogProblem(str(exc), "rate_unavailable") from exc
