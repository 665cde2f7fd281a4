"""The hardened admin: staff only, with a second factor in the session, and every change audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from control_plane.accounts.models import User
from control_plane.audit.models import AuditEvent

from .conftest import PASSWORD
from .test_accounts_support import AUTH, Authenticator, client_from_own_address, enrol, sign_in


def enrolled(user: User) -> Authenticator:
    access = sign_in(client_from_own_address(), user.email).json()
    if "access" not in access:  # staff: enrolment is part of their first sign-in
        client = client_from_own_address()
        started = client.post(f"{AUTH}/sign-in/enrolment/", {"challenge": access["challenge"]})
        app = Authenticator(started.json()["otpauth_uri"])
        confirm = {"challenge": access["challenge"], "code": app.code()}
        assert client.post(f"{AUTH}/sign-in/enrolment/confirm/", confirm).status_code == 200
        return app
    return enrol(access["access"])[0]


def admin_sign_in(client: Client, email: str, code: str) -> Any:
    return client.post("/admin/login/?next=/admin/", {"username": email, "password": PASSWORD, "otp_token": code})


def test_the_admin_refuses_staff_without_a_second_factor(make_user: Callable[..., User]) -> None:
    make_user("ops@example.test", is_staff=True)
    client = Client()

    answer = admin_sign_in(client, "ops@example.test", "123456")

    assert answer.status_code == 200  # the form again, with the reason
    assert answer.context["form"].errors.as_data()["__all__"][0].code == "two_factor_not_enabled"
    assert client.get("/admin/").status_code == 302
    refusal = AuditEvent.objects.get(action="account.admin_sign_in_refused")
    assert refusal.data == {"reason": "two_factor_not_enabled"}


def test_a_password_session_without_the_second_factor_is_not_enough(make_user: Callable[..., User]) -> None:
    staff = make_user("ops@example.test", is_staff=True, is_superuser=True)
    enrolled(staff)
    client = Client()
    client.force_login(staff)  # signed in, but no device verified in this session

    answer = client.get("/admin/")

    assert answer.status_code == 302
    assert answer["Location"] == "/admin/login/?next=/admin/"


def test_the_admin_admits_staff_with_a_right_code_only(make_user: Callable[..., User]) -> None:
    staff = make_user("ops@example.test", is_staff=True, is_superuser=True)
    app = enrolled(staff)
    client = Client()

    wrong = admin_sign_in(client, "ops@example.test", app.wrong_code())
    assert wrong.context["form"].errors.as_data()["__all__"][0].code == "two_factor_code_invalid"
    assert client.get("/admin/").status_code == 302
    right = admin_sign_in(client, "ops@example.test", app.code())

    assert right.status_code == 302
    assert right["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(action="account.admin_sign_in", actor=staff).count() == 1
    assert AuditEvent.objects.filter(action="account.two_factor_failed", actor=staff).count() == 1


def test_the_admin_refuses_people_who_are_not_staff(make_user: Callable[..., User]) -> None:
    owner = make_user("owner@example.test")
    app = enrolled(owner)
    client = Client()

    answer = admin_sign_in(client, "owner@example.test", app.code())

    assert answer.status_code == 200
    assert answer.context["form"].errors.as_data()["__all__"][0].code == "invalid_login"
    assert client.get("/admin/").status_code == 302


def test_a_change_through_the_admin_is_audited(make_user: Callable[..., User]) -> None:
    staff = make_user("ops@example.test", is_staff=True, is_superuser=True)
    customer = make_user("owner@example.test", full_name="Old Name")
    app = enrolled(staff)
    client = Client()
    assert admin_sign_in(client, "ops@example.test", app.code()).status_code == 302

    changed = client.post(
        f"/admin/accounts/user/{customer.pk}/change/",
        {"email": "owner@example.test", "full_name": "New Name", "is_active": "on"},
    )

    assert changed.status_code == 302, changed.content
    customer.refresh_from_db()
    assert customer.full_name == "New Name"
    event = AuditEvent.objects.get(action="admin.change")
    assert (event.source, event.actor, event.target_type, event.target_id) == (
        "admin",
        staff,
        "accounts.user",
        str(customer.pk),
    )
    assert event.data == {"fields": ["full_name"]}


def test_the_audit_log_is_read_only_in_the_admin(make_user: Callable[..., User]) -> None:
    staff = make_user("ops@example.test", is_staff=True, is_superuser=True)
    app = enrolled(staff)
    client = Client()
    assert admin_sign_in(client, "ops@example.test", app.code()).status_code == 302
    event = AuditEvent.objects.filter(actor=staff).first()
    assert event is not None

    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
