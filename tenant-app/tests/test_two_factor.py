"""Two-factor authentication on real tenants: enrolment, the sign-in challenge, backup codes, lockout, role policy."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections
from django.db.models import Q
from django.test import Client, RequestFactory
from django.utils import timezone

from tenant_app.access.models import Role
from tenant_app.accounts.actions import complete_sign_in
from tenant_app.accounts.models import RefreshFamily, User
from tenant_app.audit.models import AuditEvent
from tenant_app.tenancy.context import tenant_transaction
from tenant_app.twofactor.challenges import SecondFactorChallenge
from tenant_app.twofactor.models import Lockout
from tenantry_kernel.testing.problems import field_errors, problem
from tenantry_kernel.testing.totp import Authenticator

from .conftest import ShardTenant

PASSWORD = "a long enough passphrase"
EMAIL = "owner@example.test"
WRONG_CODE = {
    "code": "two_factor_code_invalid",
    "detail": "That code is wrong or was already used; enter the current code from your authenticator app "
    "or an unused backup code.",
}


def call(tenant: ShardTenant, method: str, path: str, body: Any = None, token: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = Client(HTTP_HOST=tenant.host)
    if method == "post":
        return client.post(path, body, content_type="application/json", headers=headers)
    return client.get(path, headers=headers)


def sign_in(tenant: ShardTenant) -> dict[str, Any]:
    response = call(tenant, "post", "/api/v1/auth/token/", {"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 200, response.content
    result: dict[str, Any] = response.json()
    return result


def answer(tenant: ShardTenant, challenge: str, code: str) -> Any:
    return call(tenant, "post", "/api/v1/auth/two-factor/", {"challenge": challenge, "code": code})


def me(tenant: ShardTenant, access: str) -> Any:
    return call(tenant, "get", "/api/v1/me/", token=access)


def enrol(tenant: ShardTenant) -> tuple[Authenticator, list[str]]:
    """Turn two-factor on for the owner through the API, as the settings page would."""
    access = sign_in(tenant)["access"]
    started = call(tenant, "post", "/api/v1/me/two-factor/totp/", token=access)
    assert started.status_code == 201, started.content
    app = Authenticator(started.json()["otpauth_uri"])
    confirmed = call(tenant, "post", "/api/v1/me/two-factor/totp/confirm/", {"code": app.code()}, token=access)
    assert confirmed.status_code == 200, confirmed.content
    return app, confirmed.json()["backup_codes"]


def audit_trail(tenant: ShardTenant) -> list[tuple[str, str | None]]:
    """The two-factor events of the tenant's audit log, oldest first, with their actor."""
    with tenant_transaction(tenant.route):
        events = AuditEvent.objects.select_related("actor").filter(
            Q(type__startswith="two_factor_") | Q(type__startswith="backup_code")
        )
        return [(event.type, event.actor.email if event.actor else None) for event in events.order_by("id")]


@pytest.fixture
def tenants(shard: tuple[str, list[ShardTenant]]) -> list[ShardTenant]:
    """Both tenants have an owner account with the same email (different stores, different people)."""
    _, tenants = shard
    for tenant in tenants:
        with tenant_transaction(tenant.route):
            User.objects.create_user(EMAIL, PASSWORD)
    return tenants


@pytest.fixture
def alpha(tenants: list[ShardTenant]) -> ShardTenant:
    return tenants[0]


def test_enrolment_then_sign_in_answers_a_challenge_and_the_code_gives_working_tokens(alpha: ShardTenant) -> None:
    access = sign_in(alpha)["access"]
    assert call(alpha, "get", "/api/v1/me/two-factor/", token=access).json() == {
        "enabled": False,
        "methods": [],
        "backup_codes_remaining": 0,
        "required_by_role": False,
    }

    started = call(alpha, "post", "/api/v1/me/two-factor/totp/", token=access)

    assert started.status_code == 201
    enrolment = started.json()
    app = Authenticator(enrolment["otpauth_uri"])
    assert (app.issuer, app.label) == (alpha.host, f"{alpha.host}:{EMAIL}")
    assert enrolment["secret"] in enrolment["otpauth_uri"]
    assert enrolment["qr_code"].startswith("data:image/svg+xml")
    # Not on until the app proves it has the secret.
    assert call(alpha, "get", "/api/v1/me/two-factor/", token=access).json()["enabled"] is False
    assert sign_in(alpha).keys() == {"access", "refresh"}
    wrong = call(alpha, "post", "/api/v1/me/two-factor/totp/confirm/", {"code": app.wrong_code()}, token=access)
    assert wrong.status_code == 400
    assert problem(wrong)["code"] == "two_factor_code_invalid"

    confirmed = call(alpha, "post", "/api/v1/me/two-factor/totp/confirm/", {"code": app.code()}, token=access)

    assert confirmed.status_code == 200
    backup_codes = confirmed.json()["backup_codes"]
    assert len(set(backup_codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{5}-[a-z2-7]{5}", code) for code in backup_codes)
    again = call(alpha, "post", "/api/v1/me/two-factor/totp/", token=access)
    assert again.status_code == 409
    assert problem(again)["code"] == "two_factor_already_enabled"

    challenge = sign_in(alpha)

    assert challenge.keys() == {"status", "challenge", "methods", "expires_in"}
    assert challenge["status"] == "two_factor_required"
    assert challenge["methods"] == ["totp", "backup_code"]
    assert challenge["expires_in"] == 300
    tokens = answer(alpha, challenge["challenge"], app.code())
    assert tokens.status_code == 200
    assert tokens.json().keys() == {"access", "refresh"}
    assert me(alpha, tokens.json()["access"]).json()["email"] == EMAIL
    assert call(alpha, "get", "/api/v1/me/two-factor/", token=tokens.json()["access"]).json() == {
        "enabled": True,
        "methods": ["totp", "backup_code"],
        "backup_codes_remaining": 10,
        "required_by_role": False,
    }
    with tenant_transaction(alpha.route):
        assert RefreshFamily.objects.order_by("-created_at").values_list("method", flat=True)[0] == "password+2fa"
    assert audit_trail(alpha) == [("two_factor_enabled", EMAIL)]


def test_a_wrong_code_is_refused_and_a_code_is_accepted_once(alpha: ShardTenant) -> None:
    app, _ = enrol(alpha)
    challenge = sign_in(alpha)["challenge"]

    wrong = answer(alpha, challenge, app.wrong_code())

    assert wrong.status_code == 401
    assert problem(wrong) == WRONG_CODE
    code = app.code()
    assert answer(alpha, challenge, code).status_code == 200
    # The challenge is spent, and the code too: replayed on a fresh challenge it fails.
    assert problem(answer(alpha, challenge, app.next_code()))["code"] == "challenge_invalid"
    replayed = answer(alpha, sign_in(alpha)["challenge"], code)
    assert replayed.status_code == 401
    assert problem(replayed) == WRONG_CODE
    assert audit_trail(alpha) == [
        ("two_factor_enabled", EMAIL),
        ("two_factor_failed", EMAIL),
        ("two_factor_failed", EMAIL),
    ]


def test_a_backup_code_signs_in_once(alpha: ShardTenant) -> None:
    _, backup_codes = enrol(alpha)

    # People type codes as they like: upper case, without the dash.
    used = answer(alpha, sign_in(alpha)["challenge"], backup_codes[0].replace("-", "").upper())

    assert used.status_code == 200
    assert me(alpha, used.json()["access"]).status_code == 200
    again = answer(alpha, sign_in(alpha)["challenge"], backup_codes[0])
    assert again.status_code == 401
    assert problem(again) == WRONG_CODE
    status = call(alpha, "get", "/api/v1/me/two-factor/", token=used.json()["access"]).json()
    assert status["backup_codes_remaining"] == 9
    assert audit_trail(alpha)[1:] == [("backup_code_used", EMAIL), ("two_factor_failed", EMAIL)]
    with tenant_transaction(alpha.route):
        event = AuditEvent.objects.get(type="backup_code_used")
        assert event.details == {"remaining": 9}
        # Only keyed hashes are stored, never a code.
        stored = set(User.objects.get().backup_codes.values_list("code_hash", flat=True))
        assert len(stored) == 10
        assert not stored & {code.replace("-", "") for code in backup_codes}


def test_one_backup_code_used_twice_at_once_signs_in_once(alpha: ShardTenant) -> None:
    _, backup_codes = enrol(alpha)
    challenges = [sign_in(alpha)["challenge"], sign_in(alpha)["challenge"]]
    start = threading.Barrier(2)

    def use(challenge: str) -> int:
        try:
            start.wait()
            return int(answer(alpha, challenge, backup_codes[0]).status_code)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(use, challenges))

    assert statuses == [200, 401]


def test_regenerated_backup_codes_replace_the_old_ones_and_need_an_app_code(alpha: ShardTenant) -> None:
    app, old_codes = enrol(alpha)
    access = answer(alpha, sign_in(alpha)["challenge"], old_codes[-1]).json()["access"]

    with_backup_code = call(alpha, "post", "/api/v1/me/two-factor/backup-codes/", {"code": old_codes[0]}, token=access)
    regenerated = call(alpha, "post", "/api/v1/me/two-factor/backup-codes/", {"code": app.code()}, token=access)

    assert with_backup_code.status_code == 400
    assert problem(with_backup_code)["code"] == "two_factor_code_invalid"
    assert regenerated.status_code == 200
    new_codes = regenerated.json()["backup_codes"]
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    assert answer(alpha, sign_in(alpha)["challenge"], old_codes[1]).status_code == 401
    assert answer(alpha, sign_in(alpha)["challenge"], new_codes[0]).status_code == 200
    assert [event for event, _ in audit_trail(alpha)] == [
        "two_factor_enabled",
        "backup_code_used",
        "two_factor_failed",
        "backup_codes_regenerated",
        "two_factor_failed",
        "backup_code_used",
    ]


def test_five_wrong_codes_in_a_row_lock_the_second_factor_and_end_its_challenges(alpha: ShardTenant) -> None:
    app, _ = enrol(alpha)
    challenge = sign_in(alpha)["challenge"]

    statuses = [answer(alpha, challenge, app.wrong_code()).status_code for _ in range(4)]
    locking = answer(alpha, challenge, app.wrong_code())

    assert statuses == [401, 401, 401, 401]
    assert locking.status_code == 429
    assert locking["Retry-After"] == "900"
    assert problem(locking) == {
        "code": "two_factor_locked",
        "detail": "Too many wrong codes in a row: codes are refused for a while. Expected available in 900 seconds.",
    }
    # The challenge ended with the lockout, and on a new one even the right code fails.
    assert problem(answer(alpha, challenge, app.next_code()))["code"] == "challenge_invalid"
    during = answer(alpha, sign_in(alpha)["challenge"], app.next_code())
    assert during.status_code == 429
    assert 0 < int(during["Retry-After"]) <= 900
    assert [event for event, _ in audit_trail(alpha)] == ["two_factor_enabled"] + ["two_factor_failed"] * 5 + [
        "two_factor_locked"
    ]

    # Fifteen minutes later (the lockout ends in the past):
    with tenant_transaction(alpha.route):
        Lockout.objects.update(locked_until=timezone.now() - timedelta(seconds=1))

    after = answer(alpha, challenge, app.next_code())
    assert after.status_code == 401
    assert problem(after)["code"] == "challenge_invalid"
    assert answer(alpha, sign_in(alpha)["challenge"], app.code()).status_code == 200


def test_a_right_code_resets_the_count_of_wrong_ones(alpha: ShardTenant) -> None:
    app, backup_codes = enrol(alpha)
    challenge = sign_in(alpha)["challenge"]
    for _ in range(4):
        assert answer(alpha, challenge, app.wrong_code()).status_code == 401
    assert answer(alpha, challenge, backup_codes[0]).status_code == 200

    challenge = sign_in(alpha)["challenge"]
    statuses = [answer(alpha, challenge, app.wrong_code()).status_code for _ in range(4)]

    assert statuses == [401, 401, 401, 401]
    assert answer(alpha, challenge, app.code()).status_code == 200


def test_a_role_that_requires_two_factor_makes_the_first_sign_in_enrol(alpha: ShardTenant) -> None:
    with tenant_transaction(alpha.route):
        owner, _ = Role.objects.update_or_create(slug="owner", defaults={"name": "Owner", "requires_two_factor": True})
        User.objects.update(role=owner)

    pending = sign_in(alpha)

    assert pending.keys() == {"status", "challenge", "methods", "expires_in"}
    assert (pending["status"], pending["methods"]) == ("enrolment_required", ["totp"])
    challenge = pending["challenge"]
    # It is no challenge to answer with a code: there is no second factor yet.
    not_yet = answer(alpha, challenge, "123456")
    assert not_yet.status_code == 401
    assert problem(not_yet)["code"] == "challenge_invalid"
    started = call(alpha, "post", "/api/v1/auth/two-factor/enrolment/", {"challenge": challenge})
    assert started.status_code == 200
    app = Authenticator(started.json()["otpauth_uri"])
    confirm = "/api/v1/auth/two-factor/enrolment/confirm/"
    wrong = call(alpha, "post", confirm, {"challenge": challenge, "code": app.wrong_code()})
    assert wrong.status_code == 400
    assert problem(wrong)["code"] == "two_factor_code_invalid"

    enrolled = call(alpha, "post", confirm, {"challenge": challenge, "code": app.code()})

    assert enrolled.status_code == 200
    assert enrolled.json().keys() == {"backup_codes", "access", "refresh"}
    assert len(enrolled.json()["backup_codes"]) == 10
    access = enrolled.json()["access"]
    assert me(alpha, access).status_code == 200
    assert call(alpha, "post", confirm, {"challenge": challenge, "code": app.next_code()}).status_code == 401
    refused = call(alpha, "post", "/api/v1/me/two-factor/disable/", {"code": app.next_code()}, token=access)
    assert refused.status_code == 409
    assert problem(refused)["code"] == "two_factor_required_by_role"
    assert call(alpha, "get", "/api/v1/me/two-factor/", token=access).json()["required_by_role"] is True
    assert sign_in(alpha)["status"] == "two_factor_required"


def test_a_challenge_works_on_its_own_store_only_and_is_no_access_token(tenants: list[ShardTenant]) -> None:
    alpha, bravo = tenants
    app, _ = enrol(alpha)
    challenge = sign_in(alpha)["challenge"]
    access = sign_in(bravo)["access"]

    elsewhere = answer(bravo, challenge, app.next_code())
    as_access_token = me(alpha, challenge)
    as_challenge = answer(bravo, access, "123456")
    forged = answer(alpha, challenge[:-1] + ("A" if challenge[-1] != "A" else "B"), app.next_code())

    assert elsewhere.status_code == 401
    assert problem(elsewhere)["code"] == "challenge_wrong_tenant"
    assert as_access_token.status_code == 401
    assert problem(as_access_token)["code"] == "token_not_valid"
    assert as_challenge.status_code == 401
    assert problem(as_challenge)["code"] == "challenge_invalid"
    assert problem(forged)["code"] == "challenge_invalid"
    # None of that spent the challenge.
    assert answer(alpha, challenge, app.code()).status_code == 200


def test_turning_two_factor_off_needs_a_code_and_then_sign_in_gives_tokens_again(alpha: ShardTenant) -> None:
    app, backup_codes = enrol(alpha)
    access = answer(alpha, sign_in(alpha)["challenge"], app.code()).json()["access"]
    disable = "/api/v1/me/two-factor/disable/"

    wrong = call(alpha, "post", disable, {"code": app.wrong_code()}, token=access)
    missing = call(alpha, "post", disable, {}, token=access)
    # A backup code will do: the phone with the app may be what was lost.
    disabled = call(alpha, "post", disable, {"code": backup_codes[0]}, token=access)

    assert wrong.status_code == 400
    assert problem(wrong) == WRONG_CODE
    assert missing.status_code == 400
    assert list(field_errors(missing)) == ["/code"]
    assert disabled.status_code == 204
    assert problem(call(alpha, "post", disable, {"code": app.next_code()}, token=access))["code"] == (
        "two_factor_not_enabled"
    )
    assert sign_in(alpha).keys() == {"access", "refresh"}
    assert [event for event, _ in audit_trail(alpha)] == [
        "two_factor_enabled",
        "two_factor_failed",
        "backup_code_used",
        "two_factor_disabled",
    ]


def test_every_way_of_signing_in_passes_the_second_factor(alpha: ShardTenant) -> None:
    app, _ = enrol(alpha)
    request = RequestFactory().post("/", HTTP_HOST=alpha.host)
    request.tenant = alpha.slug  # type: ignore[attr-defined]

    # An identity provider vouched for the user (the SSO flow ends in the same call as the password one).
    with tenant_transaction(alpha.route):
        result = complete_sign_in(request, User.objects.get(), method="sso:platform")

    assert isinstance(result, SecondFactorChallenge)
    assert answer(alpha, result.challenge, app.code()).status_code == 200
    with tenant_transaction(alpha.route):
        assert RefreshFamily.objects.order_by("-created_at").values_list("method", flat=True)[0] == "sso:platform+2fa"


def test_code_attempts_are_throttled_per_client(alpha: ShardTenant) -> None:
    # 41 attempts cross at most one boundary of the 20-a-minute windows, so one of them must be refused.
    statuses = [answer(alpha, "not a challenge", "123456") for _ in range(41)]

    throttled = [response for response in statuses if response.status_code == 429]
    assert throttled
    assert problem(throttled[0])["code"] == "throttled"
    assert {response.status_code for response in statuses} == {401, 429}
