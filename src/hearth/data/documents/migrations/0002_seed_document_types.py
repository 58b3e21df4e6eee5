"""The document types Hearth issues today; later areas add theirs in their own migrations."""

from django.db import migrations

TYPES = [
    # code, name, plural, must be delivered, position
    ("INVOICE", "Invoice", "Invoices", False, 10),
    ("CREDIT_NOTE", "Credit note", "Credit notes", False, 20),
    ("STATEMENT", "Statement", "Statements", False, 30),
    ("LETTER", "Letter", "Letters", False, 40),
    ("NOTICE", "Notice", "Notices", True, 50),
]


def seed(apps, schema_editor):
    document_type = apps.get_model("documents", "DocumentType")
    for code, name, plural, must, position in TYPES:
        document_type.objects.update_or_create(
            code=code,
            defaults={"name": name, "plural_name": plural, "must_be_delivered": must, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_document_types_and_documents")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
