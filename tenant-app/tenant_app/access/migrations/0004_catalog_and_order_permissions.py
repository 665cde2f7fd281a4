"""The catalog's and the order ledger's permissions for the built-in roles, and customers seeing only published products.

Built-in roles get products.publish and orders.pay|refund|cancel as the catalog now lists them
(seed_builtin_roles); the revision stamp changes so that running processes reload the roles.
"""

import uuid
from typing import Any

from django.db import migrations

from tenant_app.access.permission_catalog import seed_builtin_roles


def seed(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("access", "Role")
    Policy = apps.get_model("access", "Policy")
    seed_builtin_roles(Role)
    published_only, created = Policy.objects.get_or_create(
        name="customers-published-products",
        defaults={
            "description": "Customers see only published products.",
            "effect": "allow",
            "actions": ["products.view"],
            "condition": "resource.published == true",
        },
    )
    if created:
        published_only.roles.set([Role.objects.get(slug="customer")])
    apps.get_model("access", "AccessRevision").objects.update(stamp=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("access", "0003_builtin_roles")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
