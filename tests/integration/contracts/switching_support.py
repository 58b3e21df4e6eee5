"""What the switching tests share: a household signing up to switch to us, a fake switching service, and messages.

Accounts and points are made through the domain operations. The supply point's MPAN starts 12 (London, region C),
so the tariff is found for it as for a point we have never supplied.
"""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count

from hearth.data.accounts.models import Account, Customer, Fuel, Nation, SupplyPoint
from hearth.data.contracts.models import Contract, Registration
from hearth.data.metering.models import Meter, Register
from hearth.data.tariffs.models import PaymentMethod, Product, Tariff
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.contracts import registrations
from hearth.domain.contracts.switching import Message, ReceivedFile, file_text, read_file_text
from hearth.domain.tariffs import contracts
from tests.integration.payments.account_support import at, tariff

_WEIGHTS = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)
_serials = count(1)


class FakeSwitching:
    """The switching service in memory: what we sent, and files waiting for us until acknowledged."""

    def __init__(self) -> None:
        self.sent: list[list[Message]] = []
        self.waiting: list[ReceivedFile] = []
        self.acknowledged: list[str] = []

    def send(self, messages: Sequence[Message], *, now: datetime) -> str:
        self.sent.append(list(messages))
        return f"FAKE-OUT-{len(self.sent)}.txt"

    def receive(self) -> list[ReceivedFile]:
        return [received for received in self.waiting if received.name not in self.acknowledged]

    def acknowledge(self, file_name: str) -> None:
        self.acknowledged.append(file_name)

    def deliver(self, *messages: Message, now: datetime) -> str:
        name = f"FAKE-IN-{len(self.waiting) + 1}.txt"
        self.waiting.append(read_file_text(name, file_text(name, messages, now=now)))
        return name

    def kinds_sent(self) -> list[str]:
        return [message.kind for batch in self.sent for message in batch]


def london_mpan() -> str:
    first_twelve = f"12{next(_serials) + 500:010d}"
    check = sum(int(d) * w for d, w in zip(first_twelve, _WEIGHTS, strict=True)) % 11 % 10
    return f"{first_twelve}{check}"


def fixed_tariff(*, fuel: Fuel = Fuel.ELECTRICITY, fee: str = "75.00") -> Tariff:
    """A 12-month fixed tariff paid by Direct Debit, with an exit fee of ``fee`` for each fuel."""
    chosen = tariff(fuel=fuel, kind=Product.Kind.FIXED, payment_methods=(PaymentMethod.DIRECT_DEBIT,))
    Product.objects.filter(pk=chosen.product_id).update(exit_fee_electricity=Decimal(fee), exit_fee_gas=Decimal(fee))
    chosen.product.refresh_from_db()
    return chosen


def new_household(*, email: str = "", fuel: Fuel = Fuel.ELECTRICITY) -> tuple[Account, SupplyPoint]:
    """A customer with an account and a supply point (with a meter) we do not supply yet."""
    serial = next(_serials)
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON,
        name="Riley Shaw",
        contact_email=email or f"switcher{serial}@example.com",
        now=at(date(2026, 1, 1)),
    )
    home = accounts_ops.create_property(
        address_line_1=f"{serial} Orchard Row", town="London", postcode="E1 6AN", nation=Nation.ENGLAND
    )
    account = accounts_ops.open_account(customer=customer, fuel=fuel, billing_property=home, now=at(date(2026, 1, 1)))
    gas = fuel == Fuel.GAS
    point = accounts_ops.register_supply_point(
        fuel=fuel,
        identifier=f"{7300000000 + serial}" if gas else london_mpan(),
        supply_property=home,
        profile_class="" if gas else "01",
    )
    accounts_ops.install_meter(
        supply_point=point,
        serial_number=f"SW{serial:07d}",
        kind=Meter.Kind.CREDIT,
        installed_at=at(date(2020, 1, 1)),
        registers=[("G" if gas else "S", Register.Rate.STANDARD)],
        gas_units=Meter.GasUnits.METRIC if gas else None,
    )
    return account, point


def signed_up(
    account: Account,
    point: SupplyPoint,
    product: Product,
    *,
    on: date,
    payment_method: str = "STANDARD_DIRECT_DEBIT",
) -> tuple[Contract, Registration]:
    """A sign-up on ``on``: a PENDING contract and its switch to us, asked for the first working day after
    cooling-off."""
    cooling_off_end = on + timedelta(days=14)
    contract = contracts.enter_contract(
        account=account,
        product=product,
        payment_method=payment_method,
        origin=Contract.Origin.SIGN_UP,
        commencement_date=on,
        cooling_off_end_date=cooling_off_end,
        now=at(on),
    )
    registration = registrations.open_gain(
        contract=contract,
        supply_point=point,
        requested_start_date=registrations.switch_start_date(
            commencement_date=on, cooling_off_end_date=cooling_off_end, early=False
        ),
        now=at(on),
    )
    return contract, registration


def tariff_of(product: Product) -> Tariff:
    return Tariff.objects.filter(product=product).first()  # type: ignore[return-value]


def supplied_household(
    product: Product, *, start: date, payment_method: str = "STANDARD_DIRECT_DEBIT", fuel: Fuel = Fuel.ELECTRICITY
) -> tuple[Account, SupplyPoint, Contract]:
    """A household we supply from ``start`` under a LIVE contract for ``product`` (signed up 15 days before)."""
    account, point = new_household(fuel=fuel)
    signed = start - timedelta(days=15)
    contract = contracts.enter_contract(
        account=account,
        product=product,
        payment_method=payment_method,
        origin=Contract.Origin.SIGN_UP,
        commencement_date=signed,
        cooling_off_end_date=signed + timedelta(days=14),
        now=at(signed),
    )
    chosen = Tariff.objects.filter(product=product, fuel=fuel).first()
    assert chosen is not None
    contract = contracts.start_supply(contract=contract, start_date=start, placements=[(point, chosen)], now=at(start))
    return account, point, contract
