"""The letters of the debt path: the notice of a move to prepayment (10.1.4, 10.2), the written notice of
disconnection (16.2), and the letter confirming a repayment plan."""

from django.db import migrations

TYPES = [
    # code, name, plural, must be delivered, position
    ("REPAYMENT_PLAN", "Repayment plan", "Repayment plans", True, 110),
    ("PREPAYMENT_NOTICE", "Notice of prepayment", "Notices of prepayment", True, 120),
    ("DISCONNECTION_NOTICE", "Notice of disconnection", "Notices of disconnection", True, 130),
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
        ("debt", "0001_debt_cases_steps_plans_warrants"),
        ("documents", "0003_delivery_rules_deliveries_print_batches"),
    ]
    operations = [migrations.RunPython(seed_types, migrations.RunPython.noop)]
