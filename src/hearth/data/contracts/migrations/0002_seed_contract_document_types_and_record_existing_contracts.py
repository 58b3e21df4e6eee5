"""The documents a contract sends, and a contract for every account already supplied when contracts began to be
kept (origin MIGRATED), so every supplied point has a contract behind it from the start (ADR 0013)."""

import calendar
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.db import migrations
from django.utils import timezone

TYPES = [
    # code, name, plural, must be delivered, position
    ("CONTRACT_CONFIRMATION", "Contract confirmation", "Contract confirmations", True, 80),
    ("RENEWAL_STATEMENT", "Statement of Renewal", "Statements of Renewal", True, 90),
    ("PRICE_CHANGE_NOTICE", "Price change notice", "Price change notices", True, 100),
]

LONDON = ZoneInfo("Europe/London")


def _fixed_end(product, start: date) -> date | None:
    """The last day of the fixed prices (as ``tariffs.contracts.fixed_term_end_date`` at the time of writing)."""
    if product.kind != "FIXED":
        return None
    if product.fixed_until_date is not None:
        return product.fixed_until_date - timedelta(days=1)
    index = start.month - 1 + product.term_months
    year, month = start.year + index // 12, index % 12 + 1
    return start.replace(year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1])) - timedelta(
        days=1
    )


def seed_types(apps, schema_editor):
    document_type = apps.get_model("documents", "DocumentType")
    for code, name, plural, must, position in TYPES:
        document_type.objects.update_or_create(
            code=code,
            defaults={"name": name, "plural_name": plural, "must_be_delivered": must, "position": position},
        )


def record_existing(apps, schema_editor):
    supply_model = apps.get_model("accounts", "Supply")
    agreement_model = apps.get_model("tariffs", "Agreement")
    contract_model = apps.get_model("contracts", "Contract")
    event_model = apps.get_model("contracts", "ContractEvent")
    arrangement_model = apps.get_model("payments", "PaymentArrangement")
    now = timezone.now()
    seen: set[int] = set()
    for supply in supply_model.objects.filter(valid_to__isnull=True).order_by("account_id", "valid_from"):
        if supply.account_id in seen:
            continue
        agreement = (
            agreement_model.objects.filter(supply_point_id=supply.supply_point_id, valid_to__isnull=True)
            .select_related("tariff__product")
            .order_by("-valid_from")
            .first()
        )
        if agreement is None:
            continue
        seen.add(supply.account_id)
        product = agreement.tariff.product
        start = agreement.valid_from.astimezone(LONDON).date()
        arrangement = arrangement_model.objects.filter(account_id=supply.account_id).first()
        contract = contract_model.objects.create(
            account_id=supply.account_id,
            product=product,
            payment_method=arrangement.method if arrangement else "STANDARD_CREDIT",
            state="LIVE",
            origin="MIGRATED",
            channel="SYSTEM",
            commencement_date=start,
            cooling_off_end_date=start,
            supply_start_date=start,
            fixed_term_end_date=_fixed_end(product, start),
            created_at=now,
            updated_at=now,
        )
        event_model.objects.create(
            contract=contract,
            kind="recorded",
            summary=f"Recorded from the agreement on {agreement.tariff.code} from {start:%-d %b %Y}",
            at=now,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0001_contracts_events_registrations_notices_moves"),
        ("documents", "0003_delivery_rules_deliveries_print_batches"),
        ("payments", "0004_tariff_moves"),
    ]
    operations = [
        migrations.RunPython(seed_types, migrations.RunPython.noop),
        migrations.RunPython(record_existing, migrations.RunPython.noop),
    ]
