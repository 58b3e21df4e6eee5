"""What a customer or care agent sees of meter work: the account's meters, open cases, visits and the prices."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet

from hearth.data.accounts.models import Account
from hearth.data.meter_services.models import AccuracyTest, Appointment, FaultReport, MeterMove
from hearth.data.metering.models import Meter
from hearth.domain.meter_services import rules

DEFAULT_ACCURACY_TEST_PRICE = "50.00"
"""The price of an accuracy test excluding VAT when ``HEARTH_METER_ACCURACY_TEST_PRICE`` is not set (unconfirmed:
the meter operator's charge passed on; configuration)."""


def accuracy_test_price() -> Decimal:
    """The configured price of an accuracy test, pounds excluding VAT: what the customer is told before asking."""
    return Decimal(getattr(settings, "HEARTH_METER_ACCURACY_TEST_PRICE", DEFAULT_ACCURACY_TEST_PRICE))


@dataclass(frozen=True)
class Price:
    """A price as the customer is shown it: excluding VAT, the VAT and the total."""

    excluding_vat: Decimal
    vat: Decimal
    total: Decimal

    @classmethod
    def of(cls, excluding_vat: Decimal) -> "Price":
        total = rules.with_vat(excluding_vat)
        return cls(excluding_vat=excluding_vat, vat=total - excluding_vat, total=total)


def meters(account: Account) -> QuerySet[Meter]:
    """The meters in place today on the supply points the account is supplied through."""
    return (
        Meter.objects.filter(
            supply_point__supplies__account=account,
            supply_point__supplies__valid_to__isnull=True,
            removed_at__isnull=True,
        )
        .select_related("supply_point")
        .distinct()
        .order_by("id")
    )


def faults(account: Account) -> QuerySet[FaultReport]:
    return FaultReport.objects.filter(account=account).select_related("meter", "charge").order_by("-reported_at", "-id")


def accuracy_tests(account: Account) -> QuerySet[AccuracyTest]:
    return (
        AccuracyTest.objects.filter(account=account).select_related("meter", "charge").order_by("-requested_at", "-id")
    )


def meter_moves(account: Account) -> QuerySet[MeterMove]:
    return MeterMove.objects.filter(account=account).select_related("meter", "charge").order_by("-requested_at", "-id")


def appointments(account: Account) -> QuerySet[Appointment]:
    return Appointment.objects.filter(account=account).order_by("-visit_date", "-id")


def upcoming(account: Account, today: date) -> QuerySet[Appointment]:
    """Booked visits from today on, soonest first."""
    return Appointment.objects.filter(
        account=account, status=Appointment.Status.BOOKED, visit_date__gte=today
    ).order_by("visit_date", "slot", "id")


def awaiting_rebill() -> QuerySet[AccuracyTest]:
    """Meters found inaccurate whose past bills care has still to check (and re-bill where they were wrong)."""
    return (
        AccuracyTest.objects.filter(rebill_required=True, rebill_done_at__isnull=True)
        .select_related("account", "meter")
        .order_by("result_recorded_at", "id")
    )
