"""Signing up (T&C 1.4, 2.1, 3.1, 9.2, 9.7): one operation makes everything, or refuses by field and keeps nothing."""

from datetime import date
from decimal import Decimal

import pytest

from hearth.data.accounts.models import Account, Customer, Fuel, Property, SupplyPoint
from hearth.data.contracts.models import Contract, ContractEvent, ContractNotice, Registration
from hearth.data.documents.models import Document
from hearth.data.identity.models import AccountLink, User
from hearth.data.payments.models import Mandate, PaymentArrangement
from hearth.data.tariffs.models import MeterKind, PaymentMethod, Product
from hearth.domain.contracts import quotes
from hearth.domain.contracts.sign_up import SignUpRefused, sign_up
from hearth.domain.documents import letters
from tests.integration.contracts.sign_up_support import (
    YORKSHIRE_MPAN,
    application,
    at,
    documents_folder,
    product,
)
from tests.integration.payments.support import FAILS_MODULUS

pytestmark = pytest.mark.django_db
__all__ = ["documents_folder"]

NOW = at(2026, 3, 1)  # Sunday 1 March 2026, 11:00


def test_one_operation_makes_the_customer_property_accounts_points_contracts_switches_payments_and_letters(
    mailoutbox,
) -> None:
    fixed = product()

    done = sign_up(application=application(fixed), channel=Contract.Channel.WEB, now=NOW)

    assert Customer.objects.get().name == "Jo Bloggs"
    home = Property.objects.get()
    assert (home.postcode, home.nation) == ("LS1 4AP", "ENGLAND")
    accounts = Account.objects.order_by("fuel")
    assert [a.fuel for a in accounts] == [Fuel.ELECTRICITY, Fuel.GAS]
    assert SupplyPoint.objects.count() == 2
    # Dual fuel: two accounts, two contracts (ADR 0013), each PENDING from today.
    assert len(done.contracts) == 2
    for contract in done.contracts:
        contract.refresh_from_db()
        assert contract.state == Contract.State.PENDING
        assert contract.origin == Contract.Origin.SIGN_UP
        assert contract.channel == Contract.Channel.WEB
        assert contract.commencement_date == date(2026, 3, 1)
        assert contract.cooling_off_end_date == date(2026, 3, 15)  # 1 March + 14 days, the 1st not counted
        assert contract.payment_method == "STANDARD_DIRECT_DEBIT"
    # The switch: the first working day after the cooling-off period: Sunday 15 March -> Monday 16 March.
    assert sorted(r.requested_start_date for r in Registration.objects.all()) == [date(2026, 3, 16)] * 2
    assert set(Registration.objects.values_list("direction", "state")) == {("GAIN", "REQUESTED")}
    # Payments: a Direct Debit per account, amounts from the quoted tariff's estimate.
    assert Mandate.objects.count() == 2
    for arrangement in PaymentArrangement.objects.all():
        assert arrangement.method == "STANDARD_DIRECT_DEBIT"
        assert arrangement.payment_day == 12
        assert arrangement.regular_amount is not None
        assert arrangement.regular_amount > 0
    # The Confirmation Correspondence, one per contract, recorded as notice and event.
    assert ContractNotice.objects.filter(kind=ContractNotice.Kind.CONFIRMATION).count() == 2
    assert Document.objects.filter(document_type__code="CONTRACT_CONFIRMATION").count() == 2
    assert ContractEvent.objects.filter(kind="confirmation", document__isnull=False).count() == 2
    # A portal login holding both accounts, its details e-mailed.
    login = User.objects.get(email="jo.bloggs@example.com")
    assert set(AccountLink.objects.filter(user=login).values_list("role", flat=True)) == {"HOLDER"}
    assert AccountLink.objects.filter(user=login).count() == 2
    assert any("Temporary password" in m.body for m in mailoutbox)


def test_the_confirmation_says_what_was_agreed() -> None:
    fixed = product(electricity=("20", "40"))
    done = sign_up(
        application=application(
            fixed, usage=quotes.Usage(fuels=(Fuel.ELECTRICITY,), meter=MeterKind.CREDIT), early_start=True
        ),
        channel=Contract.Channel.WEB,
        now=NOW,
    )
    [contract] = done.contracts
    [registration] = done.registrations
    # Early start: five working days after Sunday 1 March = Mon 2 .. Fri 6 March.
    assert registration.requested_start_date == date(2026, 3, 6)
    price = (
        quotes.quote(
            place=quotes.region_of_postcode("LS1 4AP"),
            usage=quotes.Usage(fuels=(Fuel.ELECTRICITY,), meter=MeterKind.CREDIT),
            at=NOW,
        )
        .options[0]
        .prices[0]
    )
    from hearth.domain.contracts.sign_up import confirmation_letter

    letter = confirmation_letter(
        contract=contract, price=price, supply_property=Property.objects.get(), start_date=date(2026, 3, 6)
    )
    facts = dict(letter.facts)
    assert facts["Commencement date"] == "1 Mar 2026"
    assert facts["Cooling-off ends"] == "15 Mar 2026"
    assert facts["Expected start of supply"] == "6 Mar 2026"
    assert facts["Payment method"] == "Monthly Direct Debit"
    assert facts["Exit fee"].startswith("£50.00")
    text = " ".join(letter.paragraphs + letter.after_table)
    assert "Sunday 15 March 2026" in text
    assert "opening meter readings" in text
    assert "pay for the energy used" in text  # the early start's consequence
    assert letter.table is not None
    rows = {row[0]: row[1] for row in letter.table.rows}
    assert rows["Unit rate"] == "21.00p per kWh"  # 20p + 5% VAT
    assert rows["Standing charge"] == "42.00p per day"  # 40p + 5% VAT
    assert letters.typst_input(letter, issue_date=date(2026, 3, 1))  # it prints


def test_a_payment_method_the_product_does_not_allow_is_refused_and_nothing_is_kept() -> None:
    fixed = product(payment_methods=(PaymentMethod.DIRECT_DEBIT,))

    with pytest.raises(SignUpRefused) as refused:
        sign_up(
            application=application(fixed, payment_method="STANDARD_CREDIT", bank_details=None),
            channel=Contract.Channel.WEB,
            now=NOW,
        )

    assert refused.value.field == "payment_method"
    assert "T&C 9.2" in str(refused.value)
    assert not Customer.objects.exists()
    assert not Contract.objects.exists()


def test_an_option_the_product_does_not_sell_is_refused() -> None:
    fixed = product(payment_methods=(PaymentMethod.DIRECT_DEBIT,))
    with pytest.raises(SignUpRefused) as refused:
        sign_up(
            application=application(
                fixed, tariff_method=PaymentMethod.STANDARD_CREDIT, payment_method="STANDARD_CREDIT"
            ),
            channel=Contract.Channel.WEB,
            now=NOW,
        )
    assert refused.value.field == "option"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mpan": "2500000000017"}, "mpan"),  # the check digit is 8
        ({"mpan": ""}, "mpan"),
        ({"mprn": "12"}, "mprn"),
        ({"postcode": "BT1 1AA"}, "postcode"),  # Northern Ireland: not supplied
        ({"postcode": "not one"}, "postcode"),
        ({"over_18": False}, "over_18"),
        ({"owns_or_occupies": False}, "owns_or_occupies"),
        ({"bank_details": None}, "account_number"),
        ({"bank_details": FAILS_MODULUS.details()}, "account_number"),
        ({"payment_day": 29}, "payment_method"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_kept(changes: dict[str, object], field: str) -> None:
    fixed = product()
    with pytest.raises(SignUpRefused) as refused:
        sign_up(application=application(fixed, **changes), channel=Contract.Channel.WEB, now=NOW)
    assert refused.value.field == field, str(refused.value)
    assert not Account.objects.exists()
    assert not Contract.objects.exists()


def test_the_mpan_decides_the_region_over_the_postcode() -> None:
    # A Yorkshire MPAN (distributor 23) at a Reading postcode (area RG: Southern, H) is priced in Yorkshire.
    yorkshire = product(region="M")
    done = sign_up(
        application=application(
            yorkshire,
            postcode="RG1 7AB",
            mpan=YORKSHIRE_MPAN,
            usage=quotes.Usage(fuels=(Fuel.ELECTRICITY,), meter=MeterKind.CREDIT),
        ),
        channel=Contract.Channel.WEB,
        now=NOW,
    )
    assert done.contracts[0].product == yorkshire


def test_standard_credit_needs_a_credit_check_which_is_kept_or_refuses() -> None:
    credit = product(kind=Product.Kind.VARIABLE, payment_methods=(PaymentMethod.STANDARD_CREDIT,))
    paid_on_bill = {"tariff_method": PaymentMethod.STANDARD_CREDIT, "payment_method": "STANDARD_CREDIT"}

    with pytest.raises(SignUpRefused) as refused:
        sign_up(application=application(credit, name="Refer Me", **paid_on_bill), channel="WEB", now=NOW)
    assert refused.value.field == "payment_method"
    assert "9.7" in str(refused.value)

    done = sign_up(application=application(credit, bank_details=None, **paid_on_bill), channel="WEB", now=NOW)
    assert {c.credit_check for c in done.contracts} == {"Passed the credit check (test agency)"}
    assert not Mandate.objects.exists()


def test_a_direct_debit_product_needs_no_credit_check() -> None:
    done = sign_up(application=application(product(), name="Refer Me"), channel="WEB", now=NOW)
    assert {c.credit_check for c in done.contracts} == {""}


def test_a_point_already_being_switched_to_us_is_refused() -> None:
    fixed = product()
    sign_up(application=application(fixed), channel="WEB", now=NOW)
    with pytest.raises(SignUpRefused) as refused:
        sign_up(application=application(fixed, email="other@example.com"), channel="WEB", now=NOW)
    assert refused.value.field == "mpan"
    assert Customer.objects.count() == 1


def test_on_the_website_an_address_with_a_login_is_not_linked_but_told_by_email(
    mailoutbox, django_capture_on_commit_callbacks
) -> None:
    fixed = product()
    existing = User.objects.create_user("jo.bloggs@example.com", "x-Password-1", kind=User.Kind.CUSTOMER)

    with django_capture_on_commit_callbacks(execute=True):
        done = sign_up(application=application(fixed), channel=Contract.Channel.WEB, now=NOW)

    assert done.login is None
    assert not AccountLink.objects.filter(user=existing).exists()
    [told] = [m for m in mailoutbox if "already has a Customer Portal login" in m.body]
    assert told.to == ["jo.bloggs@example.com"]
    assert done.contracts[0].account.number in told.body


def test_care_links_the_new_accounts_to_the_existing_login() -> None:
    fixed = product()
    existing = User.objects.create_user("jo.bloggs@example.com", "x-Password-1", kind=User.Kind.CUSTOMER)
    done = sign_up(application=application(fixed), channel=Contract.Channel.CARE, now=NOW)
    assert done.login == existing
    assert AccountLink.objects.filter(user=existing).count() == 2


def test_an_annual_payment_is_due_on_the_last_day_of_cooling_off() -> None:
    annual = product(payment_methods=(PaymentMethod.ANNUAL_DIRECT_DEBIT,))
    sign_up(
        application=application(
            annual,
            tariff_method=PaymentMethod.ANNUAL_DIRECT_DEBIT,
            payment_method="ANNUAL_DIRECT_DEBIT",
            payment_day=None,
        ),
        channel="WEB",
        now=NOW,
    )
    for arrangement in PaymentArrangement.objects.all():
        assert arrangement.annual_due_date == date(2026, 3, 15)  # T&C 9.2.1: within the cooling-off period
        assert arrangement.annual_amount is not None
        assert arrangement.annual_amount > Decimal(0)
