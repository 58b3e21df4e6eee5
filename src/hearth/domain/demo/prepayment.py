"""The demo's prepayment flat (T&C 9.5, 10.1.1): Taylor Quinn, Flat 2, 18 Castle Hill, Reading; electricity
7000000071 through a smart meter in prepayment mode since the first of the demo's month.

Taylor chose prepayment to clear £180 of arrears moved from the account, recovered at 20 % of each top-up and at
most £10 a week. Each day so far has its half-hourly data (about 8 kWh), so the daily job
``prepayment.daily_charges`` takes each day's standing charge and energy from the credit when ``hearth run_daily``
runs. On the first day Taylor used emergency credit, then topped up every few days, by phone and at PayPoint;
the portal's Prepayment page (``/services/prepayment/``) shows the credit, the debt still owed and the references.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from hearth.common import calendar
from hearth.data.accounts.models import Customer, Fuel, Nation
from hearth.data.contracts.models import Contract
from hearth.data.identity.models import AccountLink
from hearth.data.metering.models import IntervalConsumption, Meter, ReadingSource, Register
from hearth.data.payments.models import PaymentArrangement
from hearth.data.prepayment.models import MeterDebt, Prepayment, Vend
from hearth.data.tariffs.models import Tariff
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.demo import supplier
from hearth.domain.payments import arrangements as payment_arrangements
from hearth.domain.prepayment import operations as prepayment_ops
from hearth.domain.prepayment import top_ups
from hearth.domain.tariffs import contracts as contract_states

EMAIL: Final = "taylor.quinn@example.com"
ACCOUNT_NUMBER: Final = "7000000071"
MPAN: Final = "2000000071016"
"""Southern Electric's distributor (20: region H, as Reading), with a good check digit."""
METER_SERIAL: Final = "PP26S00071"
ARREARS: Final = Decimal("180.00")
HALF_HOUR_KWH: Final = (Decimal("0.12"), Decimal("0.18"), Decimal("0.25"))
"""A night, daytime and evening half-hour's use: 8.10 kWh a day."""

TOP_UPS: Final = (
    # days after the start, hours after that day starts, amount, channel, the payment's own reference
    (0, 18, Decimal("20.00"), Vend.Channel.CARE, "CARE-PHONE-0071-1"),
    (3, 12, Decimal("30.00"), Vend.Channel.PAYPOINT, "PAYPOINT-55120071"),
    (5, 19, Decimal("25.00"), Vend.Channel.CARE, "CARE-PHONE-0071-2"),
)


def _half_hour_kwh(index: int) -> Decimal:
    if index < 14:  # midnight to 07:00
        return HALF_HOUR_KWH[0]
    return HALF_HOUR_KWH[2] if 34 <= index < 44 else HALF_HOUR_KWH[1]  # 17:00 to 22:00 is the evening


def _day_of_data(meter: Meter, day: date) -> None:
    starts = calendar.day_starts_at(day)
    whole = int((calendar.day_starts_at(day + timedelta(days=1)) - starts).total_seconds() // 1800)
    IntervalConsumption.objects.bulk_create(
        IntervalConsumption(
            meter=meter,
            interval_start=starts + timedelta(minutes=30 * index),
            interval_minutes=30,
            quantity=_half_hour_kwh(index),
            unit="KWH",
            kwh=_half_hour_kwh(index),
            quality=IntervalConsumption.Quality.ACTUAL,
            source=ReadingSource.SMART,
            received_at=calendar.day_starts_at(day + timedelta(days=1)) + timedelta(hours=1),
        )
        for index in range(whole)
    )


def load_prepayment_flat(*, now: datetime) -> Prepayment:
    """Taylor Quinn's flat, on prepayment from the first of ``now``'s month, with its top-ups and data up to ``now``."""
    today = calendar.local_date(now)
    start = today.replace(day=1)
    started_at = calendar.day_starts_at(start)
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name="Taylor Quinn", contact_email=EMAIL, now=now
    )
    flat = accounts_ops.create_property(
        address_line_1="Flat 2, 18 Castle Hill", town="Reading", postcode="RG1 7SB", nation=Nation.ENGLAND
    )
    account = accounts_ops.open_account(
        customer=customer, fuel=Fuel.ELECTRICITY, billing_property=flat, now=now, number=ACCOUNT_NUMBER
    )
    point = accounts_ops.register_supply_point(
        fuel=Fuel.ELECTRICITY,
        identifier=MPAN,
        supply_property=flat,
        profile_class="01",
        annual_consumption_kwh=Decimal("2950"),
    )
    meter = accounts_ops.install_meter(
        supply_point=point,
        serial_number=METER_SERIAL,
        kind=Meter.Kind.SMART,
        installed_at=started_at - timedelta(days=400),
        registers=[("S", Register.Rate.STANDARD)],
    )
    tariff = Tariff.objects.get(
        product__code=supplier.SVT_PREPAYMENT_CODE, fuel=Fuel.ELECTRICITY, region=supplier.READING
    )
    contract = contract_states.enter_contract(
        account=account,
        product=tariff.product,
        payment_method=PaymentArrangement.Method.PREPAYMENT,
        origin=Contract.Origin.SIGN_UP,
        channel=Contract.Channel.CARE,
        commencement_date=start - timedelta(days=21),
        cooling_off_end_date=start - timedelta(days=7),
        now=started_at - timedelta(days=21),
    )
    contract_states.start_supply(contract=contract, start_date=start, placements=[(point, tariff)], now=now)
    payment_arrangements.set_payment_method(
        account=account,
        method=PaymentArrangement.Method.PREPAYMENT,
        payment_day=None,
        signed_up_date=start - timedelta(days=21),
        balance=Decimal("0.00"),
        actor=None,
        now=started_at,
    )
    prepayment = prepayment_ops.start_prepayment(
        account=account,
        day=start,
        reason=Prepayment.Reason.CHOSEN,
        now=started_at,
        recovery_percent=Decimal("20"),
        recovery_weekly_cap=Decimal("10.00"),
    )
    prepayment_ops.add_meter_debt(
        prepayment=prepayment,
        kind=MeterDebt.Kind.ARREARS,
        amount=ARREARS,
        description="Arrears moved from the account",
        reason="Taylor chose prepayment to clear the arrears from top-ups",
        now=started_at,
    )
    top_ups.take_emergency_credit(prepayment=prepayment, now=started_at + timedelta(hours=7))
    for after, hour, amount, channel, reference in TOP_UPS:
        paid_at = started_at + timedelta(days=after, hours=hour)
        if paid_at <= now:
            top_ups.top_up(
                prepayment=prepayment, amount=amount, channel=channel, now=paid_at, external_reference=reference
            )
    for day in (start + timedelta(days=n) for n in range((today - start).days)):
        _day_of_data(meter, day)
    supplier._activated_login(email=EMAIL, account=account, role=AccountLink.Role.HOLDER, now=now)
    return prepayment
