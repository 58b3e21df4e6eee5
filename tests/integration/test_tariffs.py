"""Products, tariffs and their prices: changes are new rows, and the T&C's notice and fixed-term rules hold."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from hearth.data.accounts.models import Fuel
from hearth.data.tariffs.models import Agreement, PaymentMethod, Product, StandingCharge, Tariff, UnitRate
from hearth.domain.tariffs import operations as tariff_ops
from hearth.domain.tariffs import queries as tariff_queries

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
START = datetime(2026, 6, 30, 23, 0, tzinfo=UTC)  # 1 July 2026, midnight in London


def _product(*, kind: Product.Kind = Product.Kind.VARIABLE, code: str = "HEARTH-VAR-26-07", **extra) -> Product:
    return tariff_ops.create_product(
        code=code,
        full_name=f"Hearth {code}",
        display_name="Hearth Flexible",
        description="Prices follow the market.",
        kind=kind,
        available_from=START - timedelta(days=60),
        **extra,
    )


def _tariff(product: Product, *, standing: str = "54.4667", unit: str = "24.8667") -> Tariff:
    return tariff_ops.create_tariff(
        product=product,
        fuel=Fuel.ELECTRICITY,
        region="A",
        structure=Tariff.Structure.SINGLE_RATE,
        payment_method=PaymentMethod.DIRECT_DEBIT,
        standing_charge_exc_vat=Decimal(standing),
        unit_rates_exc_vat={UnitRate.STANDARD: Decimal(unit)},
        valid_from=START,
    )


def _fixed(**extra) -> Product:
    return _product(
        kind=Product.Kind.FIXED,
        code="HEARTH-FIX-12M-26-07",
        term_months=12,
        exit_fee_electricity=Decimal("75.00"),
        exit_fee_gas=Decimal("75.00"),
        **extra,
    )


def _rows(tariff: Tariff) -> list[tuple[str, Decimal, datetime, datetime | None]]:
    units = [(r.band, r.value_exc_vat, r.valid_from, r.valid_to) for r in UnitRate.objects.filter(tariff=tariff)]
    standing = [("SC", r.value_exc_vat, r.valid_from, r.valid_to) for r in StandingCharge.objects.filter(tariff=tariff)]
    return sorted(units + standing, key=lambda row: (row[0], row[2]))


@pytest.mark.django_db
def test_a_tariff_code_follows_octopus():
    tariff = _tariff(_product())
    assert tariff.code == "E-1R-HEARTH-VAR-26-07-A"


@pytest.mark.django_db
def test_a_price_change_is_a_new_row_and_only_ends_the_old_one():
    tariff = _tariff(_product())
    before = _rows(tariff)
    change_at = NOW + timedelta(days=45)
    tariff_ops.schedule_price_change(
        tariff=tariff, band=UnitRate.STANDARD, value_exc_vat=Decimal("23.5000"), valid_from=change_at, now=NOW
    )
    after = _rows(tariff)
    old = ("STANDARD", Decimal("24.8667"), START, None)
    assert old in before
    expected = [row for row in before if row != old] + [
        ("STANDARD", Decimal("24.8667"), START, change_at),
        ("STANDARD", Decimal("23.5000"), change_at, None),
    ]
    assert after == sorted(expected, key=lambda row: (row[0], row[2]))
    in_force = tariff_queries.rates_at(tariff=tariff, at=change_at - timedelta(seconds=1))
    assert in_force.unit_rates[UnitRate.STANDARD].value_exc_vat == Decimal("24.8667")
    assert tariff_queries.rates_at(tariff=tariff, at=change_at).unit_rates[UnitRate.STANDARD].value_exc_vat == Decimal(
        "23.5000"
    )


@pytest.mark.django_db
def test_a_standing_charge_change_is_a_new_row_too():
    tariff = _tariff(_product())
    tariff_ops.schedule_price_change(
        tariff=tariff, band=None, value_exc_vat=Decimal("50"), valid_from=NOW + timedelta(days=31), now=NOW
    )
    history = tariff_queries.rate_history(tariff=tariff, band=None)
    assert [row.value_exc_vat for row in history.results] == [Decimal("50"), Decimal("54.4667")]


@pytest.mark.django_db
def test_a_variable_tariff_needs_30_days_notice_of_a_price_change():
    tariff = _tariff(_product())
    before = _rows(tariff)
    with pytest.raises(tariff_ops.TariffRefused, match="30 days' notice"):
        tariff_ops.schedule_price_change(
            tariff=tariff,
            band=UnitRate.STANDARD,
            value_exc_vat=Decimal("20"),
            valid_from=NOW + timedelta(days=30) - timedelta(minutes=1),
            now=NOW,
        )
    assert _rows(tariff) == before
    tariff_ops.schedule_price_change(
        tariff=tariff, band=UnitRate.STANDARD, value_exc_vat=Decimal("20"), valid_from=NOW + timedelta(days=30), now=NOW
    )


@pytest.mark.django_db
def test_a_fixed_tariff_refuses_an_increase_during_its_term(build, household):
    tariff = _tariff(_fixed())
    tariff_ops.place_on_tariff(supply_point=household.electricity_meter.supply_point, tariff=tariff, valid_from=START)
    before = _rows(tariff)
    with pytest.raises(tariff_ops.TariffRefused, match="fixed term"):
        tariff_ops.schedule_price_change(
            tariff=tariff,
            band=UnitRate.STANDARD,
            value_exc_vat=Decimal("24.8668"),
            valid_from=START + timedelta(days=100),
            now=NOW,
        )
    assert _rows(tariff) == before
    # A decrease is allowed, at once (the notice rule is for variable tariffs).
    tariff_ops.schedule_price_change(
        tariff=tariff,
        band=UnitRate.STANDARD,
        value_exc_vat=Decimal("22"),
        valid_from=START + timedelta(days=1),
        now=NOW,
    )


@pytest.mark.django_db
def test_a_fixed_until_date_refuses_increases_before_that_day():
    tariff = _tariff(_product(kind=Product.Kind.FIXED, code="HEARTH-FIX-2027", fixed_until_date=date(2027, 7, 1)))
    with pytest.raises(tariff_ops.TariffRefused, match="fixed term"):
        tariff_ops.schedule_price_change(
            tariff=tariff, band=None, value_exc_vat=Decimal("60"), valid_from=datetime(2027, 6, 30, tzinfo=UTC), now=NOW
        )
    tariff_ops.schedule_price_change(
        tariff=tariff, band=None, value_exc_vat=Decimal("60"), valid_from=datetime(2027, 7, 1, 1, tzinfo=UTC), now=NOW
    )


@pytest.mark.django_db
def test_overlapping_agreements_for_one_supply_point_are_refused(build, household):
    tariff = _tariff(_product())
    supply_point = household.electricity_meter.supply_point
    tariff_ops.place_on_tariff(
        supply_point=supply_point, tariff=tariff, valid_from=START, valid_to=START + timedelta(days=30)
    )
    with pytest.raises(tariff_ops.TariffRefused, match="already on E-1R-HEARTH-VAR-26-07-A"):
        tariff_ops.place_on_tariff(supply_point=supply_point, tariff=tariff, valid_from=START + timedelta(days=29))
    with pytest.raises(tariff_ops.TariffRefused, match="already on"):
        tariff_ops.place_on_tariff(
            supply_point=supply_point,
            tariff=tariff,
            valid_from=START - timedelta(days=1),
            valid_to=START + timedelta(hours=1),
        )
    # Half-open: the next agreement may start the moment the first ends.
    tariff_ops.place_on_tariff(supply_point=supply_point, tariff=tariff, valid_from=START + timedelta(days=30))
    assert Agreement.objects.filter(supply_point=supply_point).count() == 2


@pytest.mark.django_db
def test_a_gas_supply_point_cannot_go_on_an_electricity_tariff(build, household):
    tariff = _tariff(_product())
    with pytest.raises(tariff_ops.TariffRefused, match="is for Electricity"):
        tariff_ops.place_on_tariff(supply_point=household.gas_meter.supply_point, tariff=tariff, valid_from=START)


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_rate_row_for_a_band():
    tariff = _tariff(_product())
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitRate.objects.create(
            tariff=tariff, band=UnitRate.STANDARD, value_exc_vat=Decimal("1"), valid_from=START + timedelta(days=1)
        )


@pytest.mark.django_db
def test_the_database_refuses_a_rate_that_ends_before_it_starts():
    tariff = _tariff(_product())
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitRate.objects.create(
            tariff=tariff, band="PEAK", value_exc_vat=Decimal("1"), valid_from=START, valid_to=START
        )


@pytest.mark.django_db
def test_a_variable_product_has_no_exit_fee():
    with pytest.raises(tariff_ops.TariffRefused, match="no fixed term and no exit fee"):
        _product(exit_fee_electricity=Decimal("75"))


@pytest.mark.django_db
def test_economy_7_has_day_and_night_rates_and_a_night_window():
    product = _product()
    with pytest.raises(tariff_ops.TariffRefused, match="night window"):
        tariff_ops.create_tariff(
            product=product,
            fuel=Fuel.ELECTRICITY,
            region="C",
            structure=Tariff.Structure.TWO_RATE,
            payment_method=PaymentMethod.DIRECT_DEBIT,
            standing_charge_exc_vat=Decimal("50"),
            unit_rates_exc_vat={UnitRate.DAY: Decimal("30"), UnitRate.NIGHT: Decimal("15")},
            valid_from=START,
        )
    tariff = tariff_ops.create_tariff(
        product=product,
        fuel=Fuel.ELECTRICITY,
        region="C",
        structure=Tariff.Structure.TWO_RATE,
        payment_method=PaymentMethod.DIRECT_DEBIT,
        standing_charge_exc_vat=Decimal("50"),
        unit_rates_exc_vat={UnitRate.DAY: Decimal("30"), UnitRate.NIGHT: Decimal("15")},
        valid_from=START,
        night_starts_at=time(0, 30),
        night_ends_at=time(7, 30),
    )
    assert tariff.code == "E-2R-HEARTH-VAR-26-07-C"
    assert set(tariff_queries.rates_at(tariff=tariff, at=START).unit_rates) == {"DAY", "NIGHT"}


@pytest.mark.parametrize(
    ("exc", "inc"),
    [("24.8667", "26.1100"), ("54.4667", "57.1900"), ("0.0001", "0.0001"), ("10.00005", "10.5001"), ("0", "0")],
)
def test_domestic_vat_is_five_percent_rounded_half_up_to_4_places(exc, inc):
    # 0.0001 x 1.05 = 0.000105 -> 0.0001; 10.00005 x 1.05 = 10.5000525 -> 10.5001
    assert tariff_queries.inc_vat(Decimal(exc), Decimal("0.05")) == Decimal(inc)


def test_the_demo_prices_stored_excluding_vat_show_the_published_inclusive_prices():
    for published in ("26.11", "57.19", "7.33", "29.04"):
        stored = tariff_queries.exc_vat(Decimal(published), Decimal("0.05"))
        assert stored == (Decimal(published) / Decimal("1.05")).quantize(Decimal("0.0001"))
        assert tariff_queries.inc_vat(stored, Decimal("0.05")).quantize(Decimal("0.01")) == Decimal(published)


@pytest.mark.django_db
def test_price_rows_read_every_tariffs_unit_rates_and_standing_charges_in_one_query():
    """The rows the consumption costs and the dashboard's months price with: each tariff's unit rates and standing
    charges as stored, from one query however many tariffs, and only those in force inside the period asked for."""
    first = _tariff(_product(code="HEARTH-VAR-A"))
    change_at = NOW + timedelta(days=40)
    tariff_ops.schedule_price_change(
        tariff=first, band=UnitRate.STANDARD, value_exc_vat=Decimal("23.5000"), valid_from=change_at, now=NOW
    )
    with CaptureQueriesContext(connection) as one_tariff:
        tariff_queries.price_rows(tariff_ids=[first.pk])
    tariffs = [first, *(_tariff(_product(code=f"HEARTH-VAR-{n}"), unit=f"2{n}.5000") for n in range(3))]
    with CaptureQueriesContext(connection) as four_tariffs:
        rows = tariff_queries.price_rows(tariff_ids=[tariff.pk for tariff in tariffs])

    assert len(one_tariff) == len(four_tariffs) == 1
    stored = {
        ("SC" if row.band is None else row.band, row.tariff_id, row.value_exc_vat, row.valid_from, row.valid_to)
        for row in rows
    }
    assert stored == {
        (band, tariff.pk, value, valid_from, valid_to)
        for tariff in tariffs
        for band, value, valid_from, valid_to in _rows(tariff)
    }
    assert [(row.valid_from, row.pk) for row in rows if row.band is None] == sorted(
        (row.valid_from, row.pk) for row in rows if row.band is None
    )
    after_change = Q(valid_to__isnull=True) | Q(valid_to__gt=change_at)
    later = tariff_queries.price_rows(tariff_ids=[first.pk], when=after_change)
    assert [(row.band, row.value_exc_vat) for row in later] == [
        (None, Decimal("54.4667")),
        ("STANDARD", Decimal("23.5000")),
    ]
