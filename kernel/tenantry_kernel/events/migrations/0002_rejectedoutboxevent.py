"""Outbox rows the relay refuses to publish, kept with the reason (tenantry_kernel.events.relay)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tenantry_events", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="RejectedOutboxEvent",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("event_id", models.UUIDField()),
                ("routing_key", models.CharField(max_length=255)),
                ("envelope", models.JSONField()),
                ("reason", models.TextField()),
                ("created_at", models.DateTimeField()),
                ("rejected_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={"db_table": "tenantry_outbox_rejected"},
        ),
    ]
