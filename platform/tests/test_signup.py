"""Signup: account + store + plan in one request; slug checks; Idempotency-Key replay; rate limits."""

from __future__ import annotations

import secrets
import threading
from typing import Any

import pytest
from celery import Signature
from django.test import override_settings
from rest_framework.test import APIClient

from control_plane.accounts.models import User
from control_plane.signup.models import IdempotentRequest
from control_plane.tenants.models import MemberRole, Membership, Tenant, TenantState
from tenantry_kernel.events.models import OutboxEvent
from tenantry_kernel.testing.problems import field_errors, problem

PASSWORD = "correct horse battery staple 42"


def unique(prefix: str = "shop") -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


def body(**overrides: Any) -> dict[str, Any]:
    slug = unique()
    return {
        "email": f"{slug}@example.com",
        "password": PASSWORD,
        "full_name": "Maria Baker",
        "store_name": "Corner Bakery",
        "slug": slug,
        "plan": "starter",
        **overrides,
    }


def enqueued_tasks(callbacks: list[Any]) -> list[str]:
    """Names of the Celery tasks that on-commit callbacks (enqueue_on_commit) would send."""
    return [
        str(cell.cell_contents.task)
        for callback in callbacks
        for cell in callback.__closure__ or ()
        if isinstance(cell.cell_contents, Signature)
    ]


def client() -> APIClient:
    # Each test its own client address, so the per-address budget of one never limits another.
    return APIClient(REMOTE_ADDR=f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}")


@pytest.mark.django_db
def test_signup_creates_owner_pending_tenant_and_asks_for_provisioning(
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given a new store owner
    data = body()
    api = client()

    # when they sign up
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post("/api/v1/signup/", data, format="json")

    # then the account, the tenant (provisioning) and the owner membership exist
    assert response.status_code == 202, response.json()
    answer = response.json()
    assert answer["tenant"]["slug"] == data["slug"]
    # and the answer says where to watch the new store become ready
    assert response["Location"] == f"/api/v1/tenants/{data['slug']}/"
    assert answer["tenant"]["state"] == TenantState.PROVISIONING
    # and the paid plan waits for its subscription: the store starts free
    assert answer["tenant"]["plan"] == "free"
    assert answer["subscription"] == {
        "plan": "starter",
        "status": "payment_method_required",
        "url": f"/api/v1/tenants/{data['slug']}/subscription",
    }
    assert answer["user"]["email"] == data["email"]
    tenant = Tenant.objects.get(slug=data["slug"])
    user = User.objects.get(email=data["email"])
    assert user.check_password(PASSWORD)
    assert Membership.objects.get(tenant=tenant, user=user).role == MemberRole.OWNER
    assert tenant.provisioning_attempts == 1
    # and provisioning is handed to the worker only once it all commits
    assert enqueued_tasks(callbacks).count("tenants.provision") == 1
    routing_keys = list(
        OutboxEvent.objects.filter(routing_key__startswith=data["slug"]).values_list("routing_key", flat=True)
    )
    assert routing_keys == [f"{data['slug']}.tenant.state_changed"]
    # and the tokens sign the owner in
    mine = APIClient()
    mine.credentials(HTTP_AUTHORIZATION=f"Bearer {answer['tokens']['access']}")
    listed = mine.get("/api/v1/tenants/").json()["results"]
    assert [(t["slug"], t["role"]) for t in listed] == [(data["slug"], "owner")]


@pytest.mark.django_db
def test_signup_derives_the_slug_from_the_store_name() -> None:
    name = f"Café Müller {secrets.token_hex(2)}"
    response = client().post("/api/v1/signup/", body(slug="", store_name=name), format="json")
    assert response.status_code == 202, response.json()
    assert response.json()["tenant"]["slug"] == f"cafe-muller-{name.rsplit(' ', 1)[1]}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("admin", "The tenant name 'admin' is reserved; choose another."),
        ("Bad_Slug", "The tenant name must be a DNS label"),
        ("ab", "The tenant name must be 3 to 40 characters long, not 2."),
    ],
)
def test_signup_refuses_reserved_and_malformed_slugs_on_the_slug_field(slug: str, message: str) -> None:
    response = client().post("/api/v1/signup/", body(slug=slug), format="json")
    assert response.status_code == 400
    error = problem(response)
    assert error["code"] == "invalid"
    assert list(error["errors"]) == ["/slug"]
    assert error["errors"]["/slug"][0].startswith(message)
    assert not Tenant.objects.filter(slug=slug).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("store_name", "messages"),
    [
        pytest.param(
            "\u200b\u3000\u200b",
            ["The store name must show at least one visible character; enter the store's name"],
            id="nothing visible",
        ),
        pytest.param(
            "Shop\x1b[2J",
            ["The store name must not contain control characters such as NUL, tab or a line break; remove them"],
            id="escape sequence",
        ),
        pytest.param(
            "Shop\nOwner: admin",
            ["The store name must not contain control characters such as NUL, tab or a line break; remove them"],
            id="line break",
        ),
    ],
)
def test_signup_refuses_a_store_name_a_tenant_resource_may_not_carry(store_name: str, messages: list[str]) -> None:
    # given a store name the Tenant CRD's displayName rules refuse
    data = body(store_name=store_name)

    # when someone signs up with it
    response = client().post("/api/v1/signup/", data, format="json")

    # then the field is refused with what to do, and nothing is created
    assert response.status_code == 400, response.json()
    error = problem(response)
    assert (error["code"], error["errors"]) == ("invalid", {"/store_name": messages})
    assert not Tenant.objects.filter(slug=data["slug"]).exists()


@pytest.mark.django_db
def test_signup_names_each_bad_field() -> None:
    response = client().post(
        "/api/v1/signup/", {"email": "not-an-email", "password": PASSWORD, "plan": "platinum"}, format="json"
    )
    assert response.status_code == 400
    fields = field_errors(response)
    assert set(fields) == {"/email", "/store_name", "/plan"}
    assert fields["/plan"] == ['"platinum" is not a valid choice.']


@pytest.mark.django_db
def test_signup_with_a_taken_slug_or_email_says_which_and_creates_nothing(make_user: Any) -> None:
    first = body()
    assert client().post("/api/v1/signup/", first, format="json").status_code == 202

    taken_slug = client().post("/api/v1/signup/", body(slug=first["slug"]), format="json")
    assert taken_slug.status_code == 400
    assert field_errors(taken_slug) == {"/slug": [f"The store address {first['slug']!r} is taken; pick another."]}

    second = body(email=first["email"].upper())
    taken_email = client().post("/api/v1/signup/", second, format="json")
    assert taken_email.status_code == 400
    assert field_errors(taken_email) == {
        "/email": ["This email already has an account; sign in or reset the password."]
    }
    assert not Tenant.objects.filter(slug=second["slug"]).exists()


@pytest.mark.django_db
def test_weak_password_is_refused_on_the_password_field() -> None:
    response = client().post("/api/v1/signup/", body(password="12345678"), format="json")
    assert response.status_code == 400
    assert list(field_errors(response)) == ["/password"]


@pytest.mark.django_db
def test_slug_availability_suggests_free_alternatives() -> None:
    first = body()
    client().post("/api/v1/signup/", first, format="json")
    Tenant.objects.create(slug=f"{first['slug']}-shop", name="x")

    taken = client().get("/api/v1/signup/slug/", {"slug": first["slug"]}).json()
    assert taken["available"] is False
    assert taken["code"] == "slug_taken"
    assert taken["suggestions"] == [f"{first['slug']}-store", f"{first['slug']}-2", f"{first['slug']}-3"]

    reserved = client().get("/api/v1/signup/slug/", {"slug": "admin"}).json()
    assert (reserved["available"], reserved["code"]) == (False, "reserved_slug")
    assert reserved["suggestions"] == ["admin-shop", "admin-store", "admin-2"]

    free = client().get("/api/v1/signup/slug/", {"store_name": "Nordic Outdoor Gear 77"}).json()
    assert free == {"slug": "nordic-outdoor-gear-77", "available": True, "code": "", "message": "", "suggestions": []}


@pytest.mark.django_db
def test_same_idempotency_key_and_body_replays_the_first_answer() -> None:
    data, key = body(), secrets.token_hex(16)
    api = client()

    first = api.post("/api/v1/signup/", data, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = api.post("/api/v1/signup/", dict(reversed(list(data.items()))), format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert first.status_code == again.status_code == 202
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"] == f"/api/v1/tenants/{data['slug']}/"
    assert "Idempotent-Replayed" not in first.headers
    assert again.json()["tenant"] == first.json()["tenant"]
    assert again.json()["user"] == first.json()["user"]
    assert again.json()["tokens"]["access"]
    assert Tenant.objects.filter(slug=data["slug"]).count() == 1
    # tokens are not kept at rest
    assert "tokens" not in IdempotentRequest.objects.get(key=key).response


@pytest.mark.django_db
def test_same_idempotency_key_with_another_body_is_refused() -> None:
    data, key = body(), secrets.token_hex(16)
    api = client()
    assert api.post("/api/v1/signup/", data, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 202

    other = api.post("/api/v1/signup/", body(), format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert other.status_code == 422
    assert problem(other)["code"] == "idempotency_key_reused"


@pytest.mark.django_db
def test_a_failed_attempt_does_not_consume_the_key() -> None:
    data, key = body(), secrets.token_hex(16)
    api = client()
    bad = api.post("/api/v1/signup/", {**data, "plan": "platinum"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert bad.status_code == 400
    assert api.post("/api/v1/signup/", data, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 202


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_make_one_signup() -> None:
    # given the same signup sent twice at once (a client retrying on a timeout)
    data, key = body(), secrets.token_hex(16)
    answers: list[Any] = []
    barrier = threading.Barrier(4)

    def send() -> None:
        from django.db import connection

        try:
            barrier.wait()
            answers.append(client().post("/api/v1/signup/", data, format="json", HTTP_IDEMPOTENCY_KEY=key))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    # then exactly one signup happened and every answer describes it
    assert [a.status_code for a in answers] == [202] * 4
    assert len({a.json()["tenant"]["id"] for a in answers}) == 1
    assert sum(1 for a in answers if a.headers.get("Idempotent-Replayed") == "true") == 3
    assert Tenant.objects.filter(slug=data["slug"]).count() == 1
    assert User.objects.filter(email=data["email"]).count() == 1


@pytest.mark.django_db
def test_signups_are_limited_per_email_with_a_code() -> None:
    email = f"{unique()}@example.com"
    with override_settings(SIGNUP_RATE_PER_EMAIL="2/hour"):
        answers = [client().post("/api/v1/signup/", body(email=email), format="json") for _ in range(3)]
    # the second is refused as a taken email, the third is not even looked at
    assert [a.status_code for a in answers] == [202, 400, 429]
    assert problem(answers[2])["code"] == "throttled"
    assert int(answers[2].headers["Retry-After"]) >= 1


@pytest.mark.django_db
def test_signups_are_limited_per_client_address() -> None:
    api = client()
    with override_settings(SIGNUP_RATE_PER_IP="2/hour"):
        answers = [api.post("/api/v1/signup/", body(), format="json") for _ in range(3)]
        other_address = client().post("/api/v1/signup/", body(), format="json")
    assert [a.status_code for a in answers] == [202, 202, 429]
    assert problem(answers[2])["code"] == "throttled"
    assert other_address.status_code == 202
