"""The payments permissions for the built-in roles: customers and managers pay for orders (payments.create);
owners and administrators connect the store's gateways (payments.connect). Running processes reload the roles."""

import uuid
from typing import Any

from django.db import migrations

from tenant_app.access.permission_catalog import seed_builtin_roles


def seed(apps: Any, schema_editor: Any) -> None:
    seed_builtin_roles(apps.get_model("access", "Role"))
    apps.get_model("access", "AccessRevision").objects.update(stamp=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("access", "0004_catalog_and_order_permissions")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
