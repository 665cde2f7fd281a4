"""Seed the tax rates of the countries the platform bills first (standard rates, exclusive of price)."""

from decimal import Decimal
from typing import Any

from django.db import migrations

RATES = [
    ("AT", "USt", Decimal("20")),
    ("DE", "USt", Decimal("19")),
    ("ES", "IVA", Decimal("21")),
    ("FR", "TVA", Decimal("20")),
    ("GB", "VAT", Decimal("20")),
    ("IE", "VAT", Decimal("23")),
    ("IN", "GST", Decimal("18")),
    ("IT", "IVA", Decimal("22")),
    ("NL", "BTW", Decimal("21")),
    ("US", "Sales tax", Decimal("0")),
]


def seed(apps: Any, schema_editor: Any) -> None:
    tax_rate = apps.get_model("billing", "TaxRate")
    for country, name, percentage in RATES:
        tax_rate.objects.update_or_create(country=country, defaults={"name": name, "percentage": percentage})


def unseed(apps: Any, schema_editor: Any) -> None:
    apps.get_model("billing", "TaxRate").objects.filter(country__in=[country for country, _, _ in RATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_stripe_tax_invoices")]

    operations = [migrations.RunPython(seed, unseed)]
