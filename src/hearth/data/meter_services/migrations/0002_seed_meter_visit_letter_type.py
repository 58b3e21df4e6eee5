"""The document a booked engineer visit sends: its confirmation and its reminder (T&C 11.1.8, ADR 0020)."""

from django.db import migrations

TYPES = [
    # code, name, plural, must be delivered, position
    ("METER_VISIT_LETTER", "Engineer visit letter", "Engineer visit letters", False, 150),
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
        ("meter_services", "0001_faults_tests_moves_appointments"),
        ("documents", "0003_delivery_rules_deliveries_print_batches"),
    ]
    operations = [migrations.RunPython(seed_types, migrations.RunPython.noop)]
