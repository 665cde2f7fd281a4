"""The /graphql/ endpoint: bearer-token authentication as REST does it, before any operation runs.

Its body is read within REST's limits (tenantry_kernel.web.parsers: size, nesting depth, finite numbers);
the operation itself within the schema's (depth, aliases, tokens: tenant_app.graphql_schema).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cross_web import HTTPException
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import APIException, ParseError
from rest_framework.request import Request
from strawberry.django.context import StrawberryDjangoContext
from strawberry.django.views import GraphQLView

from tenant_app.accounts.authentication import TenantJWTAuthentication
from tenant_app.graphql_schema import schema
from tenantry_kernel.web import parsers
from tenantry_kernel.web.errors import exception_response, problem_response


@dataclass
class RequestContext(StrawberryDjangoContext):
    """What resolvers get as `info.context`: the request (its `user` set here) and the access token."""

    token: Any  # the validated access token (simplejwt), None when anonymous


# Codes of the transport-level refusals (before GraphQL runs), by HTTP status.
HTTP_ERROR_CODES = {404: "not_found", 405: "method_not_allowed"}


class TenantGraphQLView(GraphQLView[RequestContext, None]):
    token: Any = None  # of this request: Django makes a view instance per request

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # A bad token is refused before any operation runs, with REST's status and problem details, so
        # a client handles a token of another store or a signed-out session the same way everywhere.
        try:
            authenticated = TenantJWTAuthentication().authenticate(Request(request))
        except APIException as exc:
            response = _refusal(request, exc)
            response["WWW-Authenticate"] = 'Bearer realm="api"'
            return response
        # Only the bearer token authenticates: a session cookie must not, as this view skips CSRF checks.
        request.user, self.token = authenticated or (AnonymousUser(), None)
        try:
            return self.run(request=request)
        except HTTPException as exc:  # a malformed HTTP request (body, method, content type)
            code = HTTP_ERROR_CODES.get(exc.status_code, "bad_request")
            return problem_response(request, code, exc.reason, status=exc.status_code)
        except (APIException, RequestDataTooBig) as exc:  # a body past the limits (decode_json, request.body)
            return _refusal(request, exc)

    def decode_json(self, data: str | bytes) -> object:
        decoded = parsers.loads(data)
        if not isinstance(decoded, dict | list):
            # Strawberry would call .get() on it: a 500.
            raise ParseError("A GraphQL request is a JSON object with a `query`; send one.", code="parse_error")
        return decoded

    def get_context(self, request: HttpRequest, response: HttpResponse) -> RequestContext:
        return RequestContext(request=request, response=response, token=self.token)


def _refusal(request: HttpRequest, exc: Exception) -> HttpResponse:
    """REST's status and problem details for `exc`."""
    refused = exception_response(request, exc)
    assert refused is not None  # an APIException (or what maps to one) always gets an answer
    return refused


graphql_view = csrf_exempt(TenantGraphQLView.as_view(schema=schema, graphql_ide="graphiql" if settings.DEBUG else None))
