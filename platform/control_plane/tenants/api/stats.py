"""Ops API for platform staff: the platform's daily figures (signups, active stores, revenue), for the staff console.

Computed in SQL, one query: a row per day of the window (generate_series), signups counted from the tenants'
`created_at`, active stores from `created_at` and, for a deleted store, the time it left (`state_changed_at` of a
tenant now `deleting` or `deleted`), revenue from the paid invoices (`paid_at`, `total`, per currency). Days are UTC.
The billing tables are named through the app registry, so the tenants app does not import billing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connection
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from control_plane.tenants.models import Tenant, TenantState
from tenantry_kernel.web.openapi import problems, response_example

MAX_DAYS = 366


class StatsQuerySerializer(serializers.Serializer[Any]):
    days = serializers.IntegerField(
        min_value=1, max_value=MAX_DAYS, default=30, help_text="How many days, up to today (UTC) included."
    )


class RevenueSerializer(serializers.Serializer[Any]):
    currency = serializers.CharField(help_text="ISO 4217, upper case.")
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="Paid invoices' totals, tax included.")


class StatsDaySerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    signups = serializers.IntegerField(help_text="Stores created that day.")
    active_stores = serializers.IntegerField(help_text="Stores that existed at the end of that day (not deleted).")
    revenue = RevenueSerializer(many=True, help_text="Invoices paid that day, per currency; empty when none.")


@extend_schema_serializer(
    examples=[
        response_example(
            "Two days",
            {
                "days": 2,
                "currencies": ["EUR"],
                "series": [
                    {"date": "2026-03-01", "signups": 3, "active_stores": 41, "revenue": []},
                    {
                        "date": "2026-03-02",
                        "signups": 1,
                        "active_stores": 42,
                        "revenue": [{"currency": "EUR", "amount": "119.00"}],
                    },
                ],
            },
        )
    ]
)
class StatsSerializer(serializers.Serializer[Any]):
    days = serializers.IntegerField()
    currencies = serializers.ListField(child=serializers.CharField(), help_text="Every currency in the series.")
    series = StatsDaySerializer(many=True, help_text="One entry per day, oldest first, today last.")


def daily_stats(days: int) -> dict[str, Any]:
    """The last `days` days (UTC, today included) of signups, active stores and paid revenue."""
    tenants = Tenant._meta.db_table
    invoices = apps.get_model("billing", "Invoice")._meta.db_table
    gone = [TenantState.DELETING.value, TenantState.DELETED.value]
    sql = f"""
        WITH day AS (
            SELECT generate_series(
                (now() AT TIME ZONE 'UTC')::date - (%(days)s - 1), (now() AT TIME ZONE 'UTC')::date, interval '1 day'
            )::date AS d
        )
        SELECT day.d,
            (SELECT count(*) FROM {tenants} t WHERE (t.created_at AT TIME ZONE 'UTC')::date = day.d),
            (SELECT count(*) FROM {tenants} t
              WHERE (t.created_at AT TIME ZONE 'UTC')::date <= day.d
                AND NOT (t.state = ANY(%(gone)s) AND (t.state_changed_at AT TIME ZONE 'UTC')::date <= day.d)),
            i.currency, i.amount
        FROM day
        LEFT JOIN (
            SELECT (paid_at AT TIME ZONE 'UTC')::date AS d, upper(currency) AS currency, sum(total) AS amount
            FROM {invoices} WHERE status = 'paid' AND paid_at IS NOT NULL GROUP BY 1, 2
        ) i ON i.d = day.d
        ORDER BY day.d, i.currency
    """  # noqa: S608 - the table names come from the models, the values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, {"days": days, "gone": gone})
        rows: list[tuple[date, int, int, str | None, Decimal | None]] = cursor.fetchall()
    by_day: dict[date, dict[str, Any]] = {}
    revenue: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for day, signups, active, currency, amount in rows:
        by_day.setdefault(day, {"date": day, "signups": signups, "active_stores": active})
        if currency is not None:
            revenue[day].append({"currency": currency, "amount": amount})
    series = [{**entry, "revenue": revenue[day]} for day, entry in by_day.items()]
    currencies = sorted({item["currency"] for items in revenue.values() for item in items})
    return {"days": days, "currencies": currencies, "series": series}


class OpsStatsView(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        summary="The platform's daily figures (staff)",
        description="Platform staff only: per day (UTC) of the last `days` days, today included, the stores created, "
        "the stores in existence at the day's end and the paid invoices' revenue per currency.",
        parameters=[StatsQuerySerializer],
        responses={200: StatsSerializer, **problems("invalid", "permission_denied")},
    )
    def get(self, request: Request) -> Response:
        query = StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(StatsSerializer(daily_stats(query.validated_data["days"])).data)
