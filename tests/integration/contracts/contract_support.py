"""What the contract page tests share: a customer's electricity account with a supply point, and contracts on it
entered into and started through the state machine (``tariffs.contracts``), as the flows will."""

from datetime import date, datetime
from decimal import Decimal
from itertools import count

from hearth.data.accounts.models import Account, Customer, Fuel, Nation, SupplyPoint
from hearth.data.contracts.models import Contract, ContractNotice
from hearth.data.tariffs.models import PaymentMethod, Product, Tariff
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.documents.letters import Letter, issue_letter
from hearth.domain.tariffs import contracts
from tests.integration.payments.account_support import LONDON, _mpan_core, tariff

SIGNED_UP = datetime(2026, 3, 1, 11, tzinfo=LONDON)
"""Sunday 1 March 2026: the sign-up; cooling-off's last day is Sunday 15 March (1 + 14, the first day not counted)."""
EXIT_FEE = Decimal("75.00")

_serials = count(1)


def fixed_tariff() -> Tariff:
    """A 12-month fixed product with a £75 electricity exit fee, paid by Direct Debit."""
    fixed = tariff(kind=Product.Kind.FIXED, payment_methods=(PaymentMethod.DIRECT_DEBIT,))
    Product.objects.filter(pk=fixed.product_id).update(exit_fee_electricity=EXIT_FEE, display_name="Hearth Fix 12")
    fixed.product.refresh_from_db()
    return fixed


def new_account(name: str = "Ada Switcher") -> tuple[Account, SupplyPoint]:
    serial = next(_serials)
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name=name, contact_email=f"ada{serial}@example.com", now=SIGNED_UP
    )
    home = accounts_ops.create_property(
        address_line_1=f"{serial} Mill Lane", town="Leeds", postcode="LS1 4AP", nation=Nation.ENGLAND
    )
    account = accounts_ops.open_account(customer=customer, fuel=Fuel.ELECTRICITY, billing_property=home, now=SIGNED_UP)
    point = accounts_ops.register_supply_point(
        fuel=Fuel.ELECTRICITY, identifier=_mpan_core(500 + serial), supply_property=home, profile_class="01"
    )
    return account, point


def signed_up(account: Account, product: Product, *, origin: str = Contract.Origin.SIGN_UP) -> Contract:
    """A contract entered into on 1 March 2026 with the cooling-off period to 15 March."""
    return contracts.enter_contract(
        account=account,
        product=product,
        payment_method="STANDARD_DIRECT_DEBIT",
        origin=origin,
        commencement_date=date(2026, 3, 1),
        cooling_off_end_date=date(2026, 3, 15),
        now=SIGNED_UP,
    )


def supplied(account: Account, point: SupplyPoint, on: Tariff, start: date = date(2026, 3, 15)) -> Contract:
    """A contract signed up on 1 March 2026 and supplying from ``start`` (by default 15 March 2026: fixed prices
    to 14 March 2027)."""
    return contracts.start_supply(
        contract=signed_up(account, on.product), start_date=start, placements=[(point, on)], now=SIGNED_UP
    )


def notice(contract: Contract, kind: str, issued_at: datetime, *, key: str = "") -> ContractNotice:
    """A notice about ``contract`` issued as a letter at ``issued_at`` (not delivered: the page only lists it)."""
    document = issue_letter(
        letter=Letter(
            account=contract.account,
            type_code="RENEWAL_STATEMENT" if kind == ContractNotice.Kind.RENEWAL_STATEMENT else "NOTICE",
            reference=f"CN-{contract.pk}-{kind[:10]}",
            title="About your contract",
            paragraphs=("Your fixed prices end soon.",),
        ),
        now=issued_at,
        deliver=False,
    )
    return ContractNotice.objects.create(
        contract=contract,
        kind=kind,
        key=key,
        document=document,
        issued_at=issued_at,
        deemed_delivered_date=issued_at.date(),
    )
