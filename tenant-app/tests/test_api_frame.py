"""The REST API's frame on real tenants: OpenAPI and docs, one error body, cursor pages, filters, budgets.

Tests marked `urls(__name__)` use the small API at the bottom of this module, which relies on the
project's REST_FRAMEWORK defaults like every real endpoint does.
"""

from __future__ import annotations

import base64
import re
import uuid
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path
from drf_spectacular.validation import validate_schema
from pytest_django.fixtures import Settings as SettingsWrapper
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_app.accounts.models import User
from tenant_app.accounts.tokens import refresh_token_for
from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.testing.problems import field_errors, problem, registered
from tenantry_kernel.web.problems import Problem, all_problems

from .conftest import ShardTenant


def schema_of(host: str, **headers: str) -> dict[str, Any]:
    response = Client().get("/api/schema/", {"format": "json"}, HTTP_HOST=host, headers=headers)
    assert response.status_code == 200, response.content
    schema: dict[str, Any] = response.json()
    return schema


def test_the_schema_is_public_openapi_3_on_service_and_tenant_hosts(shard: tuple[str, list[ShardTenant]]) -> None:
    alpha = shard[1][0]

    on_service_host = schema_of("localhost")
    on_tenant_host = schema_of(alpha.host, Authorization="Bearer not-a-token")  # a bad token is no obstacle

    assert on_tenant_host == on_service_host
    validate_schema(on_service_host)  # type: ignore[no-untyped-call]  # drf-spectacular leaves it untyped
    assert on_service_host["openapi"].startswith("3.")
    assert on_service_host["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert on_service_host["components"]["securitySchemes"]["bearerAuth"]["bearerFormat"] == "JWT"
    assert on_service_host["paths"]["/api/v1/audit-events/"]["get"]["security"] == [{"bearerAuth": []}]


def test_every_operation_documents_the_store_host_errors_and_has_a_unique_stable_id() -> None:
    schema = schema_of("localhost")
    operations = [op for item in schema["paths"].values() for method, op in item.items() if method != "parameters"]

    for operation in operations:
        # Every operation answers on a store's host only (API_EVERY_OPERATION_PROBLEMS), besides its own codes.
        not_found = operation["responses"]["404"]["content"]["application/problem+json"]
        suspended = operation["responses"]["503"]["content"]["application/problem+json"]
        assert not_found["schema"] == suspended["schema"] == {"$ref": "#/components/schemas/Problem"}
        assert "tenant_not_found" in {example["value"]["code"] for example in not_found["examples"].values()}
        assert {example["value"]["code"] for example in suspended["examples"].values()} == {"tenant_suspended"}
    throttled = schema["paths"]["/api/v1/products/"]["get"]["responses"]["429"]
    assert "Retry-After" in throttled["headers"]
    problem_schema = schema["components"]["schemas"]["Problem"]
    assert set(problem_schema["properties"]) == {
        "type", "title", "status", "detail", "instance", "code", "errors", "request_id"
    }  # fmt: skip
    assert problem_schema["required"] == ["type", "title", "status", "detail", "code"]
    # Every code the app answers is documented, with its status and title.
    assert problem_schema["properties"]["code"]["enum"] == [entry.code for entry in all_problems()]
    assert {"invalid", "not_found", "tenant_not_found", "forbidden", "order_not_payable"} <= set(
        problem_schema["properties"]["code"]["enum"]
    )
    assert "- `tenant_suspended` (503, Store suspended): " in problem_schema["properties"]["code"]["description"]
    ids = [operation["operationId"] for operation in operations]
    assert len(ids) == len(set(ids))
    # Named after the path, without the /api/v1 prefix: unchanged while the code behind changes.
    assert {"audit_events_list", "auth_sign_in_create"} <= set(ids)


def test_the_docs_page_loads_the_schema_with_assets_served_here() -> None:
    client = Client(HTTP_HOST="localhost")

    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '"/api/schema/"' in page
    bundle = re.search(r'src="(/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle\.js)"', page)
    assert bundle, page
    assert client.get(bundle.group(1)).status_code == 200


def test_unknown_api_paths_answer_the_error_body_and_other_paths_djangos_page() -> None:
    client = Client(HTTP_HOST="localhost")

    api = client.get("/api/v1/no-such-thing/")
    page = client.get("/no-such-page/")

    assert api.status_code == 404
    assert problem(api) == {
        "code": "not_found",
        "detail": "There is no API endpoint at this address; check the path and its trailing slash.",
    }
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


def test_a_host_this_service_does_not_answer_to_is_a_400_in_the_error_body_under_api() -> None:
    response = Client().get("/api/schema/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert problem(response) == {
        "code": "disallowed_host",
        "detail": "This service does not answer the host named in the Host header; use one of its own addresses.",
    }


@pytest.mark.parametrize(
    ("method", "body", "content_type", "status", "code"),
    [
        ("post", "{not json", "application/json", 400, "parse_error"),
        ("post", "email=a", "text/plain", 415, "unsupported_media_type"),
        ("delete", "", "application/json", 405, "method_not_allowed"),
    ],
)
def test_requests_drf_refuses_get_the_error_body(
    shard: tuple[str, list[ShardTenant]], method: str, body: str, content_type: str, status: int, code: str
) -> None:
    alpha = shard[1][0]

    response = getattr(Client(), method)("/api/v1/auth/sign-in/", body, content_type=content_type, HTTP_HOST=alpha.host)

    assert response.status_code == status
    assert problem(response)["code"] == code
    assert set(response.json()) == {"type", "title", "status", "detail", "instance", "code"}


# -- a small API on the project's defaults --------------------------------------------------


class MemberSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "email", "is_active"]


class MemberList(generics.ListAPIView[User]):
    queryset = User.objects.all()
    serializer_class = MemberSerializer
    filterset_fields = {"is_active": ["exact"], "date_joined": ["gte"]}
    ordering_fields = ["email"]


class MemberDetail(generics.RetrieveAPIView[User]):
    queryset = User.objects.all()
    serializer_class = MemberSerializer


class Ping(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"pong": True})


class Line(serializers.Serializer[Any]):
    sku = serializers.CharField(max_length=8)
    quantity = serializers.IntegerField(min_value=1)


class Address(serializers.Serializer[Any]):
    city = serializers.CharField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["city"] == "Nowhere":
            raise serializers.ValidationError("We do not ship there.")
        return attrs


class Order(serializers.Serializer[Any]):
    address = Address()
    lines = Line(many=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=3))


class Orders(APIView):
    def post(self, request: Request) -> Response:
        Order(data=request.data).is_valid(raise_exception=True)
        return Response(status=201, headers={"Location": "/api/v1/orders/1/"})

    def put(self, request: Request) -> Response:
        raise serializers.ValidationError("Orders cannot be replaced; cancel this one.", code="order_final")


class Legacy(APIView):
    """Code below the API that raises Django's own exceptions (a model's full_clean, a guard)."""

    def post(self, request: Request) -> Response:
        raise DjangoValidationError({"email": ["This address is taken."]})

    def delete(self, request: Request) -> Response:
        raise PermissionDenied("Owners cannot be removed.")


def plain_django_view(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


class Crash(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        raise RuntimeError("a bug")


urlpatterns = [
    path("api/", include("tenantry_kernel.web.openapi_urls")),
    path("api/v1/members/", MemberList.as_view()),
    path("api/v1/members/<int:pk>/", MemberDetail.as_view()),
    path("api/v1/orders/", Orders.as_view()),
    path("api/v1/legacy/", Legacy.as_view()),
    path("api/v1/ping/", Ping.as_view()),
    path("api/v1/crash/", Crash.as_view()),
    path("api/v1/plain/", plain_django_view),
]
handler403 = "tenantry_kernel.web.errors.permission_denied"
handler404 = "tenantry_kernel.web.errors.not_found"
handler500 = "tenantry_kernel.web.errors.server_error"


class Caller:
    """A signed-in member of a tenant, calling its host."""

    def __init__(self, tenant: ShardTenant, user: User) -> None:
        self.tenant = tenant
        with tenant_transaction(tenant.route):
            self.token = str(refresh_token_for(user, tenant.slug, str(uuid.uuid4())).access_token)
        self.client = Client(HTTP_HOST=tenant.host, HTTP_AUTHORIZATION=f"Bearer {self.token}")

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {})

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(path, body, content_type="application/json")


def members(tenant: ShardTenant, emails: list[str], **fields: Any) -> list[User]:
    with tenant_transaction(tenant.route):
        return User.objects.bulk_create(User(email=email, **fields) for email in emails)


@pytest.fixture
def alpha(shard: tuple[str, list[ShardTenant]]) -> Caller:
    tenant = shard[1][0]
    return Caller(tenant, members(tenant, ["owner@example.test"])[0])


@pytest.mark.urls(__name__)
def test_nested_field_errors_are_flattened_to_dotted_paths(alpha: Caller) -> None:
    order = {
        "address": {"city": "Nowhere"},
        "lines": [{"sku": "ok", "quantity": 1}, {"sku": "much-too-long", "quantity": 0}],
        "tags": ["ok", "toolong"],
    }

    response = alpha.post("/api/v1/orders/", order)

    assert response.status_code == 400
    assert problem(response) == {
        "code": "invalid",
        "detail": "Some fields are invalid; see errors.",
        "errors": {
            "/address": ["We do not ship there."],
            "/lines/1/sku": ["Ensure this field has no more than 8 characters."],
            "/lines/1/quantity": ["Ensure this value is greater than or equal to 1."],
            "/tags/1": ["Ensure this field has no more than 3 characters."],
        },
    }


@pytest.mark.urls(__name__)
def test_a_body_of_the_wrong_type_is_a_non_field_error(alpha: Caller) -> None:
    response = alpha.post("/api/v1/orders/", ["not", "an", "object"])

    assert response.status_code == 400
    assert field_errors(response) == {"": ["Invalid data. Expected a dictionary, but got list."]}


@pytest.mark.urls(__name__)
def test_a_validation_error_about_no_field_keeps_its_own_code(alpha: Caller) -> None:
    with registered(Problem("order_final", 400, "Order final", "Orders are not replaced.")):
        response = alpha.client.put("/api/v1/orders/", {}, content_type="application/json")

        assert response.status_code == 400
        assert problem(response) == {"code": "order_final", "detail": "Orders cannot be replaced; cancel this one."}
        assert response.json()["type"] == "/api/problems/order_final"


@pytest.mark.urls(__name__)
@pytest.mark.unregistered_problems
def test_a_code_missing_from_the_registry_is_answered_as_about_blank_and_logged(
    alpha: Caller, caplog: pytest.LogCaptureFixture
) -> None:
    # order_final is this module's own code, registered nowhere outside the test above.
    response = alpha.client.put("/api/v1/orders/", {}, content_type="application/json")

    assert response.json() == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": "Orders cannot be replaced; cancel this one.",
        "instance": "/api/v1/orders/",
        "code": "order_final",
    }
    assert [record.getMessage() for record in caplog.records if record.name == "tenantry.problems"] == [
        "unregistered problem code 'order_final' answered with status 400; list it in an app's errors.py"
    ]


@pytest.mark.urls(__name__)
def test_djangos_own_exceptions_below_the_api_are_4xx_in_the_error_body(alpha: Caller) -> None:
    invalid = alpha.post("/api/v1/legacy/", {})
    forbidden = alpha.client.delete("/api/v1/legacy/")
    missing = alpha.get("/api/v1/members/424242/")

    assert invalid.status_code == 400
    assert field_errors(invalid) == {"/email": ["This address is taken."]}
    assert forbidden.status_code == 403
    assert problem(forbidden) == {"code": "permission_denied", "detail": "Owners cannot be removed."}
    assert missing.status_code == 404
    assert problem(missing) == {"code": "not_found", "detail": "No User matches the given query."}
    plain = alpha.get("/api/v1/plain/")  # not a DRF view: Django's handler403
    assert plain.status_code == 403
    assert problem(plain)["code"] == "permission_denied"


@pytest.mark.urls(__name__)
def test_a_bad_token_is_401_in_the_error_body(alpha: Caller) -> None:
    response = Client().get("/api/v1/members/", HTTP_HOST=alpha.tenant.host, HTTP_AUTHORIZATION="Bearer x.y.z")

    assert response.status_code == 401
    assert problem(response) == {"code": "token_not_valid", "detail": "Given token not valid for any token type"}
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.urls(__name__)
def test_a_crash_is_a_500_in_the_error_body_naming_the_request_id(shard: tuple[str, list[ShardTenant]]) -> None:
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/crash/", HTTP_HOST=shard[1][0].host, HTTP_X_REQUEST_ID="crash-1")

    assert response.status_code == 500
    assert problem(response) == {
        "code": "server_error",
        "detail": "The server failed to answer this request; try again later, or report request id crash-1.",
    }


@pytest.mark.urls(__name__)
def test_lists_are_cursor_pages_by_primary_key_with_a_bounded_page_size(alpha: Caller) -> None:
    members(alpha.tenant, [f"m{index:03}@example.test" for index in range(250)])

    first = alpha.get("/api/v1/members/", {"page_size": 2}).json()
    second = alpha.client.get(first["next"]).json()
    largest = alpha.get("/api/v1/members/", {"page_size": 1000}).json()
    default = alpha.get("/api/v1/members/").json()

    assert set(first) == {"next", "previous", "results"}
    assert [member["email"] for member in first["results"] + second["results"]] == [
        "owner@example.test",
        "m000@example.test",
        "m001@example.test",
        "m002@example.test",
    ]
    assert len(largest["results"]) == 200
    assert len(default["results"]) == 50


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    "cursor",
    [
        "%%%not-base64",
        base64.b64encode(b"p=not-a-number").decode(),  # forged: would fail in the WHERE clause
    ],
)
def test_a_bad_cursor_is_a_400_naming_the_cursor(alpha: Caller, cursor: str) -> None:
    response = alpha.get("/api/v1/members/", {"cursor": cursor})

    assert response.status_code == 400
    assert field_errors(response) == {
        "/cursor": ["This cursor is invalid; follow a `next` or `previous` link as it was given."]
    }


@pytest.mark.urls(__name__)
def test_lists_order_by_the_fields_a_view_names_and_no_others(alpha: Caller) -> None:
    members(alpha.tenant, ["c@example.test", "a@example.test", "b@example.test"])

    def emails(ordering: str) -> list[str]:
        return [member["email"] for member in alpha.get("/api/v1/members/", {"ordering": ordering}).json()["results"]]

    assert emails("email") == ["a@example.test", "b@example.test", "c@example.test", "owner@example.test"]
    assert emails("-email")[0] == "owner@example.test"
    # `id` is not among the view's ordering_fields: ignored, primary-key order stays
    assert emails("-id") == ["owner@example.test", "c@example.test", "a@example.test", "b@example.test"]
    # and the cursor follows the chosen order across pages
    first = alpha.get("/api/v1/members/", {"ordering": "-email", "page_size": 2}).json()
    second = alpha.client.get(first["next"]).json()
    assert [m["email"] for m in first["results"] + second["results"]] == emails("-email")


@pytest.mark.urls(__name__)
def test_lists_filter_with_django_filter_and_refuse_bad_filter_values(alpha: Caller) -> None:
    members(alpha.tenant, ["gone@example.test"], is_active=False)

    inactive = alpha.get("/api/v1/members/", {"is_active": "false"})
    bad = alpha.get("/api/v1/members/", {"date_joined__gte": "last tuesday"})

    assert [member["email"] for member in inactive.json()["results"]] == ["gone@example.test"]
    assert bad.status_code == 400
    assert field_errors(bad) == {"/date_joined__gte": ["Enter a valid date/time."]}


@pytest.mark.urls(__name__)
def test_the_schema_describes_pages_filters_and_ordering_of_a_list() -> None:
    schema = schema_of("localhost")

    operation = schema["paths"]["/api/v1/members/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert set(parameters) == {"cursor", "page_size", "is_active", "date_joined__gte", "ordering"}
    assert parameters["ordering"]["description"].startswith("Order by email:")
    assert operation["operationId"] == "members_list"
    assert "ordering" not in {p["name"] for p in schema["paths"]["/api/v1/members/{id}/"]["get"]["parameters"]}


# -- request budgets ------------------------------------------------------------------------


@pytest.fixture
def rates(settings: SettingsWrapper) -> Any:
    def set_rates(user: str, tenant: str) -> None:
        rates = {"user": user, "tenant": tenant}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    return set_rates


def assert_throttled(response: Any) -> None:
    assert response.status_code == 429
    error = problem(response)
    assert error["code"] == "throttled"
    assert re.fullmatch(r"[1-9][0-9]*", response["Retry-After"])
    assert error["detail"] == f"Request was throttled. Expected available in {response['Retry-After']} seconds."


@pytest.mark.urls(__name__)
def test_a_tenant_that_spent_its_budget_is_throttled_and_another_is_not(
    shard: tuple[str, list[ShardTenant]], rates: Any
) -> None:
    alpha_tenant, bravo_tenant = shard[1]
    rates(user="1000/day", tenant="3/day")
    alpha_one, alpha_two = (
        Caller(alpha_tenant, user) for user in members(alpha_tenant, ["one@example.test", "two@example.test"])
    )
    bravo = Caller(bravo_tenant, members(bravo_tenant, ["one@example.test"])[0])

    spent = [alpha_one.get("/api/v1/members/"), alpha_two.get("/api/v1/members/"), alpha_one.get("/api/v1/ping/")]
    refused = alpha_two.get("/api/v1/members/")  # another user of the same tenant

    assert [response.status_code for response in spent] == [200, 200, 200]
    assert_throttled(refused)
    assert bravo.get("/api/v1/members/").status_code == 200


@pytest.mark.urls(__name__)
def test_a_user_that_spent_their_budget_is_throttled_and_others_of_the_tenant_are_not(
    shard: tuple[str, list[ShardTenant]], rates: Any
) -> None:
    tenant = shard[1][0]
    rates(user="2/day", tenant="1000/day")
    one, two = (Caller(tenant, user) for user in members(tenant, ["one@example.test", "two@example.test"]))

    spent = [one.get("/api/v1/members/").status_code, one.get("/api/v1/members/").status_code]

    assert spent == [200, 200]
    assert_throttled(one.get("/api/v1/members/"))
    assert two.get("/api/v1/members/").status_code == 200


@pytest.mark.urls(__name__)
def test_anonymous_callers_are_counted_by_address_which_a_forged_forwarded_for_does_not_change(
    shard: tuple[str, list[ShardTenant]], rates: Any
) -> None:
    tenant = shard[1][0]
    rates(user="2/day", tenant="1000/day")
    client = Client(HTTP_HOST=tenant.host)

    answers = [client.get("/api/v1/ping/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}") for n in range(3)]

    assert [answer.status_code for answer in answers[:2]] == [200, 200]
    assert_throttled(answers[2])
    other_address = client.get("/api/v1/ping/", REMOTE_ADDR="198.51.100.7")
    assert other_address.status_code == 200


def test_a_nul_character_in_a_json_body_is_a_400_not_a_driver_error() -> None:
    response = Client(HTTP_HOST="localhost").post(
        "/api/v1/auth/sign-in/", {"email": "a@example.test", "password": "x\u0000y"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert problem(response) == {
        "code": "nul_character",
        "detail": "Text in the request body may not contain NUL (U+0000) characters.",
    }
