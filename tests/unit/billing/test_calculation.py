"""Bill arithmetic checked against an independent, obviously-correct Decimal reference (T&C 8.3, 8.4)."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.domain.billing import calculation as billing

# DOMAIN.md demo prices, VAT included; rates are stored excluding VAT.
ELEC_UNIT_INC_VAT = Decimal("26.11")
ELEC_STANDING_INC_VAT = Decimal("57.19")
ELEC_UNIT = ELEC_UNIT_INC_VAT / Decimal("1.05")
ELEC_STANDING = ELEC_STANDING_INC_VAT / Decimal("1.05")

JULY = date(2026, 7, 1)


def pennies(pounds: Decimal) -> Decimal:
    return pounds.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def period(start: date, days: int, unit: Decimal = ELEC_UNIT, standing: Decimal = ELEC_STANDING) -> billing.RatePeriod:
    return billing.RatePeriod(start, start + timedelta(days=days), unit, standing)


def supply(
    parts: list[tuple[billing.RatePeriod, Decimal]],
    *,
    business: bool = False,
    fuel: billing.Fuel = billing.Fuel.ELECTRICITY,
    daily: Decimal | None = None,
) -> billing.SupplyCharges:
    total_kwh = sum((kwh for _, kwh in parts), Decimal(0))
    days = sum(p.days for p, _ in parts)
    return billing.SupplyCharges(
        fuel=fuel,
        is_business=business,
        periods=tuple(billing.PeriodUsage(p, kwh) for p, kwh in parts),
        daily_average_kwh=total_kwh / days if daily is None else daily,
    )


def of_kind(lines: list[billing.ChargeLine], kind: billing.LineKind) -> list[billing.ChargeLine]:
    return [line for line in lines if line.kind == kind]


def test_a_domestic_month_at_demo_prices_matches_the_reference() -> None:
    lines = billing.charge_lines(supply([(period(JULY, 30), Decimal(250))]))

    energy = pennies(Decimal(250) * ELEC_UNIT_INC_VAT / Decimal("1.05") / 100)
    standing = pennies(Decimal(30) * ELEC_STANDING_INC_VAT / Decimal("1.05") / 100)
    vat = pennies((energy + standing) * Decimal("0.05"))
    assert [line.amount for line in lines] == [energy, standing, vat]
    assert billing.bill_total(lines) == energy + standing + vat == Decimal("82.44")
    # A customer checking with the VAT-inclusive prices gets £82.43; storing exc-VAT rates costs at most pennies.
    inclusive = pennies(Decimal(250) * ELEC_UNIT_INC_VAT / 100 + 30 * ELEC_STANDING_INC_VAT / 100)
    assert abs(billing.bill_total(lines) - inclusive) <= Decimal("0.02")
    assert of_kind(lines, billing.LineKind.LEVY) == []


def test_a_price_change_mid_period_gives_two_energy_and_two_standing_lines() -> None:
    new_unit, new_standing = Decimal("25"), Decimal("50")
    rates = [period(date(2026, 6, 1), 44), period(date(2026, 7, 15), 100, new_unit, new_standing)]
    parts = billing.split_usage(usage=billing.Usage(Decimal(300), 30), start_date=JULY, rate_periods=rates)
    lines = billing.charge_lines(supply([(p.period, p.kwh) for p in parts]))

    energy = of_kind(lines, billing.LineKind.ENERGY)
    standing = of_kind(lines, billing.LineKind.STANDING)
    assert [line.quantity for line in standing] == [Decimal(14), Decimal(16)]
    assert [line.quantity for line in energy] == [Decimal(140), Decimal(160)]
    assert energy[0].amount == pennies(140 * ELEC_UNIT / 100)
    assert energy[1].amount == pennies(160 * new_unit / 100)
    assert standing[1].amount == pennies(16 * new_standing / 100)


def test_a_gap_in_prices_is_refused_with_the_dates() -> None:
    with pytest.raises(billing.BillingCalculationError, match="2026-07-11"):
        billing.split_usage(
            usage=billing.Usage(Decimal(10), 30),
            start_date=JULY,
            rate_periods=[period(JULY, 10), period(JULY + timedelta(days=12), 30)],
        )


@pytest.mark.parametrize(
    ("fuel", "kwh_per_day", "vat_rate"),
    [
        (billing.Fuel.ELECTRICITY, Decimal(34), Decimal("0.20")),
        (billing.Fuel.ELECTRICITY, Decimal(33), Decimal("0.05")),
        (billing.Fuel.GAS, Decimal(146), Decimal("0.20")),
        (billing.Fuel.GAS, Decimal(145), Decimal("0.05")),
    ],
)
def test_business_vat_depends_on_de_minimis_and_ccl_is_always_charged(
    fuel: billing.Fuel, kwh_per_day: Decimal, vat_rate: Decimal
) -> None:
    kwh = kwh_per_day * 30
    lines = billing.charge_lines(supply([(period(JULY, 30), kwh)], business=True, fuel=fuel))

    (levy,) = of_kind(lines, billing.LineKind.LEVY)
    assert levy.amount == pennies(kwh * Decimal("0.00801"))
    assert levy.vat_rate == vat_rate
    (vat,) = of_kind(lines, billing.LineKind.VAT)
    taxed = sum((line.amount for line in lines if line.kind != billing.LineKind.VAT), Decimal(0))
    assert vat.amount == pennies(taxed * vat_rate)


def test_domestic_supplies_never_pay_climate_change_levy_even_with_heavy_use() -> None:
    lines = billing.charge_lines(supply([(period(JULY, 30), Decimal(9000))]))
    assert of_kind(lines, billing.LineKind.LEVY) == []
    assert {line.vat_rate for line in lines if line.kind != billing.LineKind.VAT} == {Decimal("0.05")}


def test_a_missed_appointment_charge_is_billed_at_20_percent_vat_on_its_own_line() -> None:
    missed = billing.additional_charge_line("Missed engineer appointment (T&C 11)", Decimal(70))
    lines = billing.charge_lines(supply([(period(JULY, 30), Decimal(250))]), additional=[missed])

    vat = {line.rate: line.amount for line in of_kind(lines, billing.LineKind.VAT)}
    assert vat[Decimal("0.20")] == Decimal("14.00")
    energy_and_standing = pennies(250 * ELEC_UNIT / 100) + pennies(30 * ELEC_STANDING / 100)
    assert vat[Decimal("0.05")] == pennies(energy_and_standing * Decimal("0.05"))


def test_an_imperial_gas_meter_is_converted_to_cubic_metres_first() -> None:
    conversion = billing.gas_kwh(Decimal(10), Decimal("39.5"), imperial=True)
    assert conversion.volume_m3 == Decimal("28.30")
    # 28.3 m³ x 1.02264 = 28.940712; x 39.5 MJ/m³ = 1143.158124 MJ; / 3.6 MJ/kWh = 317.5439... kWh
    assert conversion.kwh == Decimal("317.544")
    assert (conversion.volume_unit, conversion.correction_factor) == ("hcf", Decimal("1.02264"))


def test_a_metric_gas_meter_shows_each_conversion_step() -> None:
    conversion = billing.gas_kwh(Decimal(100), Decimal("39.5"))
    assert conversion.volume_m3 == Decimal(100)
    assert conversion.calorific_value == Decimal("39.5")
    assert conversion.kwh == Decimal("1122.063")  # 100 x 1.02264 x 39.5 = 4039.428 MJ; / 3.6 = 1122.0633... kWh


def test_business_periods_before_the_levy_rate_held_are_refused() -> None:
    with pytest.raises(billing.BillingCalculationError, match="Climate Change Levy"):
        billing.supply_lines(supply([(period(date(2026, 3, 1), 31), Decimal(100))], business=True))


amounts = st.decimals(min_value=0, max_value=100_000, places=3)
rates = st.decimals(min_value=0, max_value=200, places=4)


@given(
    kwh=amounts,
    days=st.integers(1, 120),
    unit=rates,
    standing=rates,
    business=st.booleans(),
    fuel=st.sampled_from(billing.Fuel),
    extra=st.lists(st.decimals(min_value=0, max_value=500, places=2), max_size=3),
)
def test_lines_always_sum_to_the_total_in_whole_pennies(
    kwh: Decimal,
    days: int,
    unit: Decimal,
    standing: Decimal,
    business: bool,
    fuel: billing.Fuel,
    extra: list[Decimal],
) -> None:
    charges = [billing.additional_charge_line("Charge", amount) for amount in extra]
    lines = billing.charge_lines(
        supply([(period(JULY, days, unit, standing), kwh)], business=business, fuel=fuel), additional=charges
    )
    total = billing.bill_total(lines)

    assert total == sum((line.amount for line in lines), Decimal(0))
    assert all(line.amount == line.amount.quantize(Decimal("0.01")) for line in lines)
    assert total >= 0


@given(kwh=amounts, days=st.integers(2, 120), data=st.data())
def test_splitting_a_period_at_any_day_keeps_the_kwh_and_the_days(kwh: Decimal, days: int, data: st.DataObject) -> None:
    split = data.draw(st.integers(1, days - 1))
    rates = [period(JULY, split), period(JULY + timedelta(days=split), 365, Decimal(20), Decimal(40))]
    parts = billing.split_usage(usage=billing.Usage(kwh, days), start_date=JULY, rate_periods=rates)

    assert sum((p.kwh for p in parts), Decimal(0)) == kwh
    assert [p.period.days for p in parts] == [split, days - split]
    lines = billing.supply_lines(supply([(p.period, p.kwh) for p in parts]))
    assert sum((line.quantity for line in of_kind(lines, billing.LineKind.ENERGY)), Decimal(0)) == kwh
