"""What the renewal, rollover, price change and move tests share: a household on a fixed contract ending on a chosen
day, the Standard Variable Tariff it would roll onto, and a fixed product to renew onto. Everything is in region C,
single rate, electricity, paid on receipt of bills (standard credit), with known prices."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count

from hearth.data.accounts.models import Account, Fuel
from hearth.data.contracts.models import Contract
from hearth.data.metering.models import Meter
from hearth.data.scheduling.models import JobRun
from hearth.data.tariffs.models import MeterKind, PaymentMethod, Product, Tariff, UnitRate
from hearth.domain.scheduling import jobs as scheduling_jobs
from hearth.domain.scheduling import operations as scheduling_ops
from hearth.domain.tariffs import contracts
from hearth.domain.tariffs import operations as tariff_ops
from tests.integration.conftest import Builder
from tests.integration.payments.account_support import PRICES_FROM, midnight, supplied_account, supply_point_of

_serials = count(1)
CREDIT = (PaymentMethod.STANDARD_CREDIT,)


def product_tariff(
    *,
    kind: Product.Kind,
    standard_variable: bool = False,
    pence_per_kwh: str = "25",
    pence_per_day: str = "50",
    meter_kinds: tuple[str, ...] = (),
    exit_fee: str = "0",
) -> Tariff:
    """A product on sale since :data:`PRICES_FROM` with one tariff in region C, paid by standard credit."""
    serial = next(_serials)
    product = tariff_ops.create_product(
        code=f"REN-TEST-{serial}",
        full_name=f"Renewal Test {serial}",
        display_name="Hearth Standard Variable" if standard_variable else f"Hearth Fixed {serial}",
        description="For the renewal tests.",
        kind=kind,
        is_standard_variable=standard_variable,
        available_from=midnight(PRICES_FROM),
        payment_methods=CREDIT,
        meter_kinds=meter_kinds,
        term_months=12 if kind == Product.Kind.FIXED else None,
        exit_fee_electricity=Decimal(exit_fee),
    )
    return tariff_ops.create_tariff(
        product=product,
        fuel=Fuel.ELECTRICITY,
        region="C",
        structure=Tariff.Structure.SINGLE_RATE,
        payment_method=PaymentMethod.STANDARD_CREDIT,
        standing_charge_exc_vat=Decimal(pence_per_day),
        unit_rates_exc_vat={UnitRate.STANDARD: Decimal(pence_per_kwh)},
        valid_from=midnight(PRICES_FROM),
    )


def standard_variable() -> Tariff:
    return product_tariff(
        kind=Product.Kind.VARIABLE,
        standard_variable=True,
        pence_per_kwh="30",
        pence_per_day="60",
        meter_kinds=(MeterKind.CREDIT, MeterKind.SMART),
    )


def on_fixed_contract(
    fixed: Tariff, *, last_fixed_day: date, by_email: bool, meter: Meter.Kind = Meter.Kind.CREDIT, email: str = ""
) -> Contract:
    """A household supplied under a live contract on ``fixed`` (a 12-month product) whose last fixed day is
    ``last_fixed_day``: supply started the day after the same date a year before."""
    account = supplied_account(None, meter=meter)
    if by_email:
        Builder().activated_login(email or f"renewer{account.number}@example.com", account)
    start = last_fixed_day.replace(year=last_fixed_day.year - 1) + timedelta(days=1)
    contract = contracts.enter_contract(
        account=account,
        product=fixed.product,
        payment_method="STANDARD_CREDIT",
        origin=Contract.Origin.SIGN_UP,
        commencement_date=start - timedelta(days=20),
        cooling_off_end_date=start - timedelta(days=6),
        now=midnight(start - timedelta(days=20)),
    )
    started = contracts.start_supply(
        contract=contract, start_date=start, placements=[(supply_point_of(account), fixed)], now=midnight(start)
    )
    assert started.fixed_term_end_date == last_fixed_day
    return started


def account_of(contract: Contract) -> Account:
    return contract.account


def run_job(job: scheduling_jobs.DailyJob, day: date, now: datetime) -> JobRun:
    return scheduling_ops.run_job(job=job, day=day, now=now, started_by="test", clock=lambda: now)
