"""Tariff moves: an account moved to the Standard Variable Tariff for not paying as its tariff requires (T&C 9.2)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("documents", "0003_delivery_rules_deliveries_print_batches"),
        ("payments", "0003_h3_checkout_session"),
        ("tariffs", "0002_product_missed_payment_fee"),
    ]

    operations = [
        migrations.CreateModel(
            name="TariffMove",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "reason",
                    models.CharField(
                        choices=[
                            ("WRONG_PAYMENT_METHOD", "Not paying by the tariff's payment method (T&C 9.2, 10.2)"),
                            ("ANNUAL_PAYMENT_MISSED", "Annual payment not made in the cooling-off period (T&C 9.2.1)"),
                        ],
                        max_length=24,
                    ),
                ),
                ("notice_date", models.DateField(help_text="The day the notice was issued")),
                (
                    "effective_date",
                    models.DateField(help_text="42 days after the notice is deemed delivered (T&C 10.2, 22.3)"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("PENDING", "Notice given"), ("DONE", "Moved"), ("CANCELLED", "Not needed any more")],
                        default="PENDING",
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField()),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, help_text="When it was carried out or cancelled", null=True),
                ),
                (
                    "outcome",
                    models.CharField(blank=True, help_text="What was done, or why it was not needed", max_length=300),
                ),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="tariff_moves", to="accounts.account"
                    ),
                ),
                (
                    "notice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="documents.document"
                    ),
                ),
                (
                    "target_tariff",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="tariffs.tariff"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "PENDING")),
                        fields=("account",),
                        name="tariff_move_one_pending_per_account",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("effective_date__gt", models.F("notice_date"))),
                        name="tariff_move_effective_after_notice",
                    ),
                ],
            },
        ),
    ]
