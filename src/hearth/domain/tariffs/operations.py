"""Creating products and tariffs, changing prices, and placing supply points on tariffs.

Prices are never overwritten: a change is a new rate row from a date, and the row it replaces gets its
``valid_to`` set to that moment (the only update a rate row ever gets). The T&C rules enforced here:

- 4.3: a variable tariff's prices change only with at least 30 days' notice;
- 4.2.1: a fixed tariff's prices do not go up while any customer on it is in their fixed term.
"""

import calendar
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Final, TypeVar

from django.db import transaction

from hearth.data.accounts.models import Fuel, SupplyPoint
from hearth.data.identity.models import User
from hearth.data.tariffs.models import REGIONS, Agreement, PaymentMethod, Product, StandingCharge, Tariff, UnitRate
from hearth.domain.audit import operations as audit

NOTICE: Final = timedelta(days=30)

Day = TypeVar("Day", date, datetime)

_CODE_PREFIX: Final = {
    (Fuel.ELECTRICITY, Tariff.Structure.SINGLE_RATE): "E-1R",
    (Fuel.ELECTRICITY, Tariff.Structure.TWO_RATE): "E-2R",
    (Fuel.ELECTRICITY, Tariff.Structure.TIME_OF_USE): "E-TOU",
    (Fuel.ELECTRICITY, Tariff.Structure.HALF_HOURLY): "E-HH",
    (Fuel.GAS, Tariff.Structure.SINGLE_RATE): "G-1R",
}


class TariffRefused(Exception):
    """A product, tariff, price change or agreement that the rules do not allow; the message says why."""


def create_product(
    *,
    code: str,
    full_name: str,
    display_name: str,
    description: str,
    kind: Product.Kind,
    available_from: datetime,
    available_to: datetime | None = None,
    is_standard_variable: bool = False,
    term_months: int | None = None,
    fixed_until_date: date | None = None,
    payment_methods: tuple[PaymentMethod, ...] = tuple(PaymentMethod),
    meter_kinds: tuple[str, ...] = (),
    exit_fee_electricity: Decimal = Decimal(0),
    exit_fee_gas: Decimal = Decimal(0),
    missed_payment_fee: Decimal = Decimal(0),
    is_business: bool = False,
    actor: User | None = None,
    now: datetime | None = None,
) -> Product:
    """A new product (price plan); recorded in the audit trail as done by ``actor`` at ``now`` when ``now`` is given.

    :raises TariffRefused: a code already used, a fixed product without a term, a variable one with a term or an
        exit fee, or a Standard Variable Tariff that is not variable.
    """
    if Product.objects.filter(code=code).exists():
        raise TariffRefused(f"code: a product {code} already exists.")
    if kind == Product.Kind.FIXED and term_months is None and fixed_until_date is None:
        raise TariffRefused("term_months: a fixed product needs a term in months or a date it is fixed until.")
    if kind == Product.Kind.VARIABLE and (term_months or fixed_until_date or exit_fee_electricity or exit_fee_gas):
        raise TariffRefused("kind: a variable product has no fixed term and no exit fee.")
    if is_standard_variable and kind != Product.Kind.VARIABLE:
        raise TariffRefused("is_standard_variable: the Standard Variable Tariff is a variable product (T&C 4.7).")
    if missed_payment_fee < 0:
        raise TariffRefused("missed_payment_fee: a fee for a missed Direct Debit cannot be negative.")
    product = Product.objects.create(
        code=code,
        full_name=full_name,
        display_name=display_name,
        description=description,
        kind=kind,
        available_from=available_from,
        available_to=available_to,
        is_standard_variable=is_standard_variable,
        term_months=term_months,
        fixed_until_date=fixed_until_date,
        payment_methods=[str(method) for method in payment_methods],
        meter_kinds=[str(kind_) for kind_ in meter_kinds],
        exit_fee_electricity=exit_fee_electricity,
        exit_fee_gas=exit_fee_gas,
        missed_payment_fee=missed_payment_fee,
        is_business=is_business,
    )
    if now is not None:
        audit.record(
            actor=actor,
            action="tariffs.product_created",
            subject=f"product {product.code}",
            at=now,
            after={"code": product.code, "kind": str(kind), "full_name": full_name},
        )
    return product


def tariff_code(*, product: Product, fuel: Fuel, structure: Tariff.Structure, region: str) -> str:
    """The Octopus-style code, e.g. ``E-1R-HEARTH-VAR-26-11-A``."""
    return f"{_CODE_PREFIX[(fuel, structure)]}-{product.code}-{region}"


@transaction.atomic
def create_tariff(
    *,
    product: Product,
    fuel: Fuel,
    region: str,
    structure: Tariff.Structure,
    payment_method: PaymentMethod,
    standing_charge_exc_vat: Decimal,
    unit_rates_exc_vat: Mapping[str, Decimal],
    valid_from: datetime,
    night_starts_at: time | None = None,
    night_ends_at: time | None = None,
    actor: User | None = None,
    now: datetime | None = None,
) -> Tariff:
    """A tariff of ``product`` with its first standing charge and unit rates (pence, excluding VAT) from ``valid_from``.

    Recorded in the audit trail as done by ``actor`` at ``now`` when ``now`` is given.

    :raises TariffRefused: a payment method the product does not allow, a structure the fuel cannot have, bands that
        do not fit the structure, or a second tariff of the same kind.
    """
    if str(payment_method) not in product.payment_methods:
        raise TariffRefused(f"payment_method: {product.code} does not allow {PaymentMethod(payment_method).label}.")
    if region not in REGIONS:
        raise TariffRefused(f"region: {region!r} is not a region letter ({', '.join(REGIONS)}).")
    if (fuel, structure) not in _CODE_PREFIX:
        raise TariffRefused(f"structure: {Fuel(fuel).label} tariffs cannot be {Tariff.Structure(structure).label}.")
    expected = {
        Tariff.Structure.SINGLE_RATE: {UnitRate.STANDARD},
        Tariff.Structure.TWO_RATE: {UnitRate.DAY, UnitRate.NIGHT},
    }.get(structure)
    if expected is not None and set(unit_rates_exc_vat) != expected:
        raise TariffRefused(f"unit_rates: a {Tariff.Structure(structure).label} tariff has bands {sorted(expected)}.")
    if (structure == Tariff.Structure.TWO_RATE) != (night_starts_at is not None and night_ends_at is not None):
        raise TariffRefused("night_starts_at: a two-rate tariff (and only one) has a night window.")
    code = tariff_code(product=product, fuel=fuel, structure=structure, region=region)
    if payment_method != PaymentMethod.DIRECT_DEBIT:
        code = f"{code}-{payment_method}"
    if (
        Tariff.objects.filter(code=code).exists()
        or product.tariffs.filter(fuel=fuel, region=region, structure=structure, payment_method=payment_method).exists()
    ):
        raise TariffRefused(f"code: {product.code} already has a tariff {code} for this payment method.")
    tariff = Tariff.objects.create(
        product=product,
        fuel=fuel,
        region=region,
        code=code,
        structure=structure,
        payment_method=payment_method,
        night_starts_at=night_starts_at,
        night_ends_at=night_ends_at,
    )
    StandingCharge.objects.create(tariff=tariff, value_exc_vat=standing_charge_exc_vat, valid_from=valid_from)
    for band, value in unit_rates_exc_vat.items():
        UnitRate.objects.create(tariff=tariff, band=band, value_exc_vat=value, valid_from=valid_from)
    if now is not None:
        audit.record(
            actor=actor,
            action="tariffs.tariff_created",
            subject=f"tariff {tariff.code}",
            at=now,
            after={
                "standing_charge_exc_vat": str(standing_charge_exc_vat),
                "unit_rates_exc_vat": {band: str(value) for band, value in unit_rates_exc_vat.items()},
                "valid_from": valid_from.isoformat(),
            },
        )
    return tariff


def add_months(at: Day, months: int) -> Day:
    """The same day ``months`` later (a date or a datetime), or the month's last day where it is shorter."""
    month_index = at.month - 1 + months
    year, month = at.year + month_index // 12, month_index % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


def _in_fixed_term(*, tariff: Tariff, at: datetime) -> bool:
    """Whether any customer on ``tariff`` is still in their fixed term at ``at``."""
    product = tariff.product
    if product.fixed_until_date is not None and at.date() < product.fixed_until_date:
        return True
    if product.term_months is None:
        return False
    return (
        any(
            add_months(agreement.valid_from, product.term_months) > at
            for agreement in tariff.agreements.filter(valid_from__lte=at)
        )
        or tariff.agreements.filter(valid_from__gt=at).exists()
    )


@transaction.atomic
def schedule_price_change(
    *,
    tariff: Tariff,
    band: str | None,
    value_exc_vat: Decimal,
    valid_from: datetime,
    now: datetime,
    actor: User | None = None,
) -> StandingCharge | UnitRate:
    """A new price for one band of ``tariff`` (None: the standing charge), in pence excluding VAT, from ``valid_from``.

    The row in force until then gets ``valid_to = valid_from``; nothing else changes. Recorded in the audit trail.

    :raises TariffRefused: less than 30 days' notice on a variable tariff (T&C 4.3), an increase on a fixed tariff
        while a customer is in their fixed term (T&C 4.2.1), a band the tariff does not have, or a change that does
        not come after the current price's start.
    """
    what = "standing charge" if band is None else f"{band} unit rate"
    rows = (
        StandingCharge.objects.filter(tariff=tariff)
        if band is None
        else UnitRate.objects.filter(tariff=tariff, band=band)
    )
    current = rows.select_for_update().filter(valid_to__isnull=True).first()
    if current is None:
        raise TariffRefused(f"band: {tariff.code} has no current {what} to change.")
    if valid_from <= current.valid_from:
        raise TariffRefused(
            f"valid_from: the new {what} must start after the current one ({current.valid_from.isoformat()})."
        )
    product = tariff.product
    if product.kind == Product.Kind.VARIABLE and valid_from < now + NOTICE:
        raise TariffRefused(
            f"valid_from: a variable tariff's prices change only with at least 30 days' notice (T&C 4.3); the "
            f"earliest date now is {(now + NOTICE).isoformat()}."
        )
    if (
        product.kind == Product.Kind.FIXED
        and value_exc_vat > current.value_exc_vat
        and _in_fixed_term(tariff=tariff, at=valid_from)
    ):
        raise TariffRefused(
            f"value_exc_vat: a fixed tariff's prices cannot go up during the fixed term (T&C 4.2.1); the {what} is "
            f"{current.value_exc_vat}p."
        )
    rows.filter(pk=current.pk).update(valid_to=valid_from)
    audit.record(
        actor=actor,
        action="tariffs.price_change_scheduled",
        subject=f"tariff {tariff.code} {what}",
        at=now,
        before={"value_exc_vat": str(current.value_exc_vat), "valid_from": current.valid_from.isoformat()},
        after={"value_exc_vat": str(value_exc_vat), "valid_from": valid_from.isoformat()},
    )
    if isinstance(current, UnitRate):
        return UnitRate.objects.create(
            tariff=tariff,
            band=current.band,
            band_starts_at=current.band_starts_at,
            band_ends_at=current.band_ends_at,
            value_exc_vat=value_exc_vat,
            valid_from=valid_from,
        )
    return StandingCharge.objects.create(tariff=tariff, value_exc_vat=value_exc_vat, valid_from=valid_from)


@transaction.atomic
def place_on_tariff(
    *, supply_point: SupplyPoint, tariff: Tariff, valid_from: datetime, valid_to: datetime | None = None
) -> Agreement:
    """An agreement putting ``supply_point`` on ``tariff`` over ``[valid_from, valid_to)``.

    :raises TariffRefused: a tariff for the other fuel, an empty period, or a period overlapping another agreement
        of the supply point (checked here rather than by an exclusion constraint, which SQLite does not have).
    """
    if supply_point.fuel != tariff.fuel:
        raise TariffRefused(f"tariff: {tariff.code} is for {Fuel(tariff.fuel).label}, {supply_point} is not.")
    if valid_to is not None and valid_to <= valid_from:
        raise TariffRefused("valid_to: must be after valid_from.")
    SupplyPoint.objects.select_for_update().filter(pk=supply_point.pk).first()  # one placement at a time
    overlapping = supply_point.agreements.filter(valid_to__isnull=True) | supply_point.agreements.filter(
        valid_to__gt=valid_from
    )
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lt=valid_to)
    clash = overlapping.order_by("valid_from").first()
    if clash is not None:
        raise TariffRefused(
            f"valid_from: {supply_point} is already on {clash.tariff.code} from {clash.valid_from.isoformat()}"
            + (f" to {clash.valid_to.isoformat()}." if clash.valid_to else " with no end.")
        )
    return Agreement.objects.create(supply_point=supply_point, tariff=tariff, valid_from=valid_from, valid_to=valid_to)


@transaction.atomic
def end_agreement(*, agreement: Agreement, ends_at: datetime) -> Agreement:
    """End ``agreement`` at ``ends_at`` (its period becomes ``[valid_from, ends_at)``), so another can follow it.

    :raises TariffRefused: ``ends_at`` not after the agreement's start, or later than the end it already has.
    """
    if ends_at <= agreement.valid_from:
        raise TariffRefused(f"valid_to: {agreement} cannot end before it starts.")
    if agreement.valid_to is not None and ends_at > agreement.valid_to:
        raise TariffRefused(f"valid_to: {agreement} already ends at {agreement.valid_to.isoformat()}.")
    agreement.valid_to = ends_at
    agreement.save(update_fields=["valid_to"])
    return agreement
