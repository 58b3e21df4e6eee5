"""Quotes for someone thinking of joining us: where they are, which of our products they can have there, and what
each would cost them in a year (T&C 2.1 "Application", 4.6, 9.2, 9.7, 14.4).

**Region.** Prices are per region (the 14 GSP groups, ``hearth.data.tariffs.models``). The true region is the
distributor's, read from the MPAN core's first two digits (``tariffs.contracts.DISTRIBUTOR_REGIONS``), so an MPAN
given by the customer decides (one of an independent network, distributor 24 or above, lies within a region and
leaves it to the postcode). Without one, :data:`AREA_REGIONS` maps the postcode **area** (the letters
before the first digit: "LS" of "LS1 4AP") to the region that covers most of it. That is an approximation: a few
areas straddle two distributors (PE, SY, TD, KT...), and a quote made from the postcode alone can be a region out
near those borders; sign-up asks for the MPAN, which settles it. Northern Ireland (BT) has its own market and the
Channel Islands and the Isle of Man are not in Great Britain's: we do not supply them, and say so.

**Cost.** A year's estimate is 365 days of standing charge plus the year's kWh at the unit rate, excluding VAT,
then VAT at the domestic 5% added and the total rounded to the penny once, as a bill does. An Economy 7 meter's
kWh are split day and night by ``payments.estimates.NIGHT_SHARE``, the share Direct Debit estimates use. Usage not
given is Ofgem's Typical Domestic Consumption Value (``metering.readings.TYPICAL_ANNUAL_KWH``).

The arithmetic (:func:`fuel_cost`, :func:`region_of_postcode`) is pure; :func:`quote` reads the products and rates.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Final

from hearth.common import identifiers
from hearth.common.money import to_pennies
from hearth.data.accounts.models import Fuel, Nation, SupplyPoint
from hearth.data.contracts.models import Contract
from hearth.data.payments.models import PaymentArrangement
from hearth.data.tariffs.models import MeterKind, PaymentMethod, Product, Tariff, UnitRate
from hearth.domain.metering import readings
from hearth.domain.payments import estimates, methods
from hearth.domain.tariffs import contracts as contract_states
from hearth.domain.tariffs import queries as tariff_queries

DAYS_IN_A_QUOTE_YEAR: Final = 365
VAT_RATE: Final = tariff_queries.DOMESTIC_VAT_RATE

_AREAS_OF_REGION: Final = {
    "A": "AL CB CM CO EN HP IP LU NR PE RM SG SS WD",  # Eastern
    "B": "DE LE LN MK NG NN",  # East Midlands
    "C": "BR CR E EC HA IG KT N NW SE SM SW TW UB W WC",  # London
    "D": "CH CW L LL SY",  # Merseyside and North Wales
    "E": "B CV DY GL HR ST TF WR WS WV",  # West Midlands
    "F": "DH DL NE SR TS",  # North Eastern
    "G": "BB BL CA FY LA M OL PR SK WA WN",  # North Western
    "H": "BH GU OX PO RG SL SN SO SP",  # Southern
    "J": "BN CT DA ME RH TN",  # South Eastern
    "K": "CF LD NP SA",  # South Wales
    "L": "BA BS DT EX PL TA TQ TR",  # South Western
    "M": "BD DN HD HG HU HX LS S WF YO",  # Yorkshire
    "N": "DG EH FK G KA KY ML PA TD",  # South Scotland
    "P": "AB DD HS IV KW PH ZE",  # North Scotland
}

AREA_REGIONS: Final = {area: region for region, areas in _AREAS_OF_REGION.items() for area in areas.split()}
"""The region covering most of each postcode area of Great Britain (an approximation: see the module docstring)."""

NOT_SUPPLIED_AREAS: Final = {
    "BT": "Northern Ireland",
    "GY": "Guernsey",
    "JE": "Jersey",
    "IM": "the Isle of Man",
}

WALES_AREAS: Final = frozenset({"CF", "LD", "LL", "NP", "SA"})
SCOTLAND_REGIONS: Final = frozenset({"N", "P"})

REGION_NAMES: Final = {
    "A": "Eastern England",
    "B": "East Midlands",
    "C": "London",
    "D": "Merseyside and North Wales",
    "E": "West Midlands",
    "F": "North East England",
    "G": "North West England",
    "H": "Southern England",
    "J": "South East England",
    "K": "South Wales",
    "L": "South West England",
    "M": "Yorkshire",
    "N": "South Scotland",
    "P": "North Scotland",
}


class QuoteRefused(Exception):
    """No quote can be given as asked; ``field`` names what was typed wrong and the message says why."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Place:
    """Where a quote is for: the postcode as we write it, its region and nation, and what decided the region."""

    postcode: str
    region: str
    nation: Nation
    from_mpan: bool

    @property
    def region_name(self) -> str:
        return REGION_NAMES[self.region]


def postcode_area(postcode: str) -> str:
    """The letters before the first digit of a normalised postcode: "LS" of "LS1 4AP", "E" of "E1 6AN"."""
    return postcode[: next(i for i, ch in enumerate(postcode) if ch.isdigit())]


def region_of_postcode(postcode: str, *, mpan: str = "") -> Place:
    """The region and nation of ``postcode``; the distributor of ``mpan`` (an MPAN core), if given, decides the
    region.

    :raises QuoteRefused: not a UK postcode, one we do not supply (Northern Ireland, the Channel Islands, the Isle
        of Man), or a bad MPAN.
    """
    try:
        normalised = identifiers.normalise_postcode(postcode)
    except identifiers.InvalidIdentifier as exc:
        raise QuoteRefused(f"{exc} Type it as on a letter, e.g. LS1 4AP.", field="postcode") from exc
    area = postcode_area(normalised)
    if area in NOT_SUPPLIED_AREAS:
        raise QuoteRefused(
            f"We supply homes in Great Britain only, not in {NOT_SUPPLIED_AREAS[area]}.", field="postcode"
        )
    region = AREA_REGIONS.get(area)
    if region is None:
        raise QuoteRefused(f"{normalised} is not a postcode we know the region of.", field="postcode")
    from_mpan = False
    if mpan.strip():
        try:
            core = identifiers.normalise_mpan_core(mpan)
        except identifiers.InvalidIdentifier as exc:
            raise QuoteRefused(str(exc), field="mpan") from exc
        by_distributor = contract_states.DISTRIBUTOR_REGIONS.get(int(core[:2]))
        if by_distributor is not None:  # an independent network's (IDNO) MPAN: it lies inside the postcode's region
            region, from_mpan = by_distributor, True
    if region in SCOTLAND_REGIONS:
        nation = Nation.SCOTLAND
    elif area in WALES_AREAS:
        nation = Nation.WALES
    else:
        nation = Nation.ENGLAND
    return Place(postcode=normalised, region=region, nation=nation, from_mpan=from_mpan)


@dataclass(frozen=True, slots=True)
class Usage:
    """What the quote is for: the fuels, the meter, Economy 7 or not, and the year's kWh per fuel if known."""

    fuels: tuple[Fuel, ...]
    meter: MeterKind
    economy_7: bool = False
    electricity_kwh: Decimal | None = None
    gas_kwh: Decimal | None = None

    def annual_kwh(self, fuel: Fuel) -> Decimal:
        """The kWh given for ``fuel``, or Ofgem's typical figure for its meter."""
        given = self.electricity_kwh if fuel == Fuel.ELECTRICITY else self.gas_kwh
        if given is not None:
            return given
        return readings.TYPICAL_ANNUAL_KWH[(fuel, fuel == Fuel.ELECTRICITY and self.economy_7)]

    def kwh_given(self, fuel: Fuel) -> bool:
        return (self.electricity_kwh if fuel == Fuel.ELECTRICITY else self.gas_kwh) is not None

    def structure(self, fuel: Fuel) -> str:
        two_rate = fuel == Fuel.ELECTRICITY and self.economy_7
        return Tariff.Structure.TWO_RATE if two_rate else Tariff.Structure.SINGLE_RATE


def band_kwh(annual_kwh: Decimal, bands: Sequence[str]) -> dict[str, Decimal]:
    """The year's kWh per band: all of it on a single rate, day and night split by ``NIGHT_SHARE`` on Economy 7."""
    if set(bands) == {UnitRate.DAY, UnitRate.NIGHT}:
        night = annual_kwh * estimates.NIGHT_SHARE
        return {UnitRate.DAY: annual_kwh - night, UnitRate.NIGHT: night}
    if len(bands) != 1:
        raise ValueError(f"A quote prices one band or day and night, not {sorted(bands)}.")
    return {bands[0]: annual_kwh}


def fuel_cost(*, annual_kwh: Decimal, unit_rates_exc_vat: dict[str, Decimal], standing_exc_vat: Decimal) -> Decimal:
    """A year's cost in pounds with VAT: 365 days' standing charge plus the kWh at the unit rates (pence,
    excluding VAT), VAT added to the total, rounded to the penny once."""
    kwh = band_kwh(annual_kwh, list(unit_rates_exc_vat))
    pence = sum((kwh[band] * rate for band, rate in unit_rates_exc_vat.items()), Decimal(0))
    pence += DAYS_IN_A_QUOTE_YEAR * standing_exc_vat
    return to_pennies(pence / 100 * (1 + VAT_RATE))


@dataclass(frozen=True, slots=True)
class FuelPrice:
    """One fuel's tariff in a quote: its prices with VAT (pence), the kWh priced, the year's cost and exit fee."""

    fuel: Fuel
    tariff: Tariff
    unit_rates_inc_vat: tuple[tuple[str, Decimal], ...]
    standing_charge_inc_vat: Decimal
    annual_kwh: Decimal
    annual_cost: Decimal
    exit_fee: Decimal


@dataclass(frozen=True, slots=True)
class Option:
    """One product paid one way, for every fuel asked for: what the customer can choose on the quote page."""

    product: Product
    payment_method: str
    prices: tuple[FuelPrice, ...]
    allowed_payment_methods: tuple[str, ...]
    credit_check: bool

    @property
    def key(self) -> str:
        """What the quote page posts back to choose this option."""
        return f"{self.product.code}|{self.payment_method}"

    @property
    def annual_cost(self) -> Decimal:
        return sum((price.annual_cost for price in self.prices), Decimal("0.00"))

    @property
    def exit_fee(self) -> Decimal:
        return sum((price.exit_fee for price in self.prices), Decimal("0.00"))

    @property
    def term(self) -> str:
        return term_words(self.product)

    @property
    def payment_method_label(self) -> str:
        return PaymentMethod(self.payment_method).label

    @property
    def allowed_payment_labels(self) -> list[str]:
        return [PaymentMethod(code).label for code in self.allowed_payment_methods]


@dataclass(frozen=True, slots=True)
class Quote:
    place: Place
    usage: Usage
    options: tuple[Option, ...]

    def option(self, key: str) -> Option | None:
        return next((option for option in self.options if option.key == key), None)


def term_words(product: Product) -> str:
    """The product's term as the quote and the Confirmation Correspondence say it."""
    if product.kind != Product.Kind.FIXED:
        return "Variable: no fixed term, prices may change with 30 days' notice (T&C 4.3)"
    if product.fixed_until_date is not None:
        return f"Fixed until {product.fixed_until_date:%-d %B %Y}"
    return f"Fixed for {product.term_months} months from the start of supply"


def exit_fee_of(product: Product, fuel: Fuel) -> Decimal:
    return product.exit_fee_electricity if fuel == Fuel.ELECTRICITY else product.exit_fee_gas


def needs_credit_check(tariff_payment_method: str) -> bool:
    """T&C 9.7: the tariffs we credit-check are those paid on receipt of the bill (standard credit), where we supply
    a quarter's energy before being paid. Direct Debit, annual and prepayment tariffs are paid before or as the
    energy is used. Decided per tariff payment method, so no product flag is needed."""
    return tariff_payment_method == PaymentMethod.STANDARD_CREDIT


def _meter_allowed(product: Product, meter: MeterKind) -> bool:
    return not product.meter_kinds or meter in product.meter_kinds


def _method_suits_meter(tariff_method: str, meter: MeterKind) -> bool:
    """A prepayment meter pays by prepayment (T&C 9.5); a credit or smart meter by anything else."""
    return (tariff_method == PaymentMethod.PREPAYMENT) == (meter == MeterKind.PREPAYMENT)


def _price(tariff: Tariff, fuel: Fuel, usage: Usage, at: datetime) -> FuelPrice | None:
    rates = tariff_queries.rates_at(tariff=tariff, at=at)
    if rates.standing_charge is None or not rates.unit_rates:
        return None
    unit_exc = {band: rate.value_exc_vat for band, rate in sorted(rates.unit_rates.items())}
    standing = rates.standing_charge.value_exc_vat
    kwh = usage.annual_kwh(fuel)
    try:
        cost = fuel_cost(annual_kwh=kwh, unit_rates_exc_vat=unit_exc, standing_exc_vat=standing)
    except ValueError:
        return None  # a time-of-use tariff: not sold through a quote
    return FuelPrice(
        fuel=fuel,
        tariff=tariff,
        unit_rates_inc_vat=tuple((band, tariff_queries.inc_vat(value, VAT_RATE)) for band, value in unit_exc.items()),
        standing_charge_inc_vat=tariff_queries.inc_vat(standing, VAT_RATE),
        annual_kwh=kwh,
        annual_cost=cost,
        exit_fee=exit_fee_of(tariff.product, fuel),
    )


def quote(*, place: Place, usage: Usage, at: datetime) -> Quote:
    """Every domestic product available at ``at`` with a tariff for each fuel of ``usage`` in the place's region,
    its meter's structure and a payment method the meter allows, priced at the rates in force at ``at``: one option
    per product and payment method, cheapest first."""
    options = []
    for product in tariff_queries.available_products(at=at).filter(is_business=False).prefetch_related("tariffs"):
        if not _meter_allowed(product, usage.meter):
            continue
        tariffs = [t for t in product.tariffs.all() if t.region == place.region]
        allowed = tuple(methods.product_methods(product))
        for method in allowed:
            if not _method_suits_meter(method, usage.meter):
                continue
            prices = []
            for fuel in usage.fuels:
                tariff = next(
                    (
                        t
                        for t in tariffs
                        if t.fuel == fuel and t.structure == usage.structure(fuel) and t.payment_method == method
                    ),
                    None,
                )
                price = _price(tariff, fuel, usage, at) if tariff is not None else None
                if price is None:
                    break
                prices.append(price)
            else:
                options.append(
                    Option(
                        product=product,
                        payment_method=method,
                        prices=tuple(prices),
                        allowed_payment_methods=allowed,
                        credit_check=needs_credit_check(method),
                    )
                )
    options.sort(key=lambda option: (option.annual_cost, option.product.code, option.payment_method))
    return Quote(place=place, usage=usage, options=tuple(options))


def contract_tariff(contract: Contract, supply_point: SupplyPoint) -> Tariff:
    """The tariff of ``contract``'s product that ``supply_point`` goes on: for its fuel, meter and the tariff payment
    method of the contract's payment method, in the point's region — from its last tariff or MPAN, or else (a gas
    point new to us) from its property's postcode.

    :raises ContractRefused: the product has no such tariff.
    """
    region = contract_states.region_of(supply_point)
    if region is None:
        try:
            region = region_of_postcode(supply_point.supply_property.postcode).region
        except QuoteRefused as exc:
            raise contract_states.ContractRefused(f"region: {supply_point}: {exc}") from exc
    return contract_states.choose_tariff(
        product=contract.product,
        supply_point=supply_point,
        tariff_payment_method=methods.TARIFF_METHOD[PaymentArrangement.Method(contract.payment_method)],
        region=region,
    )
