"""The letters a complaint sends (T&C 20): each must be delivered, whatever the customer's delivery rules."""

from django.db import migrations

TYPES = [
    # code, name, plural, must be delivered, position
    ("COMPLAINT_ACKNOWLEDGEMENT", "Complaint acknowledgement", "Complaint acknowledgements", True, 180),
    ("COMPLAINT_RESPONSE", "Complaint response", "Complaint responses", True, 181),
    ("COMPLAINT_FINAL_RESPONSE", "Final response to a complaint", "Final responses to complaints", True, 182),
    ("COMPLAINT_EIGHT_WEEKS", "Complaint: your right to the Energy Ombudsman", "Complaint 8-week letters", True, 183),
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
        ("complaints", "0001_complaints_events_inbound_mail"),
        ("documents", "0003_delivery_rules_deliveries_print_batches"),
    ]
    operations = [migrations.RunPython(seed_types, migrations.RunPython.noop)]
