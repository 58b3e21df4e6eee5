"""Many payments recorded at once (a day's Direct Debits): each is what recording it alone makes — its own ledger
entry and audit event against its own customer — and one that cannot be recorded stops them all."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hearth.data.accounts.models import Account, Customer, Fuel, Nation
from hearth.data.audit.models import AuditEvent
from hearth.data.billing.models import LedgerEntry
from hearth.data.identity.models import User
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.billing import operations as billing_ops
from hearth.domain.billing import queries as billing_queries

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 4, 6, 0, tzinfo=UTC)


def _account(name: str) -> Account:
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name=name, contact_email=f"{name.split()[0].lower()}@example.com", now=NOW
    )
    place = accounts_ops.create_property(
        address_line_1="1 Mill Street", town="Leeds", postcode="LS1 4AP", nation=Nation.ENGLAND
    )
    return accounts_ops.open_account(customer=customer, fuel=Fuel.ELECTRICITY, billing_property=place, now=NOW)


def _paid(account: Account, amount: str, reference: str) -> billing_ops.PaymentReceived:
    return billing_ops.PaymentReceived(
        account=account, amount=Decimal(amount), reference=reference, reason="Direct Debit collected"
    )


def test_each_payment_is_its_own_entry_off_its_own_balance():
    ann, bob = _account("Ann Jones"), _account("Bob Smith")

    entries = billing_ops.record_payments(
        payments=[_paid(ann, "45.10", "HRTHANN-1"), _paid(bob, "30.00", " HRTHBOB-1 "), _paid(ann, "4.90", "")],
        actor=None,
        now=NOW,
    )

    assert [(e.pk is not None, e.account, e.kind, e.amount, e.description, e.external_reference) for e in entries] == [
        (True, ann, LedgerEntry.Kind.PAYMENT, Decimal("-45.10"), "Payment received (HRTHANN-1)", "HRTHANN-1"),
        (True, bob, LedgerEntry.Kind.PAYMENT, Decimal("-30.00"), "Payment received (HRTHBOB-1)", "HRTHBOB-1"),
        (True, ann, LedgerEntry.Kind.PAYMENT, Decimal("-4.90"), "Payment received", ""),
    ]
    assert (billing_queries.balance_of(ann), billing_queries.balance_of(bob)) == (Decimal("-50.00"), Decimal("-30.00"))


def test_each_payment_is_audited_against_its_own_customer_as_one_recorded_alone_would_be():
    ann, bob = _account("Ann Jones"), _account("Bob Smith")
    agent = User.objects.create_user("casey@hearth.example", kind=User.Kind.STAFF)

    billing_ops.record_payments(
        payments=[_paid(ann, "45.10", "HRTHANN-1"), _paid(bob, "30.00", "")], actor=agent, now=NOW
    )
    billing_ops.record_payment(
        account=bob, amount=Decimal("30.00"), reference="", reason="Direct Debit collected", actor=agent, now=NOW
    )

    events = AuditEvent.objects.filter(action="billing.payment_recorded").order_by("id")
    assert [(e.actor, e.actor_label, e.customer, e.subject, e.after, e.at) for e in events] == [
        (
            agent,
            "casey@hearth.example",
            ann.customer,
            f"account {ann.number}",
            {"amount": "45.10", "reason": "Direct Debit collected", "reference": "HRTHANN-1"},
            NOW,
        ),
        (
            agent,
            "casey@hearth.example",
            bob.customer,
            f"account {bob.number}",
            {"amount": "30.00", "reason": "Direct Debit collected"},
            NOW,
        ),
        (  # the same payment recorded alone: the same event
            agent,
            "casey@hearth.example",
            bob.customer,
            f"account {bob.number}",
            {"amount": "30.00", "reason": "Direct Debit collected"},
            NOW,
        ),
    ]


def test_one_payment_that_is_not_whole_pence_records_none_of_them():
    ann, bob = _account("Ann Jones"), _account("Bob Smith")

    with pytest.raises(billing_ops.BillingRefused, match="whole pence"):
        billing_ops.record_payments(
            payments=[_paid(ann, "45.10", "HRTHANN-1"), _paid(bob, "30.005", "HRTHBOB-1")], actor=None, now=NOW
        )

    assert not LedgerEntry.objects.exists()
    assert not AuditEvent.objects.filter(action="billing.payment_recorded").exists()


def test_no_payments_record_nothing():
    assert billing_ops.record_payments(payments=[], actor=None, now=NOW) == []
    assert not LedgerEntry.objects.exists()
