"""The care console's tariff pages: products with their tariffs, creating a product and a tariff, and a tariff's
rate history with a form to schedule a price change.

Staff enter prices in pence **including VAT**, as they think of them; they are stored excluding VAT
(``hearth.domain.tariffs.queries.exc_vat``, domestic VAT) and the domain refuses what the T&C do not allow
(``TariffRefused``), whose message is shown beside the field it names.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from hearth.common import calendar
from hearth.data.accounts.models import Fuel
from hearth.data.tariffs.models import REGIONS, MeterKind, PaymentMethod, Product, StandingCharge, Tariff, UnitRate
from hearth.domain.contracts import price_changes
from hearth.domain.documents import letters
from hearth.domain.tariffs import operations as tariff_ops
from hearth.domain.tariffs import queries as tariff_queries
from hearth.interfaces.care import access
from hearth.interfaces.care import views as care_views
from hearth.interfaces.care.access import CareRequest
from hearth.interfaces.web import plain_forms

VAT = tariff_queries.DOMESTIC_VAT_RATE
STANDING_CHARGE = "STANDING_CHARGE"


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _pence(label: str, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_digits=10,
        decimal_places=4,
        help_text=help_text,
    )


def _show_refusal(form: forms.Form, exc: tariff_ops.TariffRefused, fields: dict[str, str]) -> None:
    """Put the refusal's message beside the field it names (``"field: why"``), else above the form."""
    name, _, why = str(exc).partition(": ")
    field = fields.get(name)
    if why and field is not None and field in form.fields:
        form.add_error(field, why)
    else:
        form.add_error(None, str(exc))


class ProductForm(plain_forms.PlainForm):
    code = forms.CharField(
        label="Code", max_length=64, help_text="Capitals, digits and hyphens, e.g. HEARTH-FIX-12M-26-11"
    )
    full_name = forms.CharField(label="Full name", max_length=200)
    display_name = forms.CharField(label="Name shown to customers", max_length=120)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label="Kind", choices=Product.Kind.choices)
    is_standard_variable = forms.BooleanField(
        label="This is the Standard Variable Tariff for its meter types (T&C 4.7)", required=False
    )
    term_months = forms.IntegerField(label="Fixed term in months", required=False, min_value=1, max_value=60)
    fixed_until_date = forms.DateField(label="Or prices fixed until", required=False, widget=_date_input())
    exit_fee_electricity = forms.DecimalField(
        label="Exit fee, electricity (£)", required=False, min_value=Decimal(0), max_digits=8, decimal_places=2
    )
    exit_fee_gas = forms.DecimalField(
        label="Exit fee, gas (£)", required=False, min_value=Decimal(0), max_digits=8, decimal_places=2
    )
    missed_payment_fee = forms.DecimalField(
        label="Fee for each missed Direct Debit (£, excluding VAT; T&C 10.1.2)",
        required=False,
        min_value=Decimal(0),
        max_digits=8,
        decimal_places=2,
    )
    payment_methods = forms.MultipleChoiceField(
        label="Payment methods allowed (T&C 9.2)",
        choices=PaymentMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one payment method."},
    )
    meter_kinds = forms.MultipleChoiceField(
        label="Meter types allowed (none: any)",
        choices=MeterKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    available_from = forms.DateField(label="Available from", widget=_date_input())
    is_business = forms.BooleanField(label="For business customers", required=False)

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip().upper()
        if not code or any(not (c.isascii() and (c.isalnum() or c == "-")) for c in code):
            raise forms.ValidationError("Use only capital letters, digits and hyphens.")
        return code


class TariffForm(plain_forms.PlainForm):
    fuel = forms.ChoiceField(label="Fuel", choices=Fuel.choices)
    region = forms.ChoiceField(label="Region (GSP group)", choices=[(r, r) for r in REGIONS])
    structure = forms.ChoiceField(
        label="Rate structure",
        choices=[(s.value, s.label) for s in (Tariff.Structure.SINGLE_RATE, Tariff.Structure.TWO_RATE)],
    )
    payment_method = forms.ChoiceField(label="Payment method", choices=PaymentMethod.choices)
    standing_charge_inc_vat = _pence("Standing charge, pence a day including VAT")
    unit_rate_inc_vat = _pence("Unit rate, pence per kWh including VAT (single rate)", required=False)
    day_rate_inc_vat = _pence("Day unit rate, pence per kWh including VAT (two rate)", required=False)
    night_rate_inc_vat = _pence("Night unit rate, pence per kWh including VAT (two rate)", required=False)
    night_starts_at = forms.TimeField(label="Night starts at (London time, two rate)", required=False)
    night_ends_at = forms.TimeField(label="Night ends at (London time, two rate)", required=False)
    valid_from = forms.DateField(label="Prices from", widget=_date_input())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("structure") == Tariff.Structure.SINGLE_RATE:
            if data.get("unit_rate_inc_vat") is None:
                self.add_error("unit_rate_inc_vat", "Enter the unit rate of a single-rate tariff.")
        elif data.get("structure") == Tariff.Structure.TWO_RATE:
            for name, what in (
                ("day_rate_inc_vat", "Enter the day unit rate of a two-rate tariff."),
                ("night_rate_inc_vat", "Enter the night unit rate of a two-rate tariff."),
                ("night_starts_at", "Enter when the night starts."),
                ("night_ends_at", "Enter when the night ends."),
            ):
                if data.get(name) is None:
                    self.add_error(name, what)
        return data


class PriceChangeForm(plain_forms.PlainForm):
    band = forms.ChoiceField(label="Price to change")
    value_inc_vat = _pence("New price in pence including VAT", help_text="A day (standing charge) or per kWh")
    valid_from = forms.DateField(
        label="From", help_text="The new price starts at midnight, London time", widget=_date_input()
    )

    def __init__(self, *args: Any, bands: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["band"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(STANDING_CHARGE, "Standing charge")] + [(band, f"{band} unit rate") for band in bands]


@dataclass
class RateRow:
    label: str
    value_exc_vat: Decimal
    value_inc_vat: Decimal
    valid_from: datetime
    valid_to: datetime | None


def _rows(label: str, rates: Sequence[StandingCharge | UnitRate]) -> list[RateRow]:
    return [
        RateRow(
            label, rate.value_exc_vat, tariff_queries.inc_vat(rate.value_exc_vat, VAT), rate.valid_from, rate.valid_to
        )
        for rate in rates
    ]


# --- Products ------------------------------------------------------------------------------------------------------


@access.staff_required
def products(request: CareRequest) -> HttpResponse:
    rows = [(product, tariff_queries.tariffs_of(product)) for product in tariff_queries.all_products()]
    return care_views._render(request, "care/tariffs_products.html", {"rows": rows})


@access.staff_required
def create_product(request: CareRequest) -> HttpResponse:
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            product = tariff_ops.create_product(
                code=data["code"],
                full_name=data["full_name"],
                display_name=data["display_name"],
                description=data["description"],
                kind=Product.Kind(data["kind"]),
                available_from=calendar.day_starts_at(data["available_from"]),
                is_standard_variable=data["is_standard_variable"],
                term_months=data["term_months"],
                fixed_until_date=data["fixed_until_date"],
                payment_methods=tuple(PaymentMethod(method) for method in data["payment_methods"]),
                meter_kinds=tuple(data["meter_kinds"]),
                exit_fee_electricity=data["exit_fee_electricity"] or Decimal(0),
                exit_fee_gas=data["exit_fee_gas"] or Decimal(0),
                missed_payment_fee=data["missed_payment_fee"] or Decimal(0),
                is_business=data["is_business"],
                actor=request.user,
                now=timezone.now(),
            )
        except tariff_ops.TariffRefused as exc:
            _show_refusal(form, exc, {name: name for name in form.fields})
        else:
            messages.success(request, f"Product {product.code} created. Add its tariffs below.")
            return redirect("care:tariffs")
    status = 400 if form.errors else 200
    return care_views._render(request, "care/tariffs_product_new.html", {"form": form}, status=status)


# --- Tariffs -------------------------------------------------------------------------------------------------------


@access.staff_required
def create_tariff(request: CareRequest, product_id: int) -> HttpResponse:
    product = care_views._found(tariff_queries.product_by_id(product_id), "No such product")
    form = TariffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        structure = Tariff.Structure(data["structure"])
        if structure == Tariff.Structure.TWO_RATE:
            bands = {UnitRate.DAY: data["day_rate_inc_vat"], UnitRate.NIGHT: data["night_rate_inc_vat"]}
        else:
            bands = {UnitRate.STANDARD: data["unit_rate_inc_vat"]}
        two_rate = structure == Tariff.Structure.TWO_RATE
        try:
            tariff = tariff_ops.create_tariff(
                product=product,
                fuel=Fuel(data["fuel"]),
                region=data["region"],
                structure=structure,
                payment_method=PaymentMethod(data["payment_method"]),
                standing_charge_exc_vat=tariff_queries.exc_vat(data["standing_charge_inc_vat"], VAT),
                unit_rates_exc_vat={band: tariff_queries.exc_vat(value, VAT) for band, value in bands.items()},
                valid_from=calendar.day_starts_at(data["valid_from"]),
                night_starts_at=data["night_starts_at"] if two_rate else None,
                night_ends_at=data["night_ends_at"] if two_rate else None,
                actor=request.user,
                now=timezone.now(),
            )
        except tariff_ops.TariffRefused as exc:
            _show_refusal(
                form,
                exc,
                {
                    "payment_method": "payment_method",
                    "region": "region",
                    "structure": "structure",
                    "unit_rates": "structure",
                    "night_starts_at": "night_starts_at",
                    "code": "payment_method",
                },
            )
        else:
            messages.success(request, f"Tariff {tariff.code} created.")
            return redirect("care:tariff", tariff_id=tariff.pk)
    status = 400 if form.errors else 200
    return care_views._render(
        request, "care/tariffs_tariff_new.html", {"form": form, "product": product}, status=status
    )


@access.staff_required
def tariff_detail(request: CareRequest, tariff_id: int) -> HttpResponse:
    tariff = care_views._found(tariff_queries.tariff_by_id(tariff_id), "No such tariff")
    bands = tariff_queries.bands_of(tariff)
    form = PriceChangeForm(request.POST or None, bands=bands)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        band = None if data["band"] == STANDING_CHARGE else data["band"]
        try:
            announced = price_changes.announce_price_change(
                tariff=tariff,
                band=band,
                value_exc_vat=tariff_queries.exc_vat(data["value_inc_vat"], VAT),
                valid_from=data["valid_from"],
                now=timezone.now(),
                actor=request.user,
            )
        except tariff_ops.TariffRefused as exc:
            _show_refusal(form, exc, {"valid_from": "valid_from", "value_exc_vat": "value_inc_vat", "band": "band"})
        except letters.LetterRefused as exc:
            form.add_error(None, f"Nothing was changed: a price change notice could not be issued. {exc}")
        else:
            what = "standing charge" if band is None else f"{band} unit rate"
            when = f"{data['valid_from']:%-d %B %Y}"
            told = len(announced.notices)
            messages.success(
                request,
                f"The {what} changes to {data['value_inc_vat']}p including VAT from {when}. "
                f"{told} customer{'' if told == 1 else 's'} sent a price change notice (T&C 4.3).",
            )
            return redirect("care:tariff", tariff_id=tariff.pk)
    history = _rows("Standing charge (p/day)", tariff_queries.rate_history(tariff=tariff, band=None).results)
    for band in bands:
        page = tariff_queries.rate_history(tariff=tariff, band=band)
        history += _rows(f"{band} unit rate (p/kWh)", page.results)
    status = 400 if form.errors else 200
    return care_views._render(
        request,
        "care/tariffs_tariff.html",
        {"tariff": tariff, "product": tariff.product, "history": history, "form": form},
        status=status,
    )
