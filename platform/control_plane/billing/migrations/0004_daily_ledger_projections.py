"""The ledger's daily projections (usage per metric, charges and payments per currency, per UTC day), filled from
the billing streams already in the event store, so the usage series covers the days before this migration."""

from decimal import Decimal
from typing import Any

from django.db import migrations, models

from control_plane.billing.ledger import day_recorded, usage_day

MONEY = {"billing.charged": "charged", "billing.payment_received": "paid", "billing.credited": "paid"}


def backfill(apps: Any, schema_editor: Any) -> None:
    stored = apps.get_model("tenantry_events", "StoredEvent")
    daily_usage = apps.get_model("billing", "DailyUsage")
    daily_spend = apps.get_model("billing", "DailySpend")
    usage: dict[tuple[str, Any, str], int] = {}
    spend: dict[tuple[str, Any, str], dict[str, Decimal]] = {}
    events = stored.objects.filter(stream_id__startswith="billing-").order_by("position")
    for event in events.iterator():
        tenant = event.stream_id.removeprefix("billing-")
        if event.type == "billing.usage_recorded":
            key = (tenant, usage_day(event.data, event.recorded_at), event.data["metric"])
            usage[key] = usage.get(key, 0) + int(event.data["quantity"])
        elif event.type in MONEY:
            amount = event.data["amount"]
            key = (tenant, day_recorded(event.recorded_at), amount["currency"])
            row = spend.setdefault(key, {"charged": Decimal(0), "paid": Decimal(0)})
            row[MONEY[event.type]] += Decimal(amount["amount"])
    daily_usage.objects.bulk_create(
        daily_usage(tenant=tenant, day=day, metric=metric, quantity=quantity)
        for (tenant, day, metric), quantity in usage.items()
    )
    daily_spend.objects.bulk_create(
        daily_spend(tenant=tenant, day=day, currency=currency, **sums)
        for (tenant, day, currency), sums in spend.items()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0003_seed_tax_rates"),
        ("tenantry_events", "0002_rejectedoutboxevent"),
    ]

    operations = [
        migrations.CreateModel(
            name="DailySpend",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("tenant", models.CharField(max_length=63)),
                ("day", models.DateField()),
                ("currency", models.CharField(max_length=3)),
                ("charged", models.DecimalField(decimal_places=4, default=0, max_digits=14)),
                ("paid", models.DecimalField(decimal_places=4, default=0, max_digits=14)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("tenant", "day", "currency"), name="billing_spend_per_day")
                ],
            },
        ),
        migrations.CreateModel(
            name="DailyUsage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("tenant", models.CharField(max_length=63)),
                ("day", models.DateField()),
                ("metric", models.CharField(max_length=40)),
                ("quantity", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("tenant", "day", "metric"), name="billing_usage_per_day")
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
