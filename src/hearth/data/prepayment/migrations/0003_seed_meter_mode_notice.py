"""The document prepayment sends: the notice of a smart meter's switch between credit and prepayment mode (7.6.2)."""

from django.db import migrations

TYPES = [
    # code, name, plural, must be delivered, position
    ("METER_MODE_NOTICE", "Meter mode notice", "Meter mode notices", True, 150),
]


def seed_types(apps, schema_editor):
    document_type = apps.get_model("documents", "DocumentType")
    for code, name, plural, must, position in TYPES:
        document_type.objects.update_or_create(
            code=code,
            defaults={"name": name, "plural_name": plural, "must_be_delivered": must, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("prepayment", "0002_vends_and_daily_charges"),
        ("documents", "0003_delivery_rules_deliveries_print_batches"),
    ]
    operations = [migrations.RunPython(seed_types, migrations.RunPython.noop)]
