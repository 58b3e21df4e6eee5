"""The documents payments send: Direct Debit advance notices (the Direct Debit Guarantee makes them obligatory) and
reminders about overdue bills, added beside the document types of the documents area."""

from django.db import migrations

TYPES = [
    # code, name, plural, must be delivered, position
    ("PAYMENT_NOTICE", "Payment notice", "Payment notices", True, 60),
    ("PAYMENT_REMINDER", "Payment reminder", "Payment reminders", True, 70),
]


def seed(apps, schema_editor):
    document_type = apps.get_model("documents", "DocumentType")
    for code, name, plural, must, position in TYPES:
        document_type.objects.update_or_create(
            code=code,
            defaults={"name": name, "plural_name": plural, "must_be_delivered": must, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_arrangements_mandates_collections_cards_refunds"),
        ("documents", "0003_delivery_rules_deliveries_print_batches"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
