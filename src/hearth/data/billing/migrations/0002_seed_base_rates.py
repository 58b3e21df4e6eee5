"""Bank of England base rate changes since August 2023, for late-payment interest (T&C 10.1.8).

Configuration with effective dates: operators add each new rate as the Bank announces it (docs/operations.md, "The
base rate"). Rates after the last row here were not known when this migration was written.
"""

from decimal import Decimal

from django.db import migrations

RATES = [
    ("2023-08-03", "5.25"),
    ("2024-08-01", "5.00"),
    ("2024-11-07", "4.75"),
    ("2025-02-06", "4.50"),
    ("2025-05-08", "4.25"),
    ("2025-08-07", "4.00"),
    ("2025-12-18", "3.75"),
]


def seed(apps, schema_editor):
    base_rate = apps.get_model("billing", "BaseRate")
    for day, percent in RATES:
        base_rate.objects.update_or_create(effective_date=day, defaults={"percent": Decimal(percent)})


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_bills_ledger_charges_runs")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
