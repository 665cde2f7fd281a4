"""Every workspace starts with the built-in roles, its revision stamp, and customers seeing only their own orders."""

from typing import Any

from django.db import migrations

from tenant_app.access.permission_catalog import seed_builtin_roles


def seed(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("access", "Role")
    Policy = apps.get_model("access", "Policy")
    seed_builtin_roles(Role)
    apps.get_model("access", "AccessRevision").objects.get_or_create(pk=1)
    own_orders, created = Policy.objects.get_or_create(
        name="customers-own-orders",
        defaults={
            "description": "Customers see only the orders they placed.",
            "effect": "allow",
            "actions": ["orders.view"],
            "condition": "resource.customer_id == subject.id",
        },
    )
    if created:
        own_orders.roles.set([Role.objects.get(slug="customer")])


class Migration(migrations.Migration):
    dependencies = [("access", "0002_policies")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
