"""Bill arithmetic checked against an independent, obviously-correct Decimal reference (T&C 8.3, 8.4, 10.1.8, 11).

The references here never call the code under test: London clock time is worked out from the two 2026 clock-change
instants written by hand, half-hours are walked one by one, and money is rounded with a plain ``quantize``.
"""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
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
GAS_UNIT = Decimal("7.33") / Decimal("1.05")
GAS_STANDING = Decimal("29.04") / Decimal("1.05")

JUNE = date(2026, 6, 1)
JULY = date(2026, 7, 1)
LABEL = "Electricity, MPAN 1200023305967"
PENNY = Decimal("0.01")
HALF_HOUR = timedelta(minutes=30)
E7 = billing.economy_7_bands(night_starts_at=time(0, 30), night_ends_at=time(7, 30))

# 2026 clock changes, by hand: BST from 01:00 UTC on Sunday 29 March to 01:00 UTC on Sunday 25 October.
BST_STARTS = datetime(2026, 3, 29, 1, tzinfo=UTC)
BST_ENDS = datetime(2026, 10, 25, 1, tzinfo=UTC)


def pennies(pounds: Decimal) -> Decimal:
    return pounds.quantize(PENNY, rounding=ROUND_HALF_UP)


def london_clock(at: datetime) -> datetime:
    """Naive London wall-clock time of a UTC instant, from the hand-written 2026 clock changes."""
    offset = timedelta(hours=1) if BST_STARTS <= at < BST_ENDS else timedelta(0)
    return (at + offset).replace(tzinfo=None)


def half_hours(first: datetime, end: datetime) -> list[datetime]:
    starts = []
    at = first
    while at < end:
        starts.append(at)
        at += HALF_HOUR
    return starts


# Bill periods of three local days around each clock change, as UTC instants worked out by hand.
MARCH_DAYS = (date(2026, 3, 28), date(2026, 3, 31))
MARCH_UTC = (datetime(2026, 3, 28, 0, tzinfo=UTC), datetime(2026, 3, 30, 23, tzinfo=UTC))  # GMT, then BST
OCTOBER_DAYS = (date(2026, 10, 24), date(2026, 10, 27))
OCTOBER_UTC = (datetime(2026, 10, 23, 23, tzinfo=UTC), datetime(2026, 10, 27, 0, tzinfo=UTC))  # BST, then GMT


def kwh_of(index: int) -> Decimal:
    return Decimal("0.085") + (index % 7) * Decimal("0.0213")


def price_of(index: int) -> Decimal:
    """A different price most half-hours, pence per kWh excluding VAT (some very low, as on dynamic tariffs)."""
    return Decimal("-2.5") + (index % 11) * Decimal("3.1733")


def span(start: date, days: int, pence: Decimal, rate_id: int | None = None) -> billing.RateSpan:
    return billing.RateSpan(start, start + timedelta(days=days), pence, rate_id)


def simple_supply(
    kwh: Decimal,
    start: date,
    days: int,
    unit: Decimal = ELEC_UNIT,
    standing: Decimal = ELEC_STANDING,
    *,
    business: bool = False,
    fuel: billing.Fuel = billing.Fuel.ELECTRICITY,
    daily: Decimal | None = None,
) -> billing.SupplyCharges:
    end = start + timedelta(days=days)
    return billing.SupplyCharges(
        fuel=fuel,
        is_business=business,
        label=LABEL,
        energy=(billing.EnergyCharge("STANDARD", start, end, kwh, unit, {"unit_rate": 1}),),
        standing=(billing.StandingDays(start, end, standing, {"standing_charge": 2}),),
        daily_average_kwh=kwh / days if daily is None else daily,
    )


def of_kind(lines: list[billing.ChargeLine], kind: billing.LineKind) -> list[billing.ChargeLine]:
    return [line for line in lines if line.kind == kind]


def test_a_domestic_month_at_demo_prices_matches_the_reference() -> None:
    lines = billing.bill_lines([simple_supply(Decimal(250), JULY, 30)])

    energy = pennies(Decimal(250) * ELEC_UNIT_INC_VAT / Decimal("1.05") / 100)
    standing = pennies(Decimal(30) * ELEC_STANDING_INC_VAT / Decimal("1.05") / 100)
    vat = pennies((energy + standing) * Decimal("0.05"))
    assert [line.amount for line in lines] == [energy, standing, vat]
    assert billing.bill_total(lines) == energy + standing + vat == Decimal("82.44")
    # A customer checking with the VAT-inclusive prices gets £82.43; storing exc-VAT rates costs at most pennies.
    inclusive = pennies(Decimal(250) * ELEC_UNIT_INC_VAT / 100 + 30 * ELEC_STANDING_INC_VAT / 100)
    assert abs(billing.bill_total(lines) - inclusive) <= Decimal("0.02")
    assert of_kind(lines, billing.LineKind.LEVY) == []


def test_descriptions_print_the_last_day_included_and_name_the_supply() -> None:
    lines = billing.bill_lines([simple_supply(Decimal(250), date(2026, 6, 1), 30)])

    assert [line.description for line in lines] == [
        "Electricity used, 1 Jun 2026 to 30 Jun 2026",
        "Electricity standing charge, 1 Jun 2026 to 30 Jun 2026",
        "VAT at 5%",
    ]
    assert [line.supply_label for line in lines] == [LABEL, LABEL, ""]
    assert lines[0].sources == {"unit_rate": 1}
    assert lines[2].sources == {"lines": [1, 2]}
    assert billing.printed_dates(date(2026, 6, 1), date(2026, 6, 2)) == "1 Jun 2026"


def test_a_price_change_mid_period_splits_energy_and_standing_by_days() -> None:
    new_unit, new_standing = Decimal("25"), Decimal("50")
    unit_rates = [span(date(2026, 6, 1), 44, ELEC_UNIT, 1), span(date(2026, 7, 15), 100, new_unit, 2)]
    standing_rates = [span(date(2026, 6, 1), 44, ELEC_STANDING, 11), span(date(2026, 7, 15), 100, new_standing, 12)]
    end = date(2026, 7, 31)

    energy = billing.split_by_rates(
        kwh=Decimal(300), start_date=JULY, end_date=end, band="STANDARD", rates=unit_rates, sources={"consumption": [3]}
    )
    standing = billing.standing_days(start_date=JULY, end_date=end, rates=standing_rates)
    supply = billing.SupplyCharges(billing.Fuel.ELECTRICITY, False, LABEL, energy, standing, Decimal(10))
    lines = billing.bill_lines([supply])

    # 1-14 July (14 days) at the old prices, 15-30 July (16 days) at the new: 300 kWh shared 140 / 160.
    assert [(c.start_date, c.end_date, c.kwh) for c in energy] == [
        (JULY, date(2026, 7, 15), Decimal(140)),
        (date(2026, 7, 15), end, Decimal(160)),
    ]
    assert energy[0].sources == {"consumption": [3], "unit_rate": 1, "days": 14}
    assert [s.sources for s in standing] == [{"standing_charge": 11, "days": 14}, {"standing_charge": 12, "days": 16}]
    expected = [
        pennies(140 * ELEC_UNIT / 100),
        pennies(160 * new_unit / 100),
        pennies(14 * ELEC_STANDING / 100),
        pennies(16 * new_standing / 100),
    ]
    assert [line.amount for line in lines[:4]] == expected
    assert lines[4].amount == pennies(sum(expected, Decimal(0)) * Decimal("0.05"))
    assert [line.description for line in lines[:2]] == [
        "Electricity used, 1 Jul 2026 to 14 Jul 2026",
        "Electricity used, 15 Jul 2026 to 30 Jul 2026",
    ]


def test_kwh_shared_over_a_price_change_add_up_to_exactly_the_kwh_read() -> None:
    rates = [span(JULY, 14, Decimal(20)), span(date(2026, 7, 15), 16, Decimal(21))]
    energy = billing.split_by_rates(
        kwh=Decimal(100), start_date=JULY, end_date=date(2026, 7, 31), band="STANDARD", rates=rates, sources={}
    )
    # 100 x 14/30 = 46.666... -> 46.667 kWh; the last part takes the rest, 53.333.
    assert [c.kwh for c in energy] == [Decimal("46.667"), Decimal("53.333")]


def test_a_gap_in_prices_is_refused_with_the_dates() -> None:
    with pytest.raises(billing.BillingCalculationError, match="11 Jul 2026 to 12 Jul 2026"):
        billing.split_by_rates(
            kwh=Decimal(10),
            start_date=JULY,
            end_date=date(2026, 7, 31),
            band="STANDARD",
            rates=[span(JULY, 10, Decimal(20)), span(date(2026, 7, 13), 30, Decimal(20))],
            sources={},
        )


def test_overlapping_prices_are_refused() -> None:
    with pytest.raises(billing.BillingCalculationError, match="Two standing charges are in force on 10 Jul 2026"):
        billing.standing_days(
            start_date=JULY,
            end_date=date(2026, 7, 31),
            rates=[span(JULY, 30, Decimal(50)), span(date(2026, 7, 10), 5, Decimal(60))],
        )


def reference_half_hourly(starts: list[datetime]) -> tuple[Decimal, Decimal]:
    """Total kWh and exact pence, one half-hour at a time."""
    kwh = Decimal(0)
    pence = Decimal(0)
    for index, _ in enumerate(starts):
        kwh += kwh_of(index)
        pence += kwh_of(index) * price_of(index)
    return kwh, pence


@pytest.mark.parametrize(
    ("days", "utc", "short_or_long_day", "half_hours_that_day"),
    [(MARCH_DAYS, MARCH_UTC, date(2026, 3, 29), 46), (OCTOBER_DAYS, OCTOBER_UTC, date(2026, 10, 25), 50)],
)
def test_half_hourly_prices_across_a_clock_change_charge_every_half_hour_at_its_own_price(
    days: tuple[date, date], utc: tuple[datetime, datetime], short_or_long_day: date, half_hours_that_day: int
) -> None:
    starts = half_hours(*utc)
    per_day = Counter(london_clock(at).date() for at in starts)
    assert per_day[short_or_long_day] == half_hours_that_day
    assert set(per_day.values()) == {48, half_hours_that_day}

    charge = billing.half_hourly_charge(
        intervals=[(at, kwh_of(i)) for i, at in enumerate(starts)],
        prices={at: (price_of(i), None) for i, at in enumerate(starts)},
        start_date=days[0],
        end_date=days[1],
    )
    supply = billing.SupplyCharges(billing.Fuel.ELECTRICITY, False, LABEL, (charge,), (), Decimal(5))
    (line,) = billing.supply_lines(supply)

    kwh, pence = reference_half_hourly(starts)
    assert line.quantity == kwh
    assert line.amount == pennies(pence / 100)
    assert line.rate == (pence / kwh / 100).quantize(Decimal("0.00000001"), rounding=ROUND_HALF_UP)
    # The shown average rate reproduces the amount to within a penny, not exactly (documented on ChargeLine).
    assert abs(line.quantity * line.rate - line.amount) < PENNY
    assert line.sources == {"unit_rate": "half-hourly", "half_hours": 48 * 2 + half_hours_that_day}
    last = days[1] - timedelta(days=1)
    assert line.description == f"Electricity used, half-hourly prices, {days[0].day} {days[0]:%b} 2026 to " + (
        f"{last.day} {last:%b} 2026"
    )


def test_a_half_hourly_amount_is_the_exact_sum_rounded_once_not_quantity_times_the_shown_rate() -> None:
    # 3 kWh at 2.5p + 4 kWh at 1.5p = 13.5p exactly: £0.135 rounds half-up to £0.14. The average, 13.5/7 =
    # 1.92857142...p, shows as £0.01928571 a kWh; 7 x that is £0.13499997, which would round to £0.13.
    starts = half_hours(datetime(2026, 7, 1, 10, tzinfo=UTC), datetime(2026, 7, 1, 11, tzinfo=UTC))
    charge = billing.half_hourly_charge(
        intervals=list(zip(starts, [Decimal(3), Decimal(4)], strict=True)),
        prices={starts[0]: (Decimal("2.5"), 7), starts[1]: (Decimal("1.5"), 8)},
        start_date=JULY,
        end_date=JULY + timedelta(days=1),
    )
    supply = billing.SupplyCharges(billing.Fuel.ELECTRICITY, False, LABEL, (charge,), (), Decimal(5))
    (line,) = billing.supply_lines(supply)

    assert (line.quantity, line.rate, line.amount) == (Decimal(7), Decimal("0.01928571"), Decimal("0.14"))
    assert line.sources == {"unit_rate": "half-hourly", "half_hours": 2, "half_hourly_prices": [7, 8]}


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        (datetime(2026, 10, 25, 0, tzinfo=UTC), "25 Oct 2026 01:00 BST"),
        (datetime(2026, 10, 25, 1, tzinfo=UTC), "25 Oct 2026 01:00 GMT"),
    ],
)
def test_a_missing_half_hourly_price_is_refused_naming_the_half_hour(missing: datetime, named: str) -> None:
    starts = half_hours(*OCTOBER_UTC)
    prices = {at: (Decimal(20), None) for at in starts if at != missing}
    with pytest.raises(billing.BillingCalculationError, match=named):
        billing.half_hourly_charge(
            intervals=[(at, Decimal(1)) for at in starts],
            prices=prices,
            start_date=OCTOBER_DAYS[0],
            end_date=OCTOBER_DAYS[1],
        )


def test_a_half_hour_outside_the_bill_period_is_refused() -> None:
    at = datetime(2026, 6, 30, 23, 0, tzinfo=UTC)  # 1 July 00:00 BST
    with pytest.raises(billing.BillingCalculationError, match="outside"):
        billing.half_hourly_charge(
            intervals=[(at, Decimal(1))], prices={at: (Decimal(1), None)}, start_date=JUNE, end_date=JULY
        )


def is_night(at: datetime) -> bool:
    return time(0, 30) <= london_clock(at).time() < time(7, 30)


@pytest.mark.parametrize(
    ("utc", "nights_per_day"),
    [
        # 00:30-07:30 on the clock: 7 hours, but 6 when the clocks go forward and 8 when they go back.
        (MARCH_UTC, {date(2026, 3, 28): 14, date(2026, 3, 29): 12, date(2026, 3, 30): 14}),
        (OCTOBER_UTC, {date(2026, 10, 24): 14, date(2026, 10, 25): 16, date(2026, 10, 26): 14}),
    ],
)
def test_economy_7_follows_the_clock_across_a_clock_change(
    utc: tuple[datetime, datetime], nights_per_day: dict[date, int]
) -> None:
    starts = half_hours(*utc)
    assert Counter(london_clock(at).date() for at in starts if is_night(at)) == nights_per_day
    first = london_clock(starts[0]).date()
    rates = {"NIGHT": [span(first, 10, Decimal("9.5"), 21)], "DAY": [span(first, 10, Decimal("30.1"), 22)]}

    night, day = billing.time_of_use_charges(
        intervals=[(at, kwh_of(i)) for i, at in enumerate(starts)], bands=E7, rates=rates
    )

    night_kwh = sum((kwh_of(i) for i, at in enumerate(starts) if is_night(at)), Decimal(0))
    day_kwh = sum((kwh_of(i) for i, at in enumerate(starts) if not is_night(at)), Decimal(0))
    nights = sum(nights_per_day.values())
    assert (night.band, night.kwh, night.sources) == ("NIGHT", night_kwh, {"unit_rate": 21, "half_hours": nights})
    assert (day.band, day.kwh, day.sources) == ("DAY", day_kwh, {"unit_rate": 22, "half_hours": len(starts) - nights})
    assert (night.start_date, night.end_date) == (first, first + timedelta(days=3))


def test_economy_7_prices_a_half_hour_by_its_london_date() -> None:
    """00:30 BST on 25 October is 23:30 UTC on the 24th: it is charged at the night rate that starts on the 25th."""
    starts = half_hours(*OCTOBER_UTC)
    rates = {
        "NIGHT": [span(date(2026, 10, 1), 24, Decimal("9.5"), 21), span(date(2026, 10, 25), 30, Decimal("11.25"), 22)],
        "DAY": [span(date(2026, 10, 1), 60, Decimal("30.1"), 23)],
    }
    charges = billing.time_of_use_charges(
        intervals=[(at, kwh_of(i)) for i, at in enumerate(starts)], bands=E7, rates=rates, sources={"meter": "E7"}
    )

    old_night = [i for i, at in enumerate(starts) if is_night(at) and london_clock(at).date() < date(2026, 10, 25)]
    new_night = [i for i, at in enumerate(starts) if is_night(at) and london_clock(at).date() >= date(2026, 10, 25)]
    day = [i for i, at in enumerate(starts) if not is_night(at)]
    assert (len(old_night), len(new_night), len(day)) == (14, 30, 102)
    assert datetime(2026, 10, 24, 23, 30, tzinfo=UTC) in [starts[i] for i in new_night]
    assert [(c.band, c.start_date, c.end_date, c.kwh, c.unit_rate_pence_exc_vat, c.sources) for c in charges] == [
        (
            "NIGHT",
            date(2026, 10, 24),
            date(2026, 10, 25),
            sum((kwh_of(i) for i in old_night), Decimal(0)),
            Decimal("9.5"),
            {"meter": "E7", "unit_rate": 21, "half_hours": 14},
        ),
        (
            "NIGHT",
            date(2026, 10, 25),
            date(2026, 10, 27),
            sum((kwh_of(i) for i in new_night), Decimal(0)),
            Decimal("11.25"),
            {"meter": "E7", "unit_rate": 22, "half_hours": 30},
        ),
        (
            "DAY",
            date(2026, 10, 24),
            date(2026, 10, 27),
            sum((kwh_of(i) for i in day), Decimal(0)),
            Decimal("30.1"),
            {"meter": "E7", "unit_rate": 23, "half_hours": 102},
        ),
    ]
    supply = billing.SupplyCharges(billing.Fuel.ELECTRICITY, False, LABEL, charges, (), Decimal(5))
    assert [line.description for line in billing.supply_lines(supply)] == [
        "Electricity used, night rate, 24 Oct 2026",
        "Electricity used, night rate, 25 Oct 2026 to 26 Oct 2026",
        "Electricity used, day rate, 24 Oct 2026 to 26 Oct 2026",
    ]


def test_a_half_hour_in_no_band_or_in_two_is_refused() -> None:
    at = datetime(2026, 7, 1, 12, tzinfo=UTC)  # 13:00 BST
    rates = {"PEAK": [span(JULY, 1, Decimal(40))], "NIGHT": [span(JULY, 1, Decimal(10))]}
    with pytest.raises(billing.BillingCalculationError, match="1 Jul 2026 13:00 BST falls in no band"):
        billing.time_of_use_charges(
            intervals=[(at, Decimal(1))], bands=[billing.Band("PEAK", time(16), time(19))], rates=rates
        )
    overlapping = [billing.Band("PEAK", time(12), time(19)), billing.Band("NIGHT", time(23), time(14))]
    with pytest.raises(billing.BillingCalculationError, match="PEAK and NIGHT"):
        billing.time_of_use_charges(intervals=[(at, Decimal(1))], bands=overlapping, rates=rates)


def test_an_imperial_gas_meter_is_converted_to_cubic_metres_first() -> None:
    conversion = billing.gas_kwh(Decimal(10), Decimal("39.5"), imperial=True)
    assert conversion.volume_m3 == Decimal("28.30")
    # 28.3 m³ x 1.02264 = 28.940712; x 39.5 MJ/m³ = 1143.158124 MJ; / 3.6 MJ/kWh = 317.5439... kWh
    assert conversion.kwh == Decimal("317.544")
    assert (conversion.volume_unit, conversion.correction_factor) == ("hcf", Decimal("1.02264"))


def test_a_gas_bill_from_an_imperial_meter_matches_the_hand_worked_figures() -> None:
    # 12.5 hcf x 2.83 = 35.375 m³; x 1.02264 = 36.17589; x 39.2 MJ/m³ = 1418.094888 MJ; / 3.6 = 393.91524... kWh
    conversion = billing.gas_kwh(Decimal("12.5"), Decimal("39.2"), imperial=True)
    assert (conversion.volume_m3, conversion.kwh) == (Decimal("35.375"), Decimal("393.915"))
    supply = simple_supply(conversion.kwh, JULY, 30, GAS_UNIT, GAS_STANDING, fuel=billing.Fuel.GAS)

    lines = billing.bill_lines([supply])

    # 393.915 kWh x 7.33/1.05 p = 2749.90p -> £27.50; 30 days x 29.04/1.05 p = 829.71p -> £8.30; VAT 5% of £35.80.
    assert [line.amount for line in lines] == [Decimal("27.50"), Decimal("8.30"), Decimal("1.79")]
    assert billing.bill_total(lines) == Decimal("37.59")
    assert lines[0].description == "Gas used, 1 Jul 2026 to 30 Jul 2026"


def test_a_metric_gas_meter_shows_each_conversion_step() -> None:
    conversion = billing.gas_kwh(Decimal(100), Decimal("39.5"))
    assert conversion.volume_m3 == Decimal(100)
    assert conversion.calorific_value == Decimal("39.5")
    assert conversion.kwh == Decimal("1122.063")  # 100 x 1.02264 x 39.5 = 4039.428 MJ; / 3.6 = 1122.0633... kWh


@pytest.mark.parametrize(
    ("issue_date", "cutoff"),
    [
        (date(2026, 12, 1), date(2025, 12, 1)),
        (date(2028, 2, 29), date(2027, 2, 28)),  # no 29 February a year earlier: the last day still 12 months back
        (date(2028, 3, 1), date(2027, 3, 1)),
        (date(2029, 2, 28), date(2028, 2, 28)),
    ],
)
def test_the_back_billing_cutoff_is_the_same_day_twelve_months_earlier(issue_date: date, cutoff: date) -> None:
    assert billing.back_billing_cutoff(issue_date) == cutoff


# A quarter, 1 October to 31 December 2025 (92 days, 10 kWh a day), billed on 1 December 2026.
AUTUMN = date(2025, 10, 1)
CUTOFF = date(2025, 12, 1)


def test_energy_more_than_twelve_months_before_the_bill_is_not_charged() -> None:
    limited, notes = billing.limit_back_billing(simple_supply(Decimal(920), AUTUMN, 92), cutoff=CUTOFF, obstructed=[])

    ((energy,), (standing,)) = limited.energy, limited.standing
    assert (energy.start_date, energy.end_date, energy.kwh) == (CUTOFF, date(2026, 1, 1), Decimal(310))
    assert (standing.start_date, standing.days) == (CUTOFF, 31)
    lines = billing.supply_lines(limited)
    assert [line.amount for line in lines] == [pennies(310 * ELEC_UNIT / 100), pennies(31 * ELEC_STANDING / 100)]
    assert notes == [
        f"{LABEL}: 610 kWh used and 61 days of standing charge from 1 Oct 2025 to 30 Nov 2025 are not charged, "
        "because they are more than 12 months before this bill."
    ]


def test_obstructed_billing_lifts_the_back_billing_limit_for_those_days_only() -> None:
    limited, notes = billing.limit_back_billing(
        simple_supply(Decimal(920), AUTUMN, 92), cutoff=CUTOFF, obstructed=[(date(2025, 11, 1), CUTOFF)]
    )

    ((energy,), (standing,)) = limited.energy, limited.standing
    assert (energy.start_date, energy.kwh, standing.days) == (date(2025, 11, 1), Decimal(610), 61)
    assert len(notes) == 2
    assert "310 kWh used and 31 days of standing charge from 1 Oct 2025 to 31 Oct 2025 are not charged" in notes[0]
    assert "energy used from 1 Nov 2025 to 30 Nov 2025 is charged" in notes[1]
    assert "billing was obstructed" in notes[1]


def test_an_obstruction_before_a_gap_keeps_two_separate_parts() -> None:
    limited, notes = billing.limit_back_billing(
        simple_supply(Decimal(920), AUTUMN, 92), cutoff=CUTOFF, obstructed=[(AUTUMN, date(2025, 10, 15))]
    )
    assert [(c.start_date, c.end_date, c.kwh) for c in limited.energy] == [
        (AUTUMN, date(2025, 10, 15), Decimal(140)),
        (CUTOFF, date(2026, 1, 1), Decimal(310)),
    ]
    assert [s.days for s in limited.standing] == [14, 31]
    assert "470 kWh used and 47 days of standing charge from 15 Oct 2025 to 30 Nov 2025" in notes[0]


def test_a_wholly_obstructed_or_recent_period_is_charged_in_full() -> None:
    supply = simple_supply(Decimal(920), AUTUMN, 92)
    whole, notes = billing.limit_back_billing(supply, cutoff=CUTOFF, obstructed=[(date(2025, 9, 1), CUTOFF)])
    assert whole == supply
    assert len(notes) == 1
    assert "obstructed" in notes[0]
    assert billing.limit_back_billing(supply, cutoff=AUTUMN, obstructed=[]) == (supply, [])


def test_the_back_billing_limit_across_a_leap_day_counts_real_days() -> None:
    # Billed 29 Feb 2028: cutoff 28 Feb 2027. February to March 2027 is 59 days at 10 kWh a day; 32 days remain.
    supply = simple_supply(Decimal(590), date(2027, 2, 1), 59)
    limited, _ = billing.limit_back_billing(
        supply, cutoff=billing.back_billing_cutoff(date(2028, 2, 29)), obstructed=[]
    )
    ((energy,), (standing,)) = limited.energy, limited.standing
    assert (energy.start_date, energy.kwh, standing.days) == (date(2027, 2, 28), Decimal(320), 32)


def test_the_back_billing_limit_drops_the_half_hours_of_days_before_the_cutoff() -> None:
    starts = half_hours(datetime(2025, 11, 30, tzinfo=UTC), datetime(2025, 12, 2, tzinfo=UTC))  # GMT: UTC is local
    charge = billing.half_hourly_charge(
        intervals=[(at, kwh_of(i)) for i, at in enumerate(starts)],
        prices={at: (price_of(i), None) for i, at in enumerate(starts)},
        start_date=date(2025, 11, 30),
        end_date=date(2025, 12, 2),
    )
    supply = billing.SupplyCharges(billing.Fuel.ELECTRICITY, False, LABEL, (charge,), (), Decimal(5))

    limited, notes = billing.limit_back_billing(supply, cutoff=CUTOFF, obstructed=[])

    (line,) = billing.supply_lines(limited)
    kept = range(48, 96)
    assert line.quantity == sum((kwh_of(i) for i in kept), Decimal(0))
    assert line.amount == pennies(sum((kwh_of(i) * price_of(i) for i in kept), Decimal(0)) / 100)
    assert "from 30 Nov 2025 are not charged" in notes[0]


@pytest.mark.parametrize(
    ("fuel", "kwh_per_day", "vat_rate"),
    [
        (billing.Fuel.ELECTRICITY, Decimal(34), Decimal("0.20")),
        (billing.Fuel.ELECTRICITY, Decimal(33), Decimal("0.05")),
        (billing.Fuel.GAS, Decimal(146), Decimal("0.20")),
        (billing.Fuel.GAS, Decimal(145), Decimal("0.05")),
    ],
)
def test_business_vat_and_the_levy_depend_on_de_minimis(
    fuel: billing.Fuel, kwh_per_day: Decimal, vat_rate: Decimal
) -> None:
    """Above de minimis: 20% VAT and the Climate Change Levy; at or below it the supply counts as domestic use."""
    kwh = kwh_per_day * 30
    lines = billing.bill_lines([simple_supply(kwh, JULY, 30, business=True, fuel=fuel)])

    if vat_rate == Decimal("0.05"):
        assert of_kind(lines, billing.LineKind.LEVY) == []
        assert {line.vat_rate for line in lines if line.kind != billing.LineKind.VAT} == {vat_rate}
        return
    energy, standing, levy, vat = lines
    assert levy.kind == billing.LineKind.LEVY
    assert levy.amount == pennies(kwh * Decimal("0.00801"))
    assert levy.description == "Climate Change Levy, 1 Jul 2026 to 30 Jul 2026"
    assert {energy.vat_rate, standing.vat_rate, levy.vat_rate} == {vat_rate}
    assert vat.kind == billing.LineKind.VAT
    assert vat.amount == pennies((energy.amount + standing.amount + levy.amount) * vat_rate)


def test_domestic_supplies_never_pay_climate_change_levy_even_with_heavy_use() -> None:
    lines = billing.bill_lines([simple_supply(Decimal(9000), JULY, 30)])
    assert of_kind(lines, billing.LineKind.LEVY) == []
    assert {line.vat_rate for line in lines if line.kind != billing.LineKind.VAT} == {Decimal("0.05")}


def test_business_energy_before_the_levy_rate_held_is_refused() -> None:
    with pytest.raises(billing.BillingCalculationError, match="Climate Change Levy"):
        billing.supply_lines(simple_supply(Decimal(3100), date(2026, 3, 1), 31, business=True))


def test_a_missed_appointment_charge_is_billed_at_20_percent_vat_on_its_own_line() -> None:
    missed = billing.additional_charge_line("Missed engineer appointment (T&C 11)", Decimal(70), sources={"charge": 4})
    lines = billing.bill_lines([simple_supply(Decimal(250), JULY, 30)], additional=[missed])

    assert missed.sources == {"charge": 4}
    vat = {line.rate: line.amount for line in of_kind(lines, billing.LineKind.VAT)}
    assert vat[Decimal("0.20")] == Decimal("14.00")
    energy_and_standing = pennies(250 * ELEC_UNIT / 100) + pennies(30 * ELEC_STANDING / 100)
    assert vat[Decimal("0.05")] == pennies(energy_and_standing * Decimal("0.05"))


@pytest.mark.parametrize(
    ("principal", "base_rate", "days", "interest"),
    [
        (Decimal("250.00"), Decimal("3.75"), 30, Decimal("1.59")),  # 250 x 7.75% = 19.375 a year; x 30/365 = 1.5924...
        (Decimal("1000.00"), Decimal("5.25"), 45, Decimal("11.40")),  # 1000 x 9.25% = 92.50; x 45/365 = 11.4041...
        (Decimal("91.25"), Decimal("1.00"), 10, Decimal("0.13")),  # 91.25 x 5% = 4.5625; x 10/365 = 0.125 exactly
        (Decimal("500.00"), Decimal("4.00"), 0, Decimal("0.00")),
    ],
)
def test_late_payment_interest_is_simple_interest_at_four_percent_above_base(
    principal: Decimal, base_rate: Decimal, days: int, interest: Decimal
) -> None:
    start = date(2026, 9, 1)
    got = billing.late_payment_interest(
        principal=principal, start_date=start, end_date=start + timedelta(days=days), base_rate_percent=base_rate
    )
    assert got == interest


def test_late_payment_interest_over_a_leap_year_still_divides_by_365() -> None:
    # 366 days of 2028 on £365 at 1% + 4%: 365 x 5% x 366/365 = £18.30.
    interest = billing.late_payment_interest(
        principal=Decimal(365), start_date=date(2028, 1, 1), end_date=date(2029, 1, 1), base_rate_percent=Decimal(1)
    )
    assert interest == Decimal("18.30")


def test_interest_is_its_own_line_outside_vat() -> None:
    interest = billing.interest_line("Late-payment interest (T&C 10.1.8)", Decimal("1.59"), sources={"days": 30})
    lines = billing.bill_lines([simple_supply(Decimal(250), JULY, 30)], additional=[interest])

    assert interest.vat_rate is None
    assert interest.kind == billing.LineKind.INTEREST
    (vat,) = of_kind(lines, billing.LineKind.VAT)
    assert vat.quantity == pennies(250 * ELEC_UNIT / 100) + pennies(30 * ELEC_STANDING / 100)
    assert billing.bill_total(lines) == Decimal("82.44") + Decimal("1.59")


amounts = st.decimals(min_value=0, max_value=100_000, places=3)
rates = st.decimals(min_value=0, max_value=200, places=4)
fuels = st.sampled_from(billing.Fuel)


@st.composite
def supplies(draw: st.DrawFn) -> billing.SupplyCharges:
    start = draw(st.dates(date(2026, 4, 1), date(2027, 12, 31)))
    days = draw(st.integers(1, 120))
    end = start + timedelta(days=days)
    energy: list[billing.EnergyCharge | billing.HalfHourlyCharge] = [
        billing.EnergyCharge("STANDARD", start, end, draw(amounts), draw(rates), {})
    ]
    if draw(st.booleans()):
        count = draw(st.integers(0, 50))
        energy.append(
            billing.HalfHourlyCharge(
                start,
                end,
                tuple((draw(amounts), draw(st.decimals(-50, 200, places=4))) for _ in range(count)),
                {},
            )
        )
    return billing.SupplyCharges(
        fuel=draw(fuels),
        is_business=draw(st.booleans()),
        label="Supply",
        energy=tuple(energy),
        standing=(billing.StandingDays(start, end, draw(rates), {}),),
        daily_average_kwh=draw(st.decimals(0, 500, places=3)),
    )


@given(
    supply_list=st.lists(supplies(), min_size=1, max_size=3),
    extra=st.lists(st.decimals(min_value=Decimal("0.01"), max_value=500, places=2), max_size=3),
    interest=st.lists(st.decimals(min_value=Decimal("0.01"), max_value=50, places=2), max_size=1),
)
def test_lines_always_sum_to_the_total_in_whole_pennies(
    supply_list: list[billing.SupplyCharges], extra: list[Decimal], interest: list[Decimal]
) -> None:
    additional = [billing.additional_charge_line("Charge", amount, sources={}) for amount in extra]
    additional += [billing.interest_line("Interest", amount, sources={}) for amount in interest]
    lines = billing.bill_lines(supply_list, additional=additional)
    total = billing.bill_total(lines)

    assert total == sum((line.amount for line in lines), Decimal(0))
    assert all(line.amount == line.amount.quantize(PENNY) for line in lines)
    for vat in of_kind(lines, billing.LineKind.VAT):
        base = sum((line.amount for line in lines if line.vat_rate == vat.rate), Decimal(0))
        assert vat.amount == pennies(base * vat.rate)
        assert vat.sources["lines"] == [n for n, line in enumerate(lines, start=1) if line.vat_rate == vat.rate]
    interest_total = sum(interest, Decimal(0))
    assert sum((line.amount for line in lines if line.vat_rate is None), Decimal(0)) == interest_total + sum(
        (line.amount for line in of_kind(lines, billing.LineKind.VAT)), Decimal(0)
    )


@given(
    kwh=amounts,
    days=st.integers(2, 120),
    unit=rates,
    standing=rates,
    business=st.booleans(),
    fuel=fuels,
    data=st.data(),
)
def test_splitting_a_period_in_two_moves_the_total_by_at_most_a_penny_per_extra_line(
    kwh: Decimal, days: int, unit: Decimal, standing: Decimal, business: bool, fuel: billing.Fuel, data: st.DataObject
) -> None:
    """The same prices over one rate span or two: each extra line rounds once, so moves its sum by at most a penny.

    Bound: the lines before VAT differ by at most 1p per extra line (two halves each within half a penny, and the
    difference is whole pennies); VAT on that difference can then round one more penny either way.
    """
    split = data.draw(st.integers(1, days - 1))
    end = JULY + timedelta(days=days)
    middle = JULY + timedelta(days=split)

    def bill(unit_rates: list[billing.RateSpan], standing_rates: list[billing.RateSpan]) -> list[billing.ChargeLine]:
        energy = billing.split_by_rates(
            kwh=kwh, start_date=JULY, end_date=end, band="STANDARD", rates=unit_rates, sources={}
        )
        days_charged = billing.standing_days(start_date=JULY, end_date=end, rates=standing_rates)
        supply = billing.SupplyCharges(fuel, business, LABEL, energy, days_charged, kwh / days)
        return billing.bill_lines([supply])

    whole = bill([span(JULY, days, unit)], [span(JULY, days, standing)])
    halves = bill(
        [billing.RateSpan(JULY, middle, unit), billing.RateSpan(middle, end, unit)],
        [billing.RateSpan(JULY, middle, standing), billing.RateSpan(middle, end, standing)],
    )

    extra_lines = len(halves) - len(whole)
    assert extra_lines == 2
    energy = [of_kind(lines, billing.LineKind.ENERGY) for lines in (whole, halves)]
    assert [sum((line.quantity for line in e), Decimal(0)) for e in energy] == [kwh, kwh]

    def before_vat(lines: list[billing.ChargeLine]) -> Decimal:
        return sum((line.amount for line in lines if line.kind != billing.LineKind.VAT), Decimal(0))

    assert abs(before_vat(halves) - before_vat(whole)) <= extra_lines * PENNY
    assert abs(billing.bill_total(halves) - billing.bill_total(whole)) <= extra_lines * PENNY + PENNY
