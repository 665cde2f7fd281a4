"""Customers cancel their own orders while unpaid: the customer role gets orders.cancel (seed_builtin_roles), and a
policy narrows it to orders they placed that are still `placed` (staff keep cancelling refunded ones too).
Running processes reload the roles."""

import uuid
from typing import Any

from django.db import migrations

from tenant_app.access.permission_catalog import seed_builtin_roles


def seed(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("access", "Role")
    Policy = apps.get_model("access", "Policy")
    seed_builtin_roles(Role)
    own_unpaid, created = Policy.objects.get_or_create(
        name="customers-cancel-own-unpaid-orders",
        defaults={
            "description": "Customers cancel only orders they placed, and only before paying.",
            "effect": "allow",
            "actions": ["orders.cancel"],
            "condition": 'resource.customer_id == subject.id && resource.status == "placed"',
        },
    )
    if created:
        own_unpaid.roles.set([Role.objects.get(slug="customer")])
    apps.get_model("access", "AccessRevision").objects.update(stamp=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("access", "0005_payment_permissions")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
