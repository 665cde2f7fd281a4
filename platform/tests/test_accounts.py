"""Portal accounts as only the portal has them: sign-up and its verification mail, tokens of the audience "portal",
`access_token_for`. What every project's identity API does is the kernel's contract (test_identity_contract.py)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from control_plane.accounts import actions
from control_plane.accounts.models import RefreshFamily, User
from control_plane.audit.models import AuditEvent
from tenantry_kernel.testing.mail import MailSink, link_in
from tenantry_kernel.testing.problems import problem

from .conftest import PASSWORD
from .test_accounts_support import AUTH, client_from_own_address


def bearer(access: str) -> APIClient:
    client = client_from_own_address()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def audit_actions(user: User) -> list[str]:
    return list(AuditEvent.objects.filter(actor=user).order_by("id").values_list("action", flat=True))


@override_settings(PORTAL_URL="https://portal.example.test/")
def test_sign_up_mails_a_link_that_verifies_the_address_once(transactional_db: None, mail: MailSink) -> None:
    # given a new account, made as the signup endpoint makes it
    request = RequestFactory().post("/api/v1/signup/")
    user = actions.create_user(email=" Ada@Example.TEST ", password=PASSWORD, full_name="Ada", request=request)
    assert user.email == "ada@example.test"
    assert not user.email_verified

    # when the mailed link is followed
    message = mail.wait_for("ada@example.test")[0]
    assert message["Subject"] == "Confirm your email address"
    link = urlsplit(link_in(message))
    assert (link.scheme, link.netloc, link.path) == ("https", "portal.example.test", "/verify-email")
    query = {key: values[0] for key, values in parse_qs(link.query).items()}
    verified = client_from_own_address().post(f"{AUTH}/email/verify/", query, format="json")

    # then the address is verified, and the link is spent
    assert verified.status_code == 200, verified.content
    assert verified.json()["email_verified"] is True
    user.refresh_from_db()
    assert user.email_verified_at is not None
    again = client_from_own_address().post(f"{AUTH}/email/verify/", query, format="json")
    assert again.status_code == 400
    assert problem(again) == {
        "code": "invalid",
        "detail": "Some fields are invalid; see errors.",
        "errors": {"/token": ["This link was already used or is not valid; ask for a new one."]},
    }
    assert audit_actions(user) == ["account.user_registered", "account.email_verified"]
    assert AuditEvent.objects.get(action="account.user_registered").source == "portal"


def test_sign_up_refuses_a_taken_address_and_a_weak_password(make_user: Callable[..., User]) -> None:
    make_user("taken@example.test")

    with pytest.raises(ValidationError) as taken:
        actions.create_user(email="TAKEN@example.test", password=PASSWORD)
    with pytest.raises(ValidationError) as weak:
        actions.create_user(email="new@example.test", password="12345")

    assert taken.value.get_codes() == {"email": ["email_taken"]}
    assert weak.value.get_codes() == {"password": ["password_weak", "password_weak", "password_weak"]}
    assert [str(m) for m in weak.value.detail["password"]] == [  # type: ignore[call-overload]  # a dict here
        "This password is too short. It must contain at least 10 characters.",
        "This password is too common.",
        "This password is entirely numeric.",
    ]
    assert not User.objects.filter(email="new@example.test").exists()


def _tenant_app_style_token(user: User, *, issuer: str, audience: str | None) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "token_type": "access",
        "exp": now + 300,
        "iat": now,
        "jti": uuid.uuid4().hex,
        "user_id": str(user.pk),
        "tenant": "alpha",
        "fam": str(RefreshFamily.objects.create(user=user).id),
        "iss": issuer,
    }
    if audience is not None:
        claims["aud"] = audience
    return jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256")


def test_a_tenant_app_token_is_refused_by_the_portal(make_user: Callable[..., User]) -> None:
    user = make_user("owner@example.test")
    # Signed with the same key the portal uses (as when both run with one secret), so only the claims differ.
    tenant_token = _tenant_app_style_token(user, issuer="tenantry-tenant-app", audience=None)
    no_audience = _tenant_app_style_token(user, issuer="tenantry-control-plane", audience=None)
    other_audience = _tenant_app_style_token(user, issuer="tenantry-control-plane", audience="alpha")
    portal = _tenant_app_style_token(user, issuer="tenantry-control-plane", audience="portal")

    answers = [bearer(token).get(f"{AUTH}/me/") for token in (tenant_token, no_audience, other_audience)]

    assert [answer.status_code for answer in answers] == [401, 401, 401]
    assert [problem(answer)["code"] for answer in answers] == ["token_not_valid"] * 3
    assert bearer(portal).get(f"{AUTH}/me/").status_code == 200  # the same claims with the portal's audience pass


def test_access_token_for_starts_a_real_session(
    make_user: Callable[..., User], api_for: Callable[[User | None], APIClient]
) -> None:
    user = make_user("owner@example.test")

    me = api_for(user).get(f"{AUTH}/me/")

    assert me.status_code == 200
    session = RefreshFamily.objects.get(user=user)
    assert session.method == "direct"
    actions.revoke_sessions(user, reason="test")
    assert problem(api_for(None).get(f"{AUTH}/me/"))["code"] == "not_authenticated"
