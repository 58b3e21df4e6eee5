"""An account in debt, walked along the debt path by its operations, for the debt path's tests."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from hearth.data.accounts.models import Account, Customer
from hearth.data.billing.models import BillLine
from hearth.data.debt.models import DebtCase, Warrant
from hearth.data.identity.models import User
from hearth.data.metering.models import Meter
from hearth.data.priority.models import Registration
from hearth.domain.debt import operations as debt
from hearth.domain.payments import late_payment
from tests.integration.billing.invoice_support import Line, make_bill
from tests.integration.payments.account_support import at, supplied_account, tariff

DUE = date(2026, 11, 16)


def indebted_account(
    *, meter: Meter.Kind = Meter.Kind.SMART, customer_kind: Customer.Kind = Customer.Kind.PERSON
) -> Account:
    """An account with a £250.00 bill due on Monday 16 November 2026, unpaid."""
    account = supplied_account(tariff(), meter=meter, customer_kind=customer_kind)
    make_bill(
        account,
        lines=[Line(BillLine.Kind.ENERGY, "Electricity used", Decimal("250.00"), "kWh", Decimal("1"))],
        period=(date(2026, 10, 1), date(2026, 11, 1)),
        issue_date=DUE - timedelta(days=14),
        due_date=DUE,
        reference=f"INV-{account.number}-10",
    )
    return account


def staff() -> User:
    return User.objects.create_user(email="debt.agent@hearth.example", password="x", kind=User.Kind.STAFF)


def register(account: Account, needs: list[str], *, on: datetime) -> Registration:
    return Registration.objects.create(
        customer=account.customer, needs=needs, source=Registration.Source.CARE, consent_at=on, registered_at=on
    )


def reminded_case(account: Account) -> DebtCase:
    """Opened on Monday 23 November 2026; the final notice went on Monday 7 December, and the case moved on."""
    case = debt.open_case(account=account, day=date(2026, 11, 23), now=at(date(2026, 11, 23), hour=6))
    assert case is not None
    late_payment.send_reminders(today=date(2026, 12, 7), now=at(date(2026, 12, 7), hour=6))
    debt.advance(case=case, day=date(2026, 12, 7), now=at(date(2026, 12, 7), hour=6))
    return case


def referred_case(account: Account, agent: User) -> DebtCase:
    """Reminded, a plan offered and not agreed (Thursday 10 December), referred (Monday 14 December)."""
    case = reminded_case(account)
    debt.record_plan_not_agreed(
        case=case, reason="No reply to two calls and a letter", actor=agent, now=at(date(2026, 12, 10))
    )
    debt.refer(case=case, reason="No plan agreed", actor=agent, now=at(date(2026, 12, 14)))
    return case


def warrant_case(account: Account, agent: User) -> DebtCase:
    """Referred; prepayment notice on Monday 4 January 2027, Scotland's bank holiday for 2 January: posted Tuesday 5,
    deemed delivered Thursday 7 January, its 42 days end on Wednesday 17 February; warrant to disconnect applied for
    on Thursday 18 February, granted Monday 1 March."""
    case = referred_case(account, agent)
    debt.give_prepayment_notice(
        case=case, reason="Referral did not recover the debt", actor=agent, now=at(date(2027, 1, 4))
    )
    debt.apply_for_warrant(
        case=case,
        purpose=Warrant.Purpose.DISCONNECTION,
        reason="Refused a prepayment meter",
        actor=agent,
        now=at(date(2027, 2, 18)),
    )
    debt.record_warrant_granted(
        case=case,
        court_name="Leeds Magistrates' Court",
        reference="LMC/2027/0042",
        granted_on=date(2027, 3, 1),
        actor=agent,
        now=at(date(2027, 3, 1)),
    )
    return case
