"""What care staff record on an account: payments, credits, additional charges (T&C 11), late-payment interest
(T&C 10.1.8) and billing obstructions — each checked, posted or kept, and audited."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from hearth.data.accounts.models import Account, Customer, Fuel, Nation
from hearth.data.audit.models import AuditEvent
from hearth.data.billing.models import AdditionalCharge, BaseRate, BillingObstruction, LedgerEntry
from hearth.data.identity.models import User
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.billing import operations as billing_ops
from hearth.domain.billing import queries as billing_queries

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)
Kind = AdditionalCharge.Kind


def _account(fuel: Fuel = Fuel.ELECTRICITY) -> Account:
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name="Jo Bloggs", contact_email="jo@example.com", now=NOW
    )
    place = accounts_ops.create_property(
        address_line_1="1 Mill Street", town="Leeds", postcode="LS1 4AP", nation=Nation.ENGLAND
    )
    return accounts_ops.open_account(customer=customer, fuel=fuel, billing_property=place, now=NOW)


@pytest.fixture
def account() -> Account:
    return _account()


@pytest.fixture
def agent() -> User:
    return User.objects.create_user("casey@hearth.example", kind=User.Kind.STAFF)


@pytest.fixture
def base_rates() -> None:
    """Only the base rates a test sets (the migration seeds the Bank's real ones)."""
    BaseRate.objects.all().delete()


def _charge(
    account: Account,
    agent: User,
    kind: Kind,
    *,
    amount: Decimal | None = None,
    incurred_date: date = date(2026, 7, 20),
    reason: str = "Raised by care",
    meter_proved_accurate: bool | None = None,
) -> AdditionalCharge:
    return billing_ops.raise_additional_charge(
        account=account,
        kind=kind,
        amount=amount,
        incurred_date=incurred_date,
        reason=reason,
        meter_proved_accurate=meter_proved_accurate,
        actor=agent,
        now=NOW,
    )


def _audited(action: str) -> AuditEvent:
    return AuditEvent.objects.get(action=action)


def test_a_payment_reduces_the_balance_and_is_audited(account, agent):
    entry = billing_ops.record_payment(
        account=account,
        amount=Decimal("45.10"),
        reference="BACS 991",
        reason="Paid by bank transfer",
        actor=agent,
        now=NOW,
    )
    assert (entry.kind, entry.amount, entry.external_reference) == (
        LedgerEntry.Kind.PAYMENT,
        Decimal("-45.10"),
        "BACS 991",
    )
    assert billing_queries.balance_of(account) == Decimal("-45.10")
    event = _audited("billing.payment_recorded")
    assert (event.actor, event.customer, event.after["amount"]) == (agent, account.customer, "45.10")


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5.00"), Decimal("10.005")])
def test_a_payment_must_be_a_positive_sum_in_whole_pence(account, agent, amount):
    with pytest.raises(billing_ops.BillingRefused):
        billing_ops.record_payment(account=account, amount=amount, reference="", reason="", actor=agent, now=NOW)
    assert not LedgerEntry.objects.exists()


def test_a_credit_needs_a_reason_and_is_audited(account, agent):
    with pytest.raises(billing_ops.BillingRefused, match="reason"):
        billing_ops.record_credit(account=account, amount=Decimal("20.00"), reason="  ", actor=agent, now=NOW)
    entry = billing_ops.record_credit(
        account=account, amount=Decimal("20.00"), reason="Goodwill for a missed call-back", actor=agent, now=NOW
    )
    assert (entry.kind, entry.amount, entry.reason) == ("CREDIT", Decimal("-20.00"), "Goodwill for a missed call-back")
    assert _audited("billing.credit_recorded").after["reason"] == "Goodwill for a missed call-back"


def test_the_ledger_runs_its_balance_in_posting_order(account, agent):
    billing_ops.record_credit(account=account, amount=Decimal("5.00"), reason="Goodwill", actor=agent, now=NOW)
    billing_ops.record_payment(
        account=account,
        amount=Decimal("12.34"),
        reference="CARD 1",
        reason="",
        actor=agent,
        now=datetime(2026, 8, 1, tzinfo=UTC),
    )
    rows = billing_queries.ledger_of(account)
    # The payment was made earlier, so it comes first: -12.34, then -12.34 - 5.00 = -17.34.
    assert [(row.entry.kind, row.balance) for row in rows] == [
        ("PAYMENT", Decimal("-12.34")),
        ("CREDIT", Decimal("-17.34")),
    ]


@pytest.mark.parametrize("kind", [Kind.MISSED_APPOINTMENT, Kind.FALSE_GAS_EMERGENCY])
def test_a_missed_appointment_and_a_false_gas_emergency_are_the_fixed_70_pounds(agent, kind):
    gas_account = _account(Fuel.GAS)
    charge = _charge(gas_account, agent, kind)
    assert charge.amount == Decimal("70.00")
    assert charge.bill is None
    assert _charge(gas_account, agent, kind, amount=Decimal("70.00")).amount == Decimal("70.00")
    with pytest.raises(billing_ops.BillingRefused, match=r"fixed £70\.00"):
        _charge(gas_account, agent, kind, amount=Decimal("65.00"))


def test_a_false_gas_emergency_is_not_charged_to_an_electricity_account(account, agent):
    with pytest.raises(billing_ops.BillingRefused, match="gas account"):
        _charge(account, agent, Kind.FALSE_GAS_EMERGENCY)


def test_a_meter_accuracy_test_is_charged_only_when_the_meter_proved_accurate(account, agent):
    with pytest.raises(billing_ops.BillingRefused, match="found inaccurate, so the test is free"):
        _charge(account, agent, Kind.METER_ACCURACY_TEST, amount=Decimal("95.00"), meter_proved_accurate=False)
    with pytest.raises(billing_ops.BillingRefused, match="record the test's result first"):
        _charge(account, agent, Kind.METER_ACCURACY_TEST, amount=Decimal("95.00"), meter_proved_accurate=None)
    assert not AdditionalCharge.objects.exists()
    charge = _charge(account, agent, Kind.METER_ACCURACY_TEST, amount=Decimal("95.00"), meter_proved_accurate=True)
    assert charge.amount == Decimal("95.00")
    event = _audited("billing.charge_raised")
    assert (event.after["kind"], event.after["amount"]) == ("METER_ACCURACY_TEST", "95.00")


def test_a_charge_without_a_fixed_sum_needs_an_amount_and_a_past_day(account, agent):
    with pytest.raises(billing_ops.BillingRefused, match="Give the amount"):
        _charge(account, agent, Kind.METER_REPAIR)
    with pytest.raises(billing_ops.BillingRefused, match="in the future"):
        _charge(account, agent, Kind.METER_REPAIR, amount=Decimal("120.00"), incurred_date=date(2026, 8, 4))
    with pytest.raises(billing_ops.BillingRefused, match="reason"):
        _charge(account, agent, Kind.METER_REPAIR, amount=Decimal("120.00"), reason="")


def test_interest_is_not_raised_as_an_ordinary_charge(account, agent):
    with pytest.raises(billing_ops.BillingRefused, match="interest"):
        _charge(account, agent, Kind.LATE_PAYMENT_INTEREST, amount=Decimal("3.00"))


@pytest.mark.usefixtures("base_rates")
def test_late_payment_interest_is_4_percent_above_the_base_rate_in_force_each_day(account, agent):
    BaseRate.objects.create(effective_date=date(2025, 12, 18), percent=Decimal("3.75"))
    BaseRate.objects.create(effective_date=date(2026, 2, 5), percent=Decimal("3.50"))
    BaseRate.objects.create(effective_date=date(2026, 5, 7), percent=Decimal("3.25"))
    charge = billing_ops.apply_late_payment_interest(
        account=account,
        principal=Decimal("250.00"),
        start_date=date(2026, 1, 15),
        end_date=date(2026, 6, 1),
        actor=agent,
        now=NOW,
    )
    # 15 Jan - 4 Feb: 21 days at 7.75%: 250 x 0.0775 x 21 / 365 = £1.11473 -> £1.11
    # 5 Feb - 6 May: 91 days at 7.50%: 250 x 0.075 x 91 / 365 = £4.67466 -> £4.67
    # 7 May - 31 May: 25 days at 7.25%: 250 x 0.0725 x 25 / 365 = £1.24144 -> £1.24; together £7.02.
    parts = [(p["start_date"], p["days"], p["annual_rate_percent"], p["interest"]) for p in charge.details["parts"]]
    assert parts == [
        ("2026-01-15", 21, "7.75", "1.11"),
        ("2026-02-05", 91, "7.50", "4.67"),
        ("2026-05-07", 25, "7.25", "1.24"),
    ]
    assert charge.amount == Decimal("7.02")
    assert (charge.kind, charge.incurred_date, charge.details["days"]) == (
        Kind.LATE_PAYMENT_INTEREST,
        date(2026, 5, 31),
        137,
    )
    assert _audited("billing.charge_raised").after["kind"] == "LATE_PAYMENT_INTEREST"


@pytest.mark.usefixtures("base_rates")
def test_interest_needs_a_base_rate_for_its_first_day(account, agent):
    BaseRate.objects.create(effective_date=date(2026, 3, 1), percent=Decimal("3.50"))
    with pytest.raises(billing_ops.BillingRefused, match="No Bank of England base rate is held for 15 Feb 2026"):
        billing_ops.apply_late_payment_interest(
            account=account,
            principal=Decimal("100.00"),
            start_date=date(2026, 2, 15),
            end_date=date(2026, 4, 1),
            actor=agent,
            now=NOW,
        )


@pytest.mark.usefixtures("base_rates")
def test_interest_is_only_for_days_that_have_passed(account, agent):
    BaseRate.objects.create(effective_date=date(2026, 1, 1), percent=Decimal("3.50"))
    with pytest.raises(billing_ops.BillingRefused, match="days that have passed"):
        billing_ops.apply_late_payment_interest(
            account=account,
            principal=Decimal("100.00"),
            start_date=date(2026, 7, 1),
            end_date=date(2026, 8, 10),
            actor=agent,
            now=NOW,
        )


@pytest.mark.usefixtures("base_rates")
def test_the_base_rate_on_a_day_is_the_latest_set_on_or_before_it():
    BaseRate.objects.create(effective_date=date(2026, 2, 5), percent=Decimal("3.50"))
    BaseRate.objects.create(effective_date=date(2026, 5, 7), percent=Decimal("3.25"))
    assert billing_queries.base_rate_on(date(2026, 2, 4)) is None
    before, on = billing_queries.base_rate_on(date(2026, 5, 6)), billing_queries.base_rate_on(date(2026, 5, 7))
    assert (before and before.percent, on and on.percent) == (Decimal("3.50"), Decimal("3.25"))


def test_an_obstruction_is_kept_with_its_reason_and_audited(account, agent):
    with pytest.raises(billing_ops.BillingRefused, match="end after it starts"):
        billing_ops.record_obstruction(
            account=account, from_date=date(2025, 3, 1), to_date=date(2025, 3, 1), reason="x", actor=agent, now=NOW
        )
    obstruction = billing_ops.record_obstruction(
        account=account,
        from_date=date(2025, 3, 1),
        to_date=date(2025, 9, 1),
        reason="Refused access to the meter",
        actor=agent,
        now=NOW,
    )
    assert list(billing_queries.obstructions_of(account)) == [obstruction]
    assert BillingObstruction.objects.get().recorded_by == agent
    assert _audited("billing.obstruction_recorded").after["reason"] == "Refused access to the meter"
