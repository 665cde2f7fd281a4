"""Usage metering: each store reports its hourly usage once, as usage.reported events in its own outbox."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from tenant_app.metering.actions import last_full_hour, report_usage
from tenant_app.metering.models import UsageReport
from tenant_app.metering.tasks import report_last_hour
from tenant_app.schedules.actions import ensure_tenant_schedules
from tenant_app.tenancy.context import as_tenant

from .conftest import ShardTenant
from .shop import MEMBERS, Store

STAFF = sum(role != "customer" for role in MEMBERS.values())  # billed seats: everyone but customers


def place(store: Store, product: int) -> None:
    placed = store.call("customer", "post", "/api/v1/orders/", {"lines": [{"product": product, "quantity": 1}]})
    assert placed.status_code == 201, placed.content


def test_a_store_reports_each_metric_of_a_period_once_in_its_own_outbox(
    shard: tuple[str, list[ShardTenant]],
) -> None:
    _, (alpha, bravo) = shard
    shop, other = Store(alpha), Store(bravo)
    tea = shop.product("Tea", "4.50")
    for _ in range(3):
        assert (
            shop.call("customer", "post", "/api/v1/orders/", {"lines": [{"product": tea, "quantity": 1}]}).status_code
            == 201
        )
    other_tea = other.product("Tea", "4.50")
    assert (
        other.call(
            "customer", "post", "/api/v1/orders/", {"lines": [{"product": other_tea, "quantity": 2}]}
        ).status_code
        == 201
    )
    start = timezone.now() - dt.timedelta(minutes=5)
    end = start + dt.timedelta(hours=1)
    before = len(shop.outbox())

    with as_tenant(alpha.slug):
        first = report_usage(start, end)
        again = report_usage(start, end)

    assert {(report.metric, report.quantity) for report in first} == {("orders", 3), ("members", STAFF)}
    assert again == []
    usage = [body for body in shop.outbox()[before:] if body["type"] == "usage.reported"]
    assert sorted((body["data"]["metric"], body["data"]["quantity"]) for body in usage) == [
        ("members", STAFF),
        ("orders", 3),
    ]
    assert all(body["tenant"] == alpha.slug for body in usage)
    assert usage[0]["data"]["period_start"] == start.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    with as_tenant(alpha.slug):
        assert {str(report.event_id) for report in UsageReport.objects.all()} == {body["id"] for body in usage}
    with as_tenant(bravo.slug):
        assert not UsageReport.objects.exists()


def test_the_usage_schedule_runs_the_report_as_its_tenant_with_the_arguments_beat_sends(
    shard: tuple[str, list[ShardTenant]],
) -> None:
    _, (alpha, _bravo) = shard
    ensure_tenant_schedules(alpha.slug)
    entry = PeriodicTask.objects.get(name=f"{alpha.slug}:usage-report")

    with as_tenant(alpha.slug):
        made = report_last_hour.run(**json.loads(entry.kwargs))
        again = report_last_hour.run(**json.loads(entry.kwargs))

    assert entry.task == report_last_hour.name
    assert json.loads(entry.headers) == {"tenantry_tenant": alpha.slug}
    assert (made, again) == (2, 0)


def test_the_hourly_period_is_the_last_full_hour_in_utc() -> None:
    now = dt.datetime(2026, 11, 26, 13, 42, 7, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert last_full_hour(now) == (
        dt.datetime(2026, 11, 26, 11, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC),
    )
