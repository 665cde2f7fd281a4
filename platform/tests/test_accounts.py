"""Portal accounts: sign-up and email verification, sign-in, sessions and their rotation, two-factor, audiences."""

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
from .test_accounts_support import Authenticator, client_from_own_address

AUTH = "/api/v1/auth"


def error_of(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = problem(response)
    return body


def sign_in(client: APIClient, email: str, password: str = PASSWORD) -> Any:
    return client.post(f"{AUTH}/login/", {"email": email, "password": password}, format="json")


def bearer(access: str) -> APIClient:
    client = client_from_own_address()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def audit_actions(user: User) -> list[str]:
    return list(AuditEvent.objects.filter(actor=user).order_by("id").values_list("action", flat=True))


def enrol(access: str) -> tuple[Authenticator, list[str]]:
    """Two-factor turned on through the API; the authenticator app and the backup codes."""
    started = bearer(access).post(f"{AUTH}/2fa/enrol/")
    assert started.status_code == 201, started.content
    app = Authenticator(started.json()["otpauth_uri"])
    confirmed = bearer(access).post(f"{AUTH}/2fa/confirm/", {"code": app.code()}, format="json")
    assert confirmed.status_code == 200, confirmed.content
    return app, confirmed.json()["backup_codes"]


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
    verified = client_from_own_address().post(f"{AUTH}/verify-email/", query, format="json")

    # then the address is verified, and the link is spent
    assert verified.status_code == 200, verified.content
    assert verified.json()["email_verified"] is True
    user.refresh_from_db()
    assert user.email_verified_at is not None
    again = client_from_own_address().post(f"{AUTH}/verify-email/", query, format="json")
    assert again.status_code == 400
    assert error_of(again) == {
        "code": "invalid",
        "detail": "Some fields are invalid; see errors.",
        "errors": {"/token": ["This link is invalid or expired; ask for a new one."]},
    }
    assert audit_actions(user) == ["account.user_registered", "account.email_verified"]
    assert AuditEvent.objects.get(action="account.user_registered").source == "portal"


def test_a_new_link_is_mailed_on_request_to_unverified_addresses_only(
    transactional_db: None, mail: MailSink, make_user: Callable[..., User]
) -> None:
    make_user("waiting@example.test", verified=False)
    make_user("done@example.test", verified=True)
    client = client_from_own_address()

    answers = [
        client.post(f"{AUTH}/resend-verification/", {"email": email}, format="json")
        for email in ("WAITING@example.test", "done@example.test", "nobody@example.test")
    ]

    # the same answer whatever the address, and a mail only where one is due
    assert [answer.status_code for answer in answers] == [202, 202, 202]
    assert mail.wait_for("waiting@example.test")[0]["Subject"] == "Confirm your email address"
    time.sleep(1)  # the worker had time to send anything else it was given
    assert mail.sent_to("done@example.test") == []
    assert mail.sent_to("nobody@example.test") == []


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


def test_sign_in_then_refresh_rotates_and_a_reused_refresh_token_signs_the_session_out(
    make_user: Callable[..., User],
) -> None:
    user = make_user("owner@example.test")
    client = client_from_own_address()

    # given a session
    signed_in = sign_in(client, "Owner@Example.test")
    assert signed_in.status_code == 200, signed_in.content
    first = signed_in.json()
    assert set(first) == {"access", "refresh"}
    me = bearer(first["access"]).get(f"{AUTH}/me/")
    assert me.status_code == 200
    assert me.json()["email"] == "owner@example.test"

    # when its refresh token is used once, and then again
    rotated = client.post(f"{AUTH}/refresh/", {"refresh": first["refresh"]}, format="json")
    assert rotated.status_code == 200, rotated.content
    second = rotated.json()
    assert second["refresh"] != first["refresh"]
    assert bearer(second["access"]).get(f"{AUTH}/me/").status_code == 200
    reused = client.post(f"{AUTH}/refresh/", {"refresh": first["refresh"]}, format="json")

    # then the reuse revokes the whole session: every token of it is refused
    assert reused.status_code == 401
    assert error_of(reused)["code"] == "token_reused"
    after = client.post(f"{AUTH}/refresh/", {"refresh": second["refresh"]}, format="json")
    assert after.status_code == 401
    assert error_of(after)["code"] == "token_revoked"
    refused = bearer(second["access"]).get(f"{AUTH}/me/")
    assert refused.status_code == 401
    assert error_of(refused)["code"] == "token_revoked"
    assert RefreshFamily.objects.get(user=user).revoked_reason == "reuse"
    assert audit_actions(user) == ["account.sign_in", "account.token_reused"]


def test_a_wrong_password_is_refused_and_audited(make_user: Callable[..., User]) -> None:
    make_user("owner@example.test")

    refused = sign_in(client_from_own_address(), "owner@example.test", "not the password at all")

    assert refused.status_code == 401
    assert error_of(refused) == {"code": "invalid_credentials", "detail": "The email or password is wrong."}
    failure = AuditEvent.objects.get(action="account.sign_in_failed")
    assert failure.actor is None
    assert failure.data == {"subject": "owner@example.test"}


def test_sign_out_ends_the_session_and_its_access_token(make_user: Callable[..., User]) -> None:
    make_user("owner@example.test")
    client = client_from_own_address()
    tokens = sign_in(client, "owner@example.test").json()

    signed_out = client.post(f"{AUTH}/logout/", {"refresh": tokens["refresh"]}, format="json")

    assert signed_out.status_code == 204
    assert error_of(bearer(tokens["access"]).get(f"{AUTH}/me/"))["code"] == "token_revoked"
    refreshed = client.post(f"{AUTH}/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert error_of(refreshed)["code"] == "token_revoked"


def test_sessions_are_listed_and_one_can_be_revoked(make_user: Callable[..., User]) -> None:
    make_user("owner@example.test")
    laptop = sign_in(client_from_own_address(), "owner@example.test").json()
    phone = sign_in(client_from_own_address(), "owner@example.test").json()

    listed = bearer(laptop["access"]).get(f"{AUTH}/sessions/")
    assert listed.status_code == 200
    sessions = listed.json()
    assert [session["current"] for session in sessions] == [False, True]  # newest first: the phone's
    assert {session["method"] for session in sessions} == {"password"}

    revoked = bearer(laptop["access"]).delete(f"{AUTH}/sessions/{sessions[0]['id']}/")

    assert revoked.status_code == 204
    assert error_of(bearer(phone["access"]).get(f"{AUTH}/me/"))["code"] == "token_revoked"
    assert bearer(laptop["access"]).get(f"{AUTH}/me/").status_code == 200
    gone = bearer(laptop["access"]).delete(f"{AUTH}/sessions/{sessions[0]['id']}/")
    assert gone.status_code == 404
    assert error_of(gone)["code"] == "not_found"


def test_two_factor_enrolment_makes_sign_in_ask_for_a_code(
    make_user: Callable[..., User], api_for: Callable[[User | None], APIClient]
) -> None:
    user = make_user("owner@example.test")
    access = sign_in(client_from_own_address(), "owner@example.test").json()["access"]

    # given an authenticator app set up (a wrong first code is refused, the right one turns 2FA on)
    started = bearer(access).post(f"{AUTH}/2fa/enrol/")
    assert started.status_code == 201
    enrolment = started.json()
    assert enrolment["qr_code"].startswith("data:image/svg+xml")
    app = Authenticator(enrolment["otpauth_uri"])
    assert app.issuer == "Tenantry"
    wrong = bearer(access).post(f"{AUTH}/2fa/confirm/", {"code": app.wrong_code()}, format="json")
    assert wrong.status_code == 400
    assert error_of(wrong)["code"] == "two_factor_code_invalid"
    confirmed = bearer(access).post(f"{AUTH}/2fa/confirm/", {"code": app.code()}, format="json")
    assert confirmed.status_code == 200
    backup_codes = confirmed.json()["backup_codes"]
    assert len(backup_codes) == 10
    status = bearer(access).get(f"{AUTH}/2fa/").json()
    assert status == {
        "enabled": True,
        "methods": ["totp", "backup_code"],
        "backup_codes_remaining": 10,
        "required": False,
    }

    # when they sign in with the password
    client = client_from_own_address()
    halfway = sign_in(client, "owner@example.test")

    # then a challenge comes instead of tokens, and only a right code answers it
    assert halfway.status_code == 200
    challenge = halfway.json()
    assert challenge["status"] == "two_factor_required"
    assert challenge["methods"] == ["totp", "backup_code"]
    assert set(challenge) == {"status", "challenge", "methods", "expires_in"}
    refused = client.post(f"{AUTH}/login/2fa/", {"challenge": challenge["challenge"], "code": app.wrong_code()})
    assert refused.status_code == 401
    assert error_of(refused)["code"] == "two_factor_code_invalid"
    answered = client.post(f"{AUTH}/login/2fa/", {"challenge": challenge["challenge"], "code": app.code()})
    assert answered.status_code == 200, answered.content
    assert bearer(answered.json()["access"]).get(f"{AUTH}/me/").status_code == 200
    spent = client.post(f"{AUTH}/login/2fa/", {"challenge": challenge["challenge"], "code": app.code()})
    assert error_of(spent)["code"] == "challenge_invalid"

    # and a backup code works once, in place of an app code
    challenge = sign_in(client, "owner@example.test").json()["challenge"]
    with_backup = client.post(f"{AUTH}/login/2fa/", {"challenge": challenge, "code": backup_codes[0].upper()})
    assert with_backup.status_code == 200
    challenge = sign_in(client, "owner@example.test").json()["challenge"]
    again = client.post(f"{AUTH}/login/2fa/", {"challenge": challenge, "code": backup_codes[0]})
    assert error_of(again)["code"] == "two_factor_code_invalid"
    assert RefreshFamily.objects.filter(user=user, method="password+2fa").count() == 2
    assert "account.two_factor_enabled" in audit_actions(user)
    assert "account.backup_code_used" in audit_actions(user)


def test_five_wrong_codes_lock_the_second_factor(make_user: Callable[..., User]) -> None:
    make_user("owner@example.test")
    access = sign_in(client_from_own_address(), "owner@example.test").json()["access"]
    app, _ = enrol(access)
    client = client_from_own_address()
    challenge = sign_in(client, "owner@example.test").json()["challenge"]

    answers = [client.post(f"{AUTH}/login/2fa/", {"challenge": challenge, "code": app.wrong_code()}) for _ in range(5)]
    # the lockout ended the open challenge, and a new one is refused even a right code
    ended = client.post(f"{AUTH}/login/2fa/", {"challenge": challenge, "code": app.code()})
    challenge = sign_in(client, "owner@example.test").json()["challenge"]
    locked = client.post(f"{AUTH}/login/2fa/", {"challenge": challenge, "code": app.code()})

    assert [error_of(answer)["code"] for answer in answers] == ["two_factor_code_invalid"] * 4 + ["two_factor_locked"]
    assert answers[4].status_code == 429
    assert error_of(ended)["code"] == "challenge_invalid"
    assert locked.status_code == 429
    assert error_of(locked)["code"] == "two_factor_locked"


def test_staff_must_enrol_a_second_factor_before_their_first_session(make_user: Callable[..., User]) -> None:
    staff = make_user("ops@example.test", is_staff=True)
    client = client_from_own_address()

    halfway = sign_in(client, "ops@example.test").json()
    assert halfway["status"] == "enrolment_required"
    assert halfway["methods"] == ["totp"]
    started = client.post(f"{AUTH}/login/2fa/enrolment/", {"challenge": halfway["challenge"]})
    assert started.status_code == 200
    app = Authenticator(started.json()["otpauth_uri"])
    enrolled = client.post(
        f"{AUTH}/login/2fa/enrolment/confirm/", {"challenge": halfway["challenge"], "code": app.code()}
    )

    assert enrolled.status_code == 200, enrolled.content
    assert set(enrolled.json()) == {"backup_codes", "access", "refresh"}
    access = enrolled.json()["access"]
    refused = bearer(access).post(f"{AUTH}/2fa/disable/", {"code": app.code()}, format="json")
    assert refused.status_code == 409
    assert error_of(refused) == {
        "code": "two_factor_required_for_staff",
        "detail": "Platform staff must keep two-factor authentication on.",
    }
    assert RefreshFamily.objects.get(user=staff).method == "password+2fa"


def test_two_factor_can_be_turned_off_with_a_code(make_user: Callable[..., User]) -> None:
    make_user("owner@example.test")
    access = sign_in(client_from_own_address(), "owner@example.test").json()["access"]
    app, _ = enrol(access)

    new_codes = bearer(access).post(f"{AUTH}/2fa/backup-codes/", {"code": app.code()}, format="json")
    disabled = bearer(access).post(f"{AUTH}/2fa/disable/", {"code": app.code()}, format="json")

    assert new_codes.status_code == 200
    assert len(new_codes.json()["backup_codes"]) == 10
    assert disabled.status_code == 204
    assert set(sign_in(client_from_own_address(), "owner@example.test").json()) == {"access", "refresh"}
    not_on = bearer(access).post(f"{AUTH}/2fa/disable/", {"code": app.code()}, format="json")
    assert error_of(not_on)["code"] == "two_factor_not_enabled"


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
    assert [error_of(answer)["code"] for answer in answers] == ["token_not_valid"] * 3
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
    assert error_of(api_for(None).get(f"{AUTH}/me/"))["code"] == "not_authenticated"


def test_sign_in_attempts_are_throttled_per_address(make_user: Callable[..., User]) -> None:
    make_user("owner@example.test")
    client = client_from_own_address()

    answers = [sign_in(client, "owner@example.test", "wrong password, again").status_code for _ in range(11)]

    assert answers == [401] * 10 + [429]
    assert error_of(sign_in(client, "owner@example.test"))["code"] == "throttled"
    assert sign_in(client_from_own_address(), "owner@example.test").status_code == 200
