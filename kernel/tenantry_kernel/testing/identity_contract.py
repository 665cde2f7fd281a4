"""Tests of the identity API (tenantry_kernel.identity.api) that every Tenantry Django project must pass: signing in,
tokens and their rotation, sessions, two-factor, emailed links and passwords, under /api/v1/auth/.

A project's test module star-imports this module and its conftest provides an `identity_project` fixture (an
`IdentityProject`: the project's Identity, where requests go, how to make a user, how to read its audit log); the
tests then run against that project's own settings, URLs, models and mail, on the real PostgreSQL, Redis and
RabbitMQ. Mail tests also use the project's `mail` fixture (a MailSink behind a real Celery worker).
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from tenantry_kernel.identity.config import Identity, SecurityEvent
from tenantry_kernel.testing.mail import MailSink, link_in
from tenantry_kernel.testing.problems import problem
from tenantry_kernel.testing.totp import Authenticator

PASSWORD = "a long enough passphrase 42"
NEW_PASSWORD = "another quite long passphrase"
WRONG_CODE = {
    "code": "two_factor_code_invalid",
    "detail": "That code is wrong or was already used; enter the current code from your authenticator app "
    "or an unused backup code.",
}
LINK_INVALID = {"/token": ["This link was already used or is not valid; ask for a new one."]}
LINK_EXPIRED = {"/token": ["This link has expired; ask for a new one."]}


@dataclass(frozen=True)
class SecurityRecord:
    """One security event of a project's audit log, as every project records it."""

    event: str
    actor: str | None  # the acting user's email
    subject: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IdentityProject:
    identity: Identity
    host: str  # the Host of requests: the store's, or the portal's
    # make_user(email, *, password, verified=True, **fields) -> the user (saved)
    make_user: Callable[..., Any]
    # Makes the user of this address one who must have two-factor (a role that requires it, platform staff).
    require_second_factor: Callable[[str], None]
    totp_issuer: str  # what authenticator apps show next to the account
    link_origin: str  # where emailed links lead: scheme and host of the front end
    # The project's audit log, oldest first.
    audit_log: Callable[[], list[SecurityRecord]]
    # Database access as the project does it (inside the tenant's schema and role, for a store).
    inside: Callable[[], AbstractContextManager[Any]] = nullcontext
    prefix: str = "/api/v1/auth/"


def client(project: IdentityProject, access: str = "") -> APIClient:
    """A JSON client from an address of its own (per-address budgets of other tests never count against it)."""
    address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
    api = APIClient(REMOTE_ADDR=address, HTTP_HOST=project.host)
    api.default_format = "json"
    if access:
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return api


def email() -> str:
    """An address of this test's own (per-address mail budgets count across tests)."""
    return f"person-{secrets.token_hex(4)}@example.test"


def security_events(project: IdentityProject) -> list[SecurityRecord]:
    """The identity mechanics' own events (SecurityEvent) of the project's audit log, oldest first."""
    return [record for record in project.audit_log() if record.event in set(SecurityEvent)]


def trail(project: IdentityProject, *prefixes: str) -> list[tuple[str, str | None]]:
    """(event, actor) of the security events, oldest first; only those starting with `prefixes`, if given."""
    return [(r.event, r.actor) for r in security_events(project) if not prefixes or r.event.startswith(prefixes)]


def sign_in(
    project: IdentityProject, address: str, password: str = PASSWORD, via: APIClient | None = None, **extra: Any
) -> Any:
    api = via or client(project)
    return api.post(f"{project.prefix}sign-in/", {"email": address, "password": password}, **extra)


def tokens(project: IdentityProject, address: str, password: str = PASSWORD, **extra: Any) -> dict[str, Any]:
    """What a successful sign-in answers (tokens, or a challenge)."""
    response = sign_in(project, address, password, **extra)
    assert response.status_code == 200, response.content
    answer: dict[str, Any] = response.json()
    return answer


def me(project: IdentityProject, access: str) -> Any:
    return client(project, access).get(f"{project.prefix}me/")


def refresh(project: IdentityProject, refresh_token: str) -> Any:
    return client(project).post(f"{project.prefix}refresh/", {"refresh": refresh_token})


def answer(project: IdentityProject, challenge: str, code: str, via: APIClient | None = None) -> Any:
    api = via or client(project)
    return api.post(f"{project.prefix}sign-in/challenge/", {"challenge": challenge, "code": code})


def enrol(project: IdentityProject, access: str) -> tuple[Authenticator, list[str]]:
    """Two-factor turned on through the API, as a settings page would: the authenticator app and the backup codes."""
    started = client(project, access).post(f"{project.prefix}two-factor/totp/")
    assert started.status_code == 201, started.content
    app = Authenticator(started.json()["otpauth_uri"])
    confirmed = client(project, access).post(f"{project.prefix}two-factor/totp/confirm/", {"code": app.code()})
    assert confirmed.status_code == 200, confirmed.content
    return app, confirmed.json()["backup_codes"]


def tampered(signed: str) -> str:
    """`signed` (a JWT, a signed challenge) with one character of its signature changed (not the last: its low
    bits may be padding that decodes to the same bytes)."""
    position = len(signed) - 10
    return signed[:position] + ("B" if signed[position] == "A" else "A") + signed[position + 1 :]


def link_params(message: Any) -> dict[str, str]:
    query = parse_qs(urlsplit(link_in(message)).query)
    return {"uid": query["uid"][0], "token": query["token"][0]}


def budget(scope: str) -> int:
    """How many requests the scope's budget allows a window ("10/min" → 10)."""
    return int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope].split("/")[0])


def session_methods(project: IdentityProject, address: str) -> list[str]:
    """How the user's sessions began, newest first."""
    with project.inside():
        sessions = project.identity.sessions._default_manager.filter(user__email=address).order_by("-created_at")
        return list(sessions.values_list("method", flat=True))


@pytest.fixture
def person(identity_project: IdentityProject) -> str:
    """The address of a user with a verified address and the password PASSWORD."""
    address = email()
    identity_project.make_user(address, password=PASSWORD)
    return address


# Signing in, tokens, sign-out


def test_sign_in_answers_tokens_of_a_session_whatever_the_case_of_the_address(
    identity_project: IdentityProject, person: str
) -> None:
    project = identity_project

    signed_in = sign_in(project, person.upper())

    assert signed_in.status_code == 200, signed_in.content
    assert signed_in.json().keys() == {"access", "refresh"}
    mine = me(project, signed_in.json()["access"])
    assert mine.status_code == 200
    assert (mine.json()["email"], mine.json()["email_verified"]) == (person, True)
    assert session_methods(project, person) == ["password"]
    assert trail(project) == [("sign_in", person)]


def test_a_wrong_password_is_refused_and_audited(identity_project: IdentityProject, person: str) -> None:
    project = identity_project

    refused = sign_in(project, person, "not the password at all")

    assert refused.status_code == 401
    assert problem(refused) == {"code": "invalid_credentials", "detail": "The email or password is wrong."}
    assert refused["WWW-Authenticate"] == 'Bearer realm="api"'
    failures = [(r.event, r.actor, r.subject, r.details) for r in security_events(project)]
    assert failures == [("sign_in_failed", None, person, {})]
    assert session_methods(project, person) == []


def test_missing_fields_are_named(identity_project: IdentityProject, person: str) -> None:
    response = client(identity_project).post(f"{identity_project.prefix}sign-in/", {"email": person})

    assert response.status_code == 400
    assert problem(response)["code"] == "invalid"
    assert list(problem(response)["errors"]) == ["/password"]


def test_refresh_rotates_and_a_reused_refresh_token_signs_the_session_out(
    identity_project: IdentityProject, person: str
) -> None:
    project = identity_project
    first = tokens(project, person)

    # given the refresh token used once
    rotated = refresh(project, first["refresh"])
    assert rotated.status_code == 200, rotated.content
    second = rotated.json()
    assert second.keys() == {"access", "refresh"}
    assert second["refresh"] != first["refresh"]
    assert me(project, second["access"]).status_code == 200

    # when it comes back (stolen)
    reused = refresh(project, first["refresh"])

    # then the whole session is signed out: every token of it is refused
    assert reused.status_code == 401
    assert problem(reused)["code"] == "token_reused"
    after = refresh(project, second["refresh"])
    assert (after.status_code, problem(after)["code"]) == (401, "token_revoked")
    refused = me(project, second["access"])
    assert (refused.status_code, problem(refused)["code"]) == (401, "token_revoked")
    with project.inside():
        session = project.identity.sessions._default_manager.get(user__email=person)
        assert session.revoked_reason == "reuse"
    assert trail(project) == [("sign_in", person), ("token_reused", person)]
    # another sign-in is another session, and works
    assert me(project, tokens(project, person)["access"]).status_code == 200


def test_a_refresh_token_is_not_an_access_token_nor_the_other_way_round(
    identity_project: IdentityProject, person: str
) -> None:
    project = identity_project
    pair = tokens(project, person)

    as_refresh = refresh(project, pair["access"])
    as_access = me(project, pair["refresh"])
    forged = refresh(project, tampered(pair["refresh"]))

    assert (as_refresh.status_code, problem(as_refresh)["code"]) == (401, "token_invalid")
    assert (as_access.status_code, problem(as_access)["code"]) == (401, "token_not_valid")
    assert (forged.status_code, problem(forged)["code"]) == (401, "token_invalid")
    assert refresh(project, pair["refresh"]).status_code == 200  # none of that spent it


def test_sign_out_ends_the_session_and_its_access_token(identity_project: IdentityProject, person: str) -> None:
    project = identity_project
    pair = tokens(project, person)

    signed_out = client(project).post(f"{project.prefix}sign-out/", {"refresh": pair["refresh"]})

    assert signed_out.status_code == 204
    assert problem(me(project, pair["access"]))["code"] == "token_revoked"
    refreshed = refresh(project, pair["refresh"])
    assert (refreshed.status_code, problem(refreshed)["code"]) == (401, "token_revoked")
    assert trail(project) == [("sign_in", person), ("sign_out", person)]


def test_sign_in_attempts_are_throttled_per_address(identity_project: IdentityProject, person: str) -> None:
    project = identity_project
    allowed = budget("sign_in")
    attacker = client(project)

    # Twice the budget and one: however the attempts fall into windows, one of them must be refused.
    answers = [sign_in(project, person, "wrong password, again", via=attacker) for _ in range(2 * allowed + 1)]

    statuses = [response.status_code for response in answers]
    assert statuses[:allowed] == [401] * allowed
    assert set(statuses) == {401, 429}
    refused = next(response for response in answers if response.status_code == 429)
    assert problem(refused)["code"] == "throttled"
    assert sign_in(project, person).status_code == 200  # from another address


# The signed-in user and their sessions


def test_me_needs_a_token_and_shows_the_user_who_may_change_their_name(
    identity_project: IdentityProject, person: str
) -> None:
    project = identity_project
    access = tokens(project, person)["access"]

    anonymous = client(project).get(f"{project.prefix}me/")
    renamed = client(project, access).patch(f"{project.prefix}me/", {"full_name": "Olive Owner"})
    too_long = client(project, access).patch(f"{project.prefix}me/", {"full_name": "x" * 151})

    assert (anonymous.status_code, problem(anonymous)["code"]) == (401, "not_authenticated")
    assert renamed.status_code == 200, renamed.content
    assert (renamed.json()["full_name"], renamed.json()["email"]) == ("Olive Owner", person)
    assert me(project, access).json()["full_name"] == "Olive Owner"
    assert (too_long.status_code, list(problem(too_long)["errors"])) == (400, ["/full_name"])


def test_sessions_come_in_cursor_pages(identity_project: IdentityProject, person: str) -> None:
    project = identity_project
    laptop = tokens(project, person, HTTP_USER_AGENT="laptop")
    tokens(project, person, HTTP_USER_AGENT="phone")
    api = client(project, laptop["access"])

    first = api.get(f"{project.prefix}sessions/", {"page_size": 1})
    second = api.get(first.json()["next"])
    forged = api.get(f"{project.prefix}sessions/", {"cursor": "not-a-cursor"})

    assert [s["user_agent"] for s in first.json()["results"]] == ["phone"]
    assert first.json()["previous"] is None
    assert [s["user_agent"] for s in second.json()["results"]] == ["laptop"]
    assert second.json()["next"] is None
    assert problem(forged) == {
        "code": "invalid",
        "detail": "Some fields are invalid; see errors.",
        "errors": {"/cursor": ["This cursor is invalid; follow a `next` or `previous` link as it was given."]},
    }


def test_sessions_list_devices_newest_first_and_one_can_be_signed_out(
    identity_project: IdentityProject, person: str
) -> None:
    project = identity_project
    laptop = tokens(project, person, HTTP_USER_AGENT="laptop")
    phone = tokens(project, person, HTTP_USER_AGENT="phone")

    listed = client(project, laptop["access"]).get(f"{project.prefix}sessions/")

    assert listed.status_code == 200
    assert (listed.json()["next"], listed.json()["previous"]) == (None, None)
    sessions = listed.json()["results"]
    assert [(s["user_agent"], s["current"], s["method"]) for s in sessions] == [
        ("phone", False, "password"),
        ("laptop", True, "password"),
    ]
    assert sessions[0].keys() == {"id", "method", "user_agent", "ip_address", "created_at", "last_used_at", "current"}
    revoked = client(project, laptop["access"]).delete(f"{project.prefix}sessions/{sessions[0]['id']}/")
    assert revoked.status_code == 204
    assert problem(me(project, phone["access"]))["code"] == "token_revoked"
    assert refresh(project, phone["refresh"]).status_code == 401
    assert me(project, laptop["access"]).status_code == 200
    assert len(client(project, laptop["access"]).get(f"{project.prefix}sessions/").json()["results"]) == 1
    gone = client(project, laptop["access"]).delete(f"{project.prefix}sessions/{sessions[0]['id']}/")
    assert (gone.status_code, problem(gone)["code"]) == (404, "not_found")
    revocations = [r for r in security_events(project) if r.event == "session_revoked"]
    assert [(r.actor, r.subject, r.details) for r in revocations] == [(person, person, {"family": sessions[0]["id"]})]


def test_a_session_of_someone_else_cannot_be_signed_out(identity_project: IdentityProject, person: str) -> None:
    project = identity_project
    other = email()
    project.make_user(other, password=PASSWORD)
    theirs = tokens(project, other)
    with project.inside():
        their_session = project.identity.sessions._default_manager.get(user__email=other)

    refused = client(project, tokens(project, person)["access"]).delete(f"{project.prefix}sessions/{their_session.id}/")

    assert (refused.status_code, problem(refused)["code"]) == (404, "not_found")
    assert me(project, theirs["access"]).status_code == 200


def test_listing_sessions_takes_the_same_queries_for_few_and_many(
    identity_project: IdentityProject, person: str
) -> None:
    project = identity_project
    access = tokens(project, person)["access"]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client(project, access).get(f"{project.prefix}sessions/").status_code == 200
        return len(captured)

    queries()  # warms what a project caches per process
    few = queries()
    for _ in range(6):
        tokens(project, person)
    many = queries()

    assert many == few


# Two-factor


def test_enrolment_then_sign_in_answers_a_challenge_and_the_code_gives_working_tokens(
    identity_project: IdentityProject, person: str
) -> None:
    project = identity_project
    access = tokens(project, person)["access"]
    settings_page = client(project, access)
    assert settings_page.get(f"{project.prefix}two-factor/").json() == {
        "enabled": False,
        "methods": [],
        "backup_codes_remaining": 0,
        "required": False,
    }

    started = settings_page.post(f"{project.prefix}two-factor/totp/")

    assert started.status_code == 201
    assert started["Location"] == f"{project.prefix}two-factor/"
    enrolment = started.json()
    app = Authenticator(enrolment["otpauth_uri"])
    assert (app.issuer, app.label) == (project.totp_issuer, f"{project.totp_issuer}:{person}")
    assert enrolment["secret"] in enrolment["otpauth_uri"]
    assert enrolment["qr_code"].startswith("data:image/svg+xml")
    # Not on until the app proves it has the secret.
    assert settings_page.get(f"{project.prefix}two-factor/").json()["enabled"] is False
    assert tokens(project, person).keys() == {"access", "refresh"}
    wrong = settings_page.post(f"{project.prefix}two-factor/totp/confirm/", {"code": app.wrong_code()})
    assert wrong.status_code == 400
    assert problem(wrong) == {
        "code": "two_factor_code_invalid",
        "detail": "That code is wrong; enter the code your authenticator app shows now.",
    }

    confirmed = settings_page.post(f"{project.prefix}two-factor/totp/confirm/", {"code": app.code()})

    assert confirmed.status_code == 200
    backup_codes = confirmed.json()["backup_codes"]
    assert len(set(backup_codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{5}-[a-z2-7]{5}", code) for code in backup_codes)
    again = settings_page.post(f"{project.prefix}two-factor/totp/")
    assert (again.status_code, problem(again)["code"]) == (409, "two_factor_already_enabled")

    # when they sign in with the password
    challenge = tokens(project, person)

    # then a challenge comes instead of tokens, and a code answers it
    assert challenge.keys() == {"status", "challenge", "methods", "expires_in"}
    assert (challenge["status"], challenge["methods"], challenge["expires_in"]) == (
        "two_factor_required",
        ["totp", "backup_code"],
        300,
    )
    answered = answer(project, challenge["challenge"], app.code())
    assert answered.status_code == 200, answered.content
    assert answered.json().keys() == {"access", "refresh"}
    assert me(project, answered.json()["access"]).json()["email"] == person
    assert client(project, answered.json()["access"]).get(f"{project.prefix}two-factor/").json() == {
        "enabled": True,
        "methods": ["totp", "backup_code"],
        "backup_codes_remaining": 10,
        "required": False,
    }
    assert session_methods(project, person)[0] == "password+2fa"
    assert trail(project, "two_factor", "backup_code") == [("two_factor_enabled", person)]


def test_a_wrong_code_is_refused_and_a_code_is_accepted_once(identity_project: IdentityProject, person: str) -> None:
    project = identity_project
    app, _ = enrol(project, tokens(project, person)["access"])
    challenge = tokens(project, person)["challenge"]

    wrong = answer(project, challenge, app.wrong_code())

    assert wrong.status_code == 401
    assert problem(wrong) == WRONG_CODE
    code = app.code()
    assert answer(project, challenge, code).status_code == 200
    # The challenge is spent, and the code too: replayed on a fresh challenge it fails.
    assert problem(answer(project, challenge, app.next_code()))["code"] == "challenge_invalid"
    replayed = answer(project, tokens(project, person)["challenge"], code)
    assert replayed.status_code == 401
    assert problem(replayed) == WRONG_CODE
    assert trail(project, "two_factor", "backup_code") == [
        ("two_factor_enabled", person),
        ("two_factor_failed", person),
        ("two_factor_failed", person),
    ]


def test_a_backup_code_signs_in_once_and_only_its_keyed_hash_is_stored(
    identity_project: IdentityProject, person: str
) -> None:
    project = identity_project
    _, backup_codes = enrol(project, tokens(project, person)["access"])

    # People type codes as they like: upper case, without the dash.
    used = answer(project, tokens(project, person)["challenge"], backup_codes[0].replace("-", "").upper())

    assert used.status_code == 200
    assert me(project, used.json()["access"]).status_code == 200
    again = answer(project, tokens(project, person)["challenge"], backup_codes[0])
    assert again.status_code == 401
    assert problem(again) == WRONG_CODE
    status = client(project, used.json()["access"]).get(f"{project.prefix}two-factor/").json()
    assert status["backup_codes_remaining"] == 9
    assert trail(project, "two_factor", "backup_code")[1:] == [
        ("backup_code_used", person),
        ("two_factor_failed", person),
    ]
    assert next(r.details for r in security_events(project) if r.event == "backup_code_used") == {"remaining": 9}
    assert session_methods(project, person)[0] == "password+2fa"
    with project.inside():
        codes = project.identity.backup_codes._default_manager.filter(user__email=person)
        stored = set(codes.values_list("code_hash", flat=True))
    assert len(stored) == 10
    assert not stored & {code.replace("-", "") for code in backup_codes}


def test_one_backup_code_used_twice_at_once_signs_in_once(
    identity_project: IdentityProject, person: str, transactional_db: None
) -> None:
    project = identity_project
    _, backup_codes = enrol(project, tokens(project, person)["access"])
    challenges = [tokens(project, person)["challenge"], tokens(project, person)["challenge"]]
    start = threading.Barrier(2)

    def use(challenge: str) -> int:
        try:
            start.wait()
            return int(answer(project, challenge, backup_codes[0]).status_code)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(use, challenges))

    assert statuses == [200, 401]


def test_regenerated_backup_codes_replace_the_old_ones_and_need_an_app_code(
    identity_project: IdentityProject, person: str
) -> None:
    project = identity_project
    app, old_codes = enrol(project, tokens(project, person)["access"])
    access = answer(project, tokens(project, person)["challenge"], old_codes[-1]).json()["access"]
    settings_page = client(project, access)

    with_backup_code = settings_page.post(f"{project.prefix}two-factor/backup-codes/", {"code": old_codes[0]})
    regenerated = settings_page.post(f"{project.prefix}two-factor/backup-codes/", {"code": app.code()})

    assert with_backup_code.status_code == 400
    assert problem(with_backup_code)["code"] == "two_factor_code_invalid"
    assert regenerated.status_code == 200
    new_codes = regenerated.json()["backup_codes"]
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    assert answer(project, tokens(project, person)["challenge"], old_codes[1]).status_code == 401
    assert answer(project, tokens(project, person)["challenge"], new_codes[0]).status_code == 200
    assert [event for event, _ in trail(project, "two_factor", "backup_code")] == [
        "two_factor_enabled",
        "backup_code_used",
        "two_factor_failed",
        "backup_codes_regenerated",
        "two_factor_failed",
        "backup_code_used",
    ]


def test_five_wrong_codes_in_a_row_lock_the_second_factor_and_end_its_challenges(
    identity_project: IdentityProject, person: str
) -> None:
    project = identity_project
    app, _ = enrol(project, tokens(project, person)["access"])
    challenge = tokens(project, person)["challenge"]

    statuses = [answer(project, challenge, app.wrong_code()).status_code for _ in range(4)]
    locking = answer(project, challenge, app.wrong_code())

    assert statuses == [401, 401, 401, 401]
    assert locking.status_code == 429
    assert locking["Retry-After"] == "900"
    assert problem(locking) == {
        "code": "two_factor_locked",
        "detail": "Too many wrong codes in a row: codes are refused for a while. Expected available in 900 seconds.",
    }
    # The challenge ended with the lockout, and on a new one even the right code fails.
    assert problem(answer(project, challenge, app.next_code()))["code"] == "challenge_invalid"
    during = answer(project, tokens(project, person)["challenge"], app.next_code())
    assert (during.status_code, problem(during)["code"]) == (429, "two_factor_locked")
    assert 0 < int(during["Retry-After"]) <= 900
    assert [event for event, _ in trail(project, "two_factor", "backup_code")] == [
        "two_factor_enabled",
        *["two_factor_failed"] * 5,
        "two_factor_locked",
    ]

    # Fifteen minutes later (the lockout ends in the past):
    with project.inside():
        project.identity.lockouts._default_manager.update(locked_until=timezone.now() - timedelta(seconds=1))

    after = answer(project, challenge, app.next_code())
    assert (after.status_code, problem(after)["code"]) == (401, "challenge_invalid")
    assert answer(project, tokens(project, person)["challenge"], app.code()).status_code == 200


def test_a_right_code_resets_the_count_of_wrong_ones(identity_project: IdentityProject, person: str) -> None:
    project = identity_project
    app, backup_codes = enrol(project, tokens(project, person)["access"])
    challenge = tokens(project, person)["challenge"]
    for _ in range(4):
        assert answer(project, challenge, app.wrong_code()).status_code == 401
    assert answer(project, challenge, backup_codes[0]).status_code == 200

    challenge = tokens(project, person)["challenge"]
    statuses = [answer(project, challenge, app.wrong_code()).status_code for _ in range(4)]

    assert statuses == [401, 401, 401, 401]
    assert answer(project, challenge, app.code()).status_code == 200


def test_a_user_who_must_have_two_factor_enrols_before_their_first_session(
    identity_project: IdentityProject, person: str
) -> None:
    project = identity_project
    project.require_second_factor(person)

    pending = tokens(project, person)

    assert pending.keys() == {"status", "challenge", "methods", "expires_in"}
    assert (pending["status"], pending["methods"]) == ("enrolment_required", ["totp"])
    challenge = pending["challenge"]
    # It is no challenge to answer with a code: there is no second factor yet.
    not_yet = answer(project, challenge, "123456")
    assert (not_yet.status_code, problem(not_yet)["code"]) == (401, "challenge_invalid")
    assert session_methods(project, person) == []
    started = client(project).post(f"{project.prefix}sign-in/enrolment/", {"challenge": challenge})
    assert started.status_code == 200
    assert started.json().keys() == {"otpauth_uri", "qr_code", "secret"}
    app = Authenticator(started.json()["otpauth_uri"])
    confirm = f"{project.prefix}sign-in/enrolment/confirm/"
    wrong = client(project).post(confirm, {"challenge": challenge, "code": app.wrong_code()})
    assert (wrong.status_code, problem(wrong)["code"]) == (400, "two_factor_code_invalid")

    enrolled = client(project).post(confirm, {"challenge": challenge, "code": app.code()})

    assert enrolled.status_code == 200, enrolled.content
    assert enrolled.json().keys() == {"backup_codes", "access", "refresh"}
    assert len(enrolled.json()["backup_codes"]) == 10
    access = enrolled.json()["access"]
    assert me(project, access).status_code == 200
    assert session_methods(project, person) == ["password+2fa"]
    spent = client(project).post(confirm, {"challenge": challenge, "code": app.next_code()})
    assert (spent.status_code, problem(spent)["code"]) == (401, "challenge_invalid")
    refused = client(project, access).post(f"{project.prefix}two-factor/disable/", {"code": app.next_code()})
    assert refused.status_code == 409
    assert problem(refused) == {"code": project.identity.required_code, "detail": project.identity.required_message}
    assert client(project, access).get(f"{project.prefix}two-factor/").json()["required"] is True
    assert tokens(project, person)["status"] == "two_factor_required"


def test_a_challenge_is_no_access_token_and_an_access_token_no_challenge(
    identity_project: IdentityProject, person: str
) -> None:
    project = identity_project
    other = email()
    project.make_user(other, password=PASSWORD)
    app, _ = enrol(project, tokens(project, person)["access"])
    challenge = tokens(project, person)["challenge"]
    access = tokens(project, other)["access"]

    as_access_token = me(project, challenge)
    as_challenge = answer(project, access, "123456")
    forged = answer(project, tampered(challenge), app.next_code())

    assert (as_access_token.status_code, problem(as_access_token)["code"]) == (401, "token_not_valid")
    assert (as_challenge.status_code, problem(as_challenge)["code"]) == (401, "challenge_invalid")
    assert (forged.status_code, problem(forged)["code"]) == (401, "challenge_invalid")
    # None of that spent the challenge.
    assert answer(project, challenge, app.code()).status_code == 200


def test_turning_two_factor_off_needs_a_code_and_then_sign_in_gives_tokens_again(
    identity_project: IdentityProject, person: str
) -> None:
    project = identity_project
    app, backup_codes = enrol(project, tokens(project, person)["access"])
    access = answer(project, tokens(project, person)["challenge"], app.code()).json()["access"]
    disable = f"{project.prefix}two-factor/disable/"

    wrong = client(project, access).post(disable, {"code": app.wrong_code()})
    missing = client(project, access).post(disable, {})
    # A backup code will do: the phone with the app may be what was lost.
    disabled = client(project, access).post(disable, {"code": backup_codes[0]})

    assert wrong.status_code == 400
    assert problem(wrong) == WRONG_CODE
    assert (missing.status_code, list(problem(missing)["errors"])) == (400, ["/code"])
    assert disabled.status_code == 204
    not_on = client(project, access).post(disable, {"code": app.next_code()})
    assert (not_on.status_code, problem(not_on)["code"]) == (409, "two_factor_not_enabled")
    assert tokens(project, person).keys() == {"access", "refresh"}
    assert client(project, access).get(f"{project.prefix}two-factor/").json()["enabled"] is False
    assert [event for event, _ in trail(project, "two_factor", "backup_code")] == [
        "two_factor_enabled",
        "two_factor_failed",
        "backup_code_used",
        "two_factor_disabled",
    ]


def test_code_attempts_are_throttled_per_client(identity_project: IdentityProject) -> None:
    project = identity_project
    attacker = client(project)

    # Twice the budget and one cross at most one boundary of the windows, so one of them must be refused.
    answers = [answer(project, "not a challenge", "123456", via=attacker) for _ in range(2 * budget("two_factor") + 1)]

    throttled = [response for response in answers if response.status_code == 429]
    assert throttled
    assert problem(throttled[0])["code"] == "throttled"
    assert {response.status_code for response in answers} == {401, 429}


# Emailed links: the address, a forgotten password; changing the password


def test_a_verification_link_confirms_the_address_once(
    identity_project: IdentityProject, transactional_db: None, mail: MailSink
) -> None:
    project = identity_project
    address = email()
    project.make_user(address, password=PASSWORD, verified=False)
    access = tokens(project, address)["access"]
    assert me(project, access).json()["email_verified"] is False

    requested = client(project, access).post(f"{project.prefix}email/verification/")

    assert requested.status_code == 202
    assert requested["Location"] == f"{project.prefix}me/"  # where `email_verified` shows
    (message,) = mail.wait_for(address)
    assert message["Subject"] == "Confirm your email address"
    assert link_in(message).startswith(f"{project.link_origin}/verify-email?")
    verified = client(project).post(f"{project.prefix}email/verify/", link_params(message))
    assert verified.status_code == 200, verified.content
    assert (verified.json()["email"], verified.json()["email_verified"]) == (address, True)
    assert me(project, access).json()["email_verified"] is True
    again = client(project).post(f"{project.prefix}email/verify/", link_params(message))
    assert again.status_code == 400
    assert problem(again) == {
        "code": "invalid",
        "detail": "Some fields are invalid; see errors.",
        "errors": LINK_INVALID,
    }
    assert trail(project, "verification", "email") == [("verification_requested", address), ("email_verified", address)]


def test_a_new_verification_link_is_mailed_to_unverified_addresses_only(
    identity_project: IdentityProject, transactional_db: None, mail: MailSink
) -> None:
    project = identity_project
    waiting, done, nobody, signed_in = email(), email(), email(), email()
    project.make_user(waiting, password=PASSWORD, verified=False)
    project.make_user(done, password=PASSWORD)
    project.make_user(signed_in, password=PASSWORD)
    ask = f"{project.prefix}email/verification/"

    answers = [client(project).post(ask, {"email": address}) for address in (waiting.upper(), done, nobody)]
    already = client(project, tokens(project, signed_in)["access"]).post(ask)
    anonymous = client(project).post(ask)

    # The same answer whatever the address, and a mail only where one is due.
    assert [response.status_code for response in [*answers, already]] == [202, 202, 202, 202]
    assert mail.wait_for(waiting)[0]["Subject"] == "Confirm your email address"
    assert (anonymous.status_code, list(problem(anonymous)["errors"])) == (400, ["/email"])
    time.sleep(1)  # the worker had time to send anything else it was given
    assert mail.sent_to(done) == mail.sent_to(nobody) == mail.sent_to(signed_in) == []


def test_a_password_reset_by_email_signs_out_everywhere(
    identity_project: IdentityProject, transactional_db: None, mail: MailSink, person: str
) -> None:
    project = identity_project
    nobody = email()
    before = tokens(project, person)
    ask = f"{project.prefix}password/reset/"

    unknown = client(project).post(ask, {"email": nobody})
    known = client(project).post(ask, {"email": person.upper()})

    assert unknown.status_code == known.status_code == 202
    assert unknown["Location"] == known["Location"] == f"{project.prefix}password/reset/confirm/"
    (message,) = mail.wait_for(person)
    assert message["Subject"] == "Reset your password"
    assert link_in(message).startswith(f"{project.link_origin}/reset-password?")
    link = link_params(message)
    confirm = f"{project.prefix}password/reset/confirm/"
    weak = client(project).post(confirm, {**link, "password": "12345"})
    assert weak.status_code == 400
    assert list(problem(weak)["errors"]) == ["/password"]
    assert sign_in(project, person).status_code == 200  # the old password still works
    reset = client(project).post(confirm, {**link, "password": NEW_PASSWORD})
    assert reset.status_code == 204, reset.content
    assert problem(me(project, before["access"]))["code"] == "token_revoked"
    assert refresh(project, before["refresh"]).status_code == 401
    assert sign_in(project, person).status_code == 401
    assert sign_in(project, person, NEW_PASSWORD).status_code == 200
    reused = client(project).post(confirm, {**link, "password": PASSWORD})
    assert (reused.status_code, problem(reused)["errors"]) == (400, LINK_INVALID)
    requests = [(r.actor, r.subject) for r in security_events(project) if r.event == "password_reset_requested"]
    assert requests == [(None, nobody), (person, person.upper())]
    resets = [r.details for r in security_events(project) if r.event == "password_reset"]
    assert resets == [{"sessions_revoked": 2}]
    assert mail.sent_to(nobody) == []


def test_a_link_past_its_lifetime_is_refused_as_expired_and_a_spent_or_altered_one_as_invalid(
    identity_project: IdentityProject, transactional_db: None, mail: MailSink, person: str
) -> None:
    project = identity_project
    unverified = email()
    project.make_user(unverified, password=PASSWORD, verified=False)
    assert client(project).post(f"{project.prefix}password/reset/", {"email": person}).status_code == 202
    assert client(project).post(f"{project.prefix}email/verification/", {"email": unverified}).status_code == 202
    reset = link_params(mail.wait_for(person)[0])
    verify = link_params(mail.wait_for(unverified)[0])
    confirm, check = f"{project.prefix}password/reset/confirm/", f"{project.prefix}email/verify/"
    altered = {**reset, "token": reset["token"][:-1] + ("0" if reset["token"][-1] != "0" else "1")}

    # A lifetime below zero puts every link past it, without touching the clock.
    with override_settings(PASSWORD_RESET_TIMEOUT=-1):
        late_reset = client(project).post(confirm, {**reset, "password": NEW_PASSWORD})
        late_verify = client(project).post(check, verify)
        late_altered = client(project).post(confirm, {**altered, "password": NEW_PASSWORD})

    assert (late_reset.status_code, problem(late_reset)["errors"]) == (400, LINK_EXPIRED)
    assert (late_verify.status_code, problem(late_verify)["errors"]) == (400, LINK_EXPIRED)
    assert (late_altered.status_code, problem(late_altered)["errors"]) == (400, LINK_INVALID)
    assert sign_in(project, person).status_code == 200  # nothing changed
    # In time, the same links work once, and then they are spent, not expired.
    assert client(project).post(confirm, {**reset, "password": NEW_PASSWORD}).status_code == 204
    assert client(project).post(check, verify).status_code == 200
    spent = client(project).post(confirm, {**reset, "password": PASSWORD})
    assert (spent.status_code, problem(spent)["errors"]) == (400, LINK_INVALID)


def test_changing_the_password_keeps_this_session_and_ends_the_others(
    identity_project: IdentityProject, person: str
) -> None:
    project = identity_project
    here = tokens(project, person, HTTP_USER_AGENT="laptop")
    there = tokens(project, person, HTTP_USER_AGENT="phone")
    change = f"{project.prefix}password/"

    wrong = client(project, here["access"]).post(change, {"current_password": "nope", "new_password": NEW_PASSWORD})
    weak = client(project, here["access"]).post(change, {"current_password": PASSWORD, "new_password": "12345"})
    changed = client(project, here["access"]).post(change, {"current_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert wrong.status_code == 400
    assert problem(wrong)["errors"] == {"/current_password": ["The current password is wrong."]}
    assert (weak.status_code, list(problem(weak)["errors"])) == (400, ["/new_password"])
    assert changed.status_code == 204
    assert me(project, here["access"]).status_code == 200
    assert problem(me(project, there["access"]))["code"] == "token_revoked"
    assert sign_in(project, person, NEW_PASSWORD).status_code == 200
    changes = [r.details for r in security_events(project) if r.event == "password_changed"]
    assert changes == [{"sessions_revoked": 1}]
