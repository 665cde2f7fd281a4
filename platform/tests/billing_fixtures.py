"""Fixtures of the billing tests: localstripe on loopback, Stripe pointed at it, tenants with members."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import stripe
from pytest_django.fixtures import Settings as SettingsWrapper

from control_plane.accounts.models import User
from control_plane.billing import stripe_api
from control_plane.billing.models import TaxRate
from control_plane.tenants.models import Membership, Tenant, TenantState
from tenantry_kernel.testing.stripe import reset, running_localstripe, seed_djstripe_account

GOOD_CARD = "4242424242424242"
DECLINED_ON_CHARGE = "4000000000000341"  # attaches, then every charge is declined
DECLINED_ON_ATTACH = "4000000000000002"
NEEDS_3DS = "4000000000003220"  # every payment needs the customer to pass a 3-D Secure challenge


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    with running_localstripe() as url:
        yield url


@pytest.fixture
def stripe_standin(localstripe_url: str, settings: SettingsWrapper) -> Iterator[stripe.StripeClient]:
    """Billing talks to a fresh localstripe; yields a client for the test's own look at Stripe's side."""
    reset(localstripe_url)
    # The migration seeds the rates, but a transactional test's flush empties the table for the next.
    TaxRate.objects.update_or_create(country="DE", defaults={"name": "USt", "percentage": 19})
    settings.STRIPE_API_HOST = localstripe_url
    stripe_api.configure()
    seed_djstripe_account(settings.STRIPE_SECRET_KEY)
    yield stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses={"api": localstripe_url})
    del settings.STRIPE_API_HOST
    stripe_api.configure()


@pytest.fixture
def make_store(make_user: Callable[..., User]) -> Callable[..., tuple[Tenant, User]]:
    """A tenant with an owner; more members through `store_member()`."""

    def make(slug: str = "acme", *, state: str = TenantState.PENDING, plan: str = "free") -> tuple[Tenant, User]:
        tenant = Tenant.objects.create(slug=slug, name=f"{slug.title()} Store", state=state, plan=plan)
        owner = make_user(f"owner@{slug}.example.com")
        Membership.objects.create(tenant=tenant, user=owner, role="owner")
        return tenant, owner

    return make


@pytest.fixture
def store_member(make_user: Callable[..., User]) -> Callable[[Tenant, str], User]:
    def add(tenant: Tenant, role: str) -> User:
        user = make_user(f"{role}@{tenant.slug}.example.com")
        Membership.objects.create(tenant=tenant, user=user, role=role)
        return user

    return add


def card(client: stripe.StripeClient, number: str = GOOD_CARD) -> str:
    """A payment method as Stripe.js would create it in the browser; its id is what the portal receives."""
    method: Any = client.v1.payment_methods.create(
        params={"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
    )
    return str(method.id)
