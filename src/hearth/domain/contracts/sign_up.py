"""Signing up (T&C 1.4, 2.1, 3.1, 5, 9.2, 9.7): one operation that turns an Application into contracts.

:func:`sign_up` does, in one transaction: the customer (or the one care chose), the property, an account per fuel
(ADR 0013: a dual-fuel sign-up is two accounts and two contracts), each supply point registered (the MPAN or MPRN is
required and checked at sign-up: a switch cannot be requested without it, and it decides the region), a PENDING
contract per account entered into today (the Commencement Date) with its cooling-off period's last day, the payment
arrangement (Direct Debit with the bank details given; a method the product does not allow is refused, 9.2), a
switch to us per supply point starting after the cooling-off period or, if the customer asked, within it, the
credit check where the tariff needs one (9.7), a portal login, and the **Confirmation Correspondence** (2.1) for
each contract, recorded as a ``ContractNotice`` and on the contract's timeline. If any step is refused nothing is
kept, and :class:`SignUpRefused` names the field.

**Logins and enumeration.** On the website a stranger can type anyone's e-mail address, so an address that already
has a login is neither revealed nor given the new accounts: the page answers the same, and the address is sent an
e-mail saying an application used it and how to have the accounts added (care checks it is them). Care staff, who
have checked who they speak to, link the accounts to that login (``identity.operations.create_portal_login``).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

from hearth.common import calendar
from hearth.data.accounts.models import Account, Customer, Fuel, Property, Supply
from hearth.data.contracts.models import Contract, ContractNotice, Registration
from hearth.data.documents.models import Document
from hearth.data.identity.models import AccountLink, User
from hearth.data.payments.models import PaymentArrangement
from hearth.data.tariffs.models import Product
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.contracts import credit_checks, quotes, registrations
from hearth.domain.documents import letters
from hearth.domain.identity import operations as identity_ops
from hearth.domain.identity import queries as identity_queries
from hearth.domain.payments import arrangements, collections, estimates, methods, schedule
from hearth.domain.payments import operations as payment_ops
from hearth.domain.tariffs import contracts as contract_states

Method = PaymentArrangement.Method
CONFIRMATION_TYPE = "CONTRACT_CONFIRMATION"


class SignUpRefused(Exception):
    """The application cannot be accepted as it is; ``field`` names what to change and the message says why."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Application:
    """What the customer (or care staff for them) typed (T&C 2.1 "Application").

    ``option_key`` is a quote option's key (product and the way it is paid); ``payment_method`` the arrangement's
    (``PaymentArrangement.Method``), which must suit it. ``over_18`` and ``owns_or_occupies`` are the warranties of
    3.1.1 and 3.1.2; ``early_start`` asks for supply within the cooling-off period.
    """

    name: str
    email: str
    phone: str
    address_line_1: str
    address_line_2: str
    town: str
    postcode: str
    usage: quotes.Usage
    option_key: str
    payment_method: str
    payment_day: int | None
    bank_details: arrangements.BankDetails | None
    mpan: str
    mprn: str
    early_start: bool
    over_18: bool
    owns_or_occupies: bool


@dataclass(frozen=True, slots=True)
class SignedUp:
    customer: Customer
    contracts: tuple[Contract, ...]
    registrations: tuple[Registration, ...]
    confirmations: tuple[Document, ...]
    login: User | None


def _checked(application: Application) -> None:
    """The warranties (3.1) and the typed basics, before anything is looked up."""
    if not application.over_18:
        raise SignUpRefused("You must be 18 or over to sign up (T&C 3.1.2).", field="over_18")
    if not application.owns_or_occupies:
        raise SignUpRefused(
            "You must own or occupy the property and be responsible for paying its energy bills (T&C 3.1.1).",
            field="owns_or_occupies",
        )
    if not application.usage.fuels:
        raise SignUpRefused("Choose electricity, gas or both.", field="fuels")
    for field, value in (("address_line_1", application.address_line_1), ("town", application.town)):
        if not value.strip():
            raise SignUpRefused("Give the property's address.", field=field)


def _identifiers(application: Application) -> dict[Fuel, str]:
    """Each fuel's MPAN core or MPRN, normalised; one missing or failing its check is refused by field."""
    found = {}
    for fuel in application.usage.fuels:
        field, typed = ("mpan", application.mpan) if fuel == Fuel.ELECTRICITY else ("mprn", application.mprn)
        name = "MPAN (the 13-digit core on your electricity bill)" if field == "mpan" else "MPRN (on your gas bill)"
        if not typed.strip():
            raise SignUpRefused(f"Give the {name}: we need it to switch your supply.", field=field)
        try:
            found[fuel] = accounts_ops.validated_identifier(fuel=fuel, identifier=typed)
        except accounts_ops.InvalidSupplyPoint as exc:
            raise SignUpRefused(f"{exc} Check the {name}.", field=field) from exc
    return found


def _chosen_option(application: Application, place: quotes.Place, now: datetime) -> quotes.Option:
    option = quotes.quote(place=place, usage=application.usage, at=now).option(application.option_key)
    if option is None:
        raise SignUpRefused(
            f"That product is not available for your meter in {place.region_name} any more: choose another.",
            field="option",
        )
    method = application.payment_method
    if method not in Method.values or not methods.suits_tariff(method, option.payment_method):
        allowed = " or ".join(
            Method(code).label.lower() for code in Method.values if methods.suits_tariff(code, option.payment_method)
        )
        raise SignUpRefused(
            f"{option.product.display_name} ({option.payment_method_label.lower()}) must be paid by {allowed} "
            "(T&C 9.2).",
            field="payment_method",
        )
    if method in methods.DIRECT_DEBIT_METHODS and application.bank_details is None:
        raise SignUpRefused("Give the bank account your Direct Debit will be paid from.", field="account_number")
    return option


def _credit_check(application: Application, option: quotes.Option) -> str:
    """The outcome kept on the contract ("" where the tariff needs none); a referral is a refusal (9.7)."""
    if not option.credit_check:
        return ""
    try:
        result = credit_checks.configured_credit_check().check(
            credit_checks.Applicant(
                name=application.name, address_line_1=application.address_line_1, postcode=application.postcode
            )
        )
    except credit_checks.CreditCheckUnavailable as exc:
        raise SignUpRefused(f"We cannot make the credit check this tariff needs just now: {exc}") from exc
    if not result.passed:
        raise SignUpRefused(
            f"{option.product.display_name} paid on receipt of the bill needs a credit check, which we could not "
            "pass (T&C 9.7). You can still join paying by Direct Debit.",
            field="payment_method",
        )
    return result.summary


def _arrange_payment(
    *, account: Account, application: Application, price: quotes.FuelPrice, actor: User | None, now: datetime
) -> None:
    """The arrangement with amounts from the quoted tariff (the account is not supplied yet), and the mandate and
    its first collections' advance notice for a Direct Debit."""
    estimate = estimates.tariff_estimate(tariffs=[(price.tariff, price.annual_kwh)], is_business=False, at=now)
    method, day = application.payment_method, application.payment_day
    try:
        if method in methods.DIRECT_DEBIT_METHODS:
            assert application.bank_details is not None  # checked by _chosen_option
            payment_ops.set_up_direct_debit(
                account=account,
                method=method,
                payment_day=day,
                details=application.bank_details,
                actor=actor,
                now=now,
                estimate=estimate,
            )
        else:
            arrangements.set_payment_method(
                account=account,
                method=method,
                payment_day=None,
                signed_up_date=calendar.local_date(now),
                balance=Decimal("0.00"),
                actor=actor,
                now=now,
                estimate=estimate,
            )
    except arrangements.PaymentRefused as exc:
        raise SignUpRefused(str(exc), field=exc.field or "payment_method") from exc
    except (estimates.EstimateUnavailable, collections.ScheduleRefused) as exc:
        raise SignUpRefused(f"We cannot set up your payments: {exc}", field="payment_method") from exc


def _price_rows(price: quotes.FuelPrice) -> tuple[tuple[str, str], ...]:
    band_names = {"STANDARD": "Unit rate", "DAY": "Day unit rate", "NIGHT": "Night unit rate"}
    rows = [(band_names.get(band, band.title()), f"{value:.2f}p per kWh") for band, value in price.unit_rates_inc_vat]
    rows.append(("Standing charge", f"{price.standing_charge_inc_vat:.2f}p per day"))
    rows.append((f"Estimated cost of {price.annual_kwh:,.0f} kWh a year", f"£{price.annual_cost:,.2f}"))
    return tuple(rows)


def confirmation_letter(
    *, contract: Contract, price: quotes.FuelPrice, supply_property: Property, start_date: date
) -> letters.Letter:
    """The Confirmation Correspondence (T&C 2.1) of one contract: what was agreed, the prices with VAT, the exit
    fee and term, the Commencement Date, the cooling-off period's last day, the expected Start of Supply Date, how it
    is paid, and that opening readings will be asked for (5.4)."""
    product = contract.product
    fuel = Fuel(contract.account.fuel).label.lower()
    exit_fee = (
        f"£{price.exit_fee:,.2f} if you leave before the fixed term ends (not in the cooling-off period)"
        if price.exit_fee
        else "None"
    )
    early = (
        " You asked us to start within your cooling-off period: if you cancel after supply has started you pay for "
        "the energy used until then, but no exit fee."
        if contract.supply_requested_early
        else ""
    )
    address = ", ".join(part for part in (supply_property.address_line_1, supply_property.postcode) if part)
    return letters.Letter(
        account=contract.account,
        type_code=CONFIRMATION_TYPE,
        reference=f"CONF-{contract.account.number}-{contract.pk}",
        title=f"Your {fuel} contract: {product.display_name}",
        paragraphs=(
            f"Thank you for choosing us. This confirms your contract for the supply of {fuel} to {address}, "
            f"entered into on {contract.commencement_date:%-d %B %Y}, the Commencement Date (T&C 1.4, 2.1).",
            f"You can cancel without any charge until the end of {contract.cooling_off_end_date:%A %-d %B %Y}, the "
            "last day of your 14-day cooling-off period (T&C 2.1, 4.4): in your online account under My contract, "
            "or by calling us.",
            f"We expect to start supplying you on {start_date:%-d %B %Y}, the Start of Supply Date (T&C 5.3)." + early,
            "Shortly before then we will ask you for opening meter readings: please send them on or shortly before "
            "that day (T&C 5.4).",
            f"Your prices, including VAT at 5%, from the Start of Supply Date ({term_sentence(product)}):",
        ),
        table=letters.Table(header=("", "Including VAT"), rows=_price_rows(price)),
        facts=(
            ("Product", product.display_name),
            ("Commencement date", f"{contract.commencement_date:%-d %b %Y}"),
            ("Cooling-off ends", f"{contract.cooling_off_end_date:%-d %b %Y}"),
            ("Expected start of supply", f"{start_date:%-d %b %Y}"),
            ("Payment method", Method(contract.payment_method).label),
            ("Exit fee", exit_fee),
        ),
        after_table=tuple(
            line
            for line in (
                f"The price plan and payment method are part of your contract (T&C 9.8): you pay by "
                f"{Method(contract.payment_method).label.lower()}.",
                f"Credit check (T&C 9.7): {contract.credit_check}." if contract.credit_check else "",
            )
            if line
        ),
        clause="2.1",
    )


def term_sentence(product: Product) -> str:
    return quotes.term_words(product).lower()


def _confirm(
    *,
    contract: Contract,
    price: quotes.FuelPrice,
    supply_property: Property,
    start_date: date,
    actor: User | None,
    now: datetime,
) -> Document:
    """Issue the Confirmation Correspondence and record it as the contract's notice and on its timeline."""
    document = letters.issue_letter(
        letter=confirmation_letter(
            contract=contract, price=price, supply_property=supply_property, start_date=start_date
        ),
        now=now,
    )
    ContractNotice.objects.create(
        contract=contract,
        kind=ContractNotice.Kind.CONFIRMATION,
        document=document,
        issued_at=now,
        deemed_delivered_date=collections.notice_deemed_delivered(
            account=contract.account, type_code=CONFIRMATION_TYPE, now=now
        ),
        effective_date=contract.commencement_date,
    )
    contract_states.record_event(
        contract=contract,
        kind="confirmation",
        summary=f"Confirmation Correspondence sent ({document.reference})",
        at=now,
        document=document,
        actor=actor,
    )
    return document


def _tell_existing_login(email: str, accounts: list[Account]) -> None:
    """The website's answer to an address that already has a login: an e-mail to it, nothing linked (see the
    module docstring)."""
    brand = settings.HEARTH_BRAND
    body = render_to_string(
        "email/sign_up_existing_login.txt", {"brand": brand, "numbers": [account.number for account in accounts]}
    )
    EmailMessage(subject=f"Your application to {brand['name']}", body=body, to=[email]).send()


def _login(*, email: str, accounts: list[Account], channel: str, actor: User | None, now: datetime) -> User | None:
    """The portal login of the new accounts, created with details e-mailed (see the module docstring)."""
    if not email.strip():
        return None
    existing = identity_queries.portal_login_by_email(email=email)
    if existing is not None and channel == Contract.Channel.WEB:
        transaction.on_commit(lambda: _tell_existing_login(existing.email, accounts))
        return None
    try:
        user = identity_ops.create_portal_login(
            account=accounts[0], email=email, role=AccountLink.Role.HOLDER, actor=actor, now=now
        )
    except identity_ops.LoginRefused as exc:
        if channel == Contract.Channel.WEB:
            return None  # a staff address: answered like any other, nothing created
        raise SignUpRefused(str(exc), field="email") from exc
    for account in accounts[1:]:
        identity_ops.link_account(user=user, account=account, role=AccountLink.Role.HOLDER, actor=actor, now=now)
    return user


def _refuse_supplied(supply_point_fuel: Fuel, identifier: str) -> None:
    if Supply.objects.filter(
        supply_point__fuel=supply_point_fuel, supply_point__identifier=identifier, valid_to__isnull=True
    ).exists():
        field = "mpan" if supply_point_fuel == Fuel.ELECTRICITY else "mprn"
        raise SignUpRefused(
            "We already supply this meter point. If you have moved in, call us and we will put the account in your "
            "name.",
            field=field,
        )


def sign_up(
    *,
    application: Application,
    channel: str,
    now: datetime,
    actor: User | None = None,
    customer: Customer | None = None,
) -> SignedUp:
    """Accept ``application``: everything in the module docstring, in one transaction.

    ``channel`` is ``Contract.Channel.WEB`` or ``CARE``; ``actor`` the care agent (None on the website);
    ``customer`` an existing customer care chose (None: a new one from the application's name and contacts).

    :raises SignUpRefused: a warranty not given, a bad or missing MPAN/MPRN or postcode, a product no longer
        available, a payment method the product does not allow (9.2), missing or bad bank details, a failed credit
        check (9.7), or a supply point we already supply or are already switching.
    """
    _checked(application)
    mpan = application.mpan if Fuel.ELECTRICITY in application.usage.fuels else ""
    try:
        place = quotes.region_of_postcode(application.postcode, mpan=mpan)
    except quotes.QuoteRefused as exc:
        raise SignUpRefused(str(exc), field=exc.field) from exc
    identifiers = _identifiers(application)
    for fuel, identifier in identifiers.items():
        _refuse_supplied(fuel, identifier)
    option = _chosen_option(application, place, now)
    if customer is None and not application.name.strip():
        raise SignUpRefused("Give your full name.", field="name")
    credit_check = _credit_check(application, option)
    today = calendar.local_date(now)
    cooling_off_end = schedule.cooling_off_ends(today)
    start_date = registrations.switch_start_date(
        commencement_date=today, cooling_off_end_date=cooling_off_end, early=application.early_start
    )
    with transaction.atomic():
        if customer is None:
            customer = accounts_ops.create_customer(
                kind=Customer.Kind.PERSON,
                name=application.name,
                contact_email=application.email,
                contact_phone=application.phone.strip(),
                now=now,
            )
        home = accounts_ops.create_property(
            address_line_1=application.address_line_1.strip(),
            address_line_2=application.address_line_2.strip(),
            town=application.town.strip(),
            postcode=place.postcode,
            nation=place.nation,
        )
        made: list[tuple[Contract, quotes.FuelPrice]] = []
        opened: list[Registration] = []
        for price in option.prices:
            fuel = Fuel(price.fuel)
            account = accounts_ops.open_account(customer=customer, fuel=fuel, billing_property=home, now=now)
            supply_point = accounts_ops.register_supply_point(
                fuel=fuel,
                identifier=identifiers[fuel],
                supply_property=home,
                profile_class=("02" if application.usage.economy_7 else "01") if fuel == Fuel.ELECTRICITY else "",
                annual_consumption_kwh=price.annual_kwh if application.usage.kwh_given(fuel) else None,
            )
            contract = contract_states.enter_contract(
                account=account,
                product=option.product,
                payment_method=application.payment_method,
                origin=Contract.Origin.SIGN_UP,
                channel=channel,
                commencement_date=today,
                cooling_off_end_date=cooling_off_end,
                now=now,
                actor=actor,
                supply_requested_early=application.early_start,
                credit_check=credit_check,
            )
            try:
                opened.append(
                    registrations.open_gain(
                        contract=contract, supply_point=supply_point, requested_start_date=start_date, now=now
                    )
                )
            except registrations.RegistrationRefused as exc:
                raise SignUpRefused(str(exc), field="mpan" if fuel == Fuel.ELECTRICITY else "mprn") from exc
            _arrange_payment(account=account, application=application, price=price, actor=actor, now=now)
            made.append((contract, price))
        login = _login(
            email=application.email, accounts=[c.account for c, _ in made], channel=channel, actor=actor, now=now
        )
        confirmations = tuple(
            _confirm(contract=contract, price=price, supply_property=home, start_date=start_date, actor=actor, now=now)
            for contract, price in made
        )
    return SignedUp(
        customer=customer,
        contracts=tuple(contract for contract, _ in made),
        registrations=tuple(opened),
        confirmations=confirmations,
        login=login,
    )
