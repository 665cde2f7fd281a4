"""The one schema: each app's queries and mutations merged, behind limits that keep a request cheap."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext
from strawberry_django.optimizer import DjangoOptimizerExtension

from tenant_app.access.graphql.mutations import AccessMutation
from tenant_app.access.graphql.queries import AccessQuery
from tenant_app.accounts.graphql.mutations import AccountsMutation
from tenant_app.accounts.graphql.queries import AccountsQuery
from tenant_app.audit.graphql.queries import AuditQuery
from tenant_app.catalog.graphql.mutations import CatalogMutation
from tenant_app.catalog.graphql.queries import CatalogQuery
from tenant_app.checkout.graphql.mutations import CheckoutMutation
from tenant_app.checkout.graphql.queries import CheckoutQuery
from tenant_app.graphql.errors import ErrorCodes, api_exception
from tenant_app.payments.graphql.mutations import PaymentsMutation
from tenant_app.payments.graphql.queries import PaymentsQuery
from tenantry_kernel.web.fields import parse_decimal

# Depth counts from 0 at the top field: the deepest useful query today is 5 (audit events → actor
# → role inside a connection). Roles and their members form a cycle a client could nest without end.
MAX_DEPTH = 8
MAX_ALIASES = 15
MAX_TOKENS = 2000


def _parse_decimal(value: Any) -> Decimal:
    # A GraphQLError keeps its message as is (graphql-core wraps any other exception in one of its own).
    if isinstance(value, bool):
        raise GraphQLError("Send a decimal number such as 12.50, not true or false.")
    try:
        return parse_decimal(str(value))
    except ValueError as exc:
        raise GraphQLError(str(exc)) from exc


# REST's rule for amounts (tenantry_kernel.web.fields): ASCII digits only, and -0 is 0. Strawberry's own
# scalar reads any Unicode digit; the REST serializer behind a mutation would only see the Decimal it made.
DecimalScalar = strawberry.scalar(
    name="Decimal",
    description='Decimal (fixed-point), sent as a string of ASCII digits such as "12.50".',
    serialize=str,
    parse_value=_parse_decimal,
)


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # Refusals and bad input are answers to the client, not incidents: log only the unexpected.
        unexpected = [
            error
            for error in errors
            if error.original_error
            and not isinstance(error.original_error, GraphQLError)  # a variable of the wrong type
            and not api_exception(error.original_error)
        ]
        super().process_errors(unexpected, execution_context)


Query = merge_types("Query", (AccountsQuery, AccessQuery, AuditQuery, CatalogQuery, CheckoutQuery, PaymentsQuery))
Mutation = merge_types(
    "Mutation", (AccountsMutation, AccessMutation, CatalogMutation, CheckoutMutation, PaymentsMutation)
)

# Introspection stays on: the schema is public (the project is open source) and clients generate
# code from it; the policy engine guards data, not its shape.
schema = Schema(
    query=Query,
    mutation=Mutation,
    extensions=[
        partial(QueryDepthLimiter, max_depth=MAX_DEPTH),
        partial(MaxAliasesLimiter, max_alias_count=MAX_ALIASES),
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        # Joins and prefetches what a query selects (users → role, events → actor): no N+1.
        DjangoOptimizerExtension,
        ErrorCodes,
    ],
    scalar_overrides={Decimal: DecimalScalar},
)
