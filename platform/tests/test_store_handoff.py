"""The portal's "Open store": a one-time hand-off from a portal session (bearer) to a provider session (cookie).

The code is for one member and one ready store, works once and briefly, and leads only to that store's sign-in.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from rest_framework.test import APIClient

from control_plane.accounts.models import User
from control_plane.oidc import handoff
from control_plane.tenants.actions import lifecycle
from control_plane.tenants.models import Tenant, TenantState
from tenantry_kernel.testing import forget_cached
from tenantry_kernel.testing.problems import problem

pytestmark = pytest.mark.django_db


def ready_store(owner: User) -> str:
    tenant = lifecycle.create_tenant(name="Corner Bakery", slug=f"bakery-{secrets.token_hex(3)}", owner=owner)
    lifecycle.transition(tenant, TenantState.PROVISIONING)
    lifecycle.transition(tenant, TenantState.READY, url=f"http://{tenant.slug}.localhost:8000/")
    return tenant.slug


def code_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["code"][0]


def test_a_member_opens_a_ready_store_through_a_one_time_provider_session(
    owner: User, api_for: Callable[[User], APIClient]
) -> None:
    slug = ready_store(owner)
    answer = api_for(owner).post(f"/api/v1/tenants/{slug}/open/")
    assert answer.status_code == 200, answer.json()
    assert answer["Cache-Control"] == "no-store"
    url = answer.json()["url"]
    assert urlsplit(url).path == "/o/handoff/"
    assert answer.json()["expires_in"] == handoff.TTL

    browser = Client()
    followed = browser.get(f"/o/handoff/?code={code_of(url)}")
    assert followed.status_code == 302
    assert followed["Location"] == f"http://{slug}.localhost:8000/sso/platform/"
    assert followed["Cache-Control"] == "no-store"
    assert browser.session.get("_auth_user_id") == str(owner.pk)  # the provider knows them now

    again = Client().get(f"/o/handoff/?code={code_of(url)}")  # once only
    assert again.status_code == 400
    assert b"handoff_invalid" in again.content
    assert "_auth_user_id" not in again.wsgi_request.session


def test_a_forged_or_expired_code_signs_nobody_in(owner: User, api_for: Callable[[User], APIClient]) -> None:
    slug = ready_store(owner)
    url = api_for(owner).post(f"/api/v1/tenants/{slug}/open/").json()["url"]
    assert Client().get("/o/handoff/?code=forged").status_code == 400
    assert Client().get("/o/handoff/").status_code == 400
    forget_cached()  # as if its minute had passed
    assert Client().get(f"/o/handoff/?code={code_of(url)}").status_code == 400


def test_only_members_of_a_ready_store_get_a_hand_off(
    owner: User, make_user: Callable[..., User], api_for: Callable[[User], APIClient]
) -> None:
    slug = ready_store(owner)
    stranger = make_user("stranger@example.com")
    refused = api_for(stranger).post(f"/api/v1/tenants/{slug}/open/")
    assert refused.status_code == 404
    assert problem(refused)["code"] == "not_found"

    url = api_for(owner).post(f"/api/v1/tenants/{slug}/open/").json()["url"]
    tenant = Tenant.objects.get(slug=slug)
    lifecycle.suspend(tenant, reason="unpaid")
    suspended = api_for(owner).post(f"/api/v1/tenants/{slug}/open/")
    assert suspended.status_code == 409
    assert problem(suspended)["code"] == "tenant_not_ready"
    # A code issued before the suspension no longer leads anywhere either.
    assert Client().get(f"/o/handoff/?code={code_of(url)}").status_code == 400
