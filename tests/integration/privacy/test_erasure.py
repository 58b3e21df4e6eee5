"""Erasure (UK GDPR art. 17, ADR 0016): delayed while supplied or owing, and then names gone but bills intact."""

from datetime import UTC, date, datetime
from decimal import Decimal

from hearth.data.accounts.models import Account, Supply
from hearth.data.audit.models import AuditEvent
from hearth.data.billing.models import Bill
from hearth.data.identity.models import AccountLink, User
from hearth.data.priority.models import Registration
from hearth.data.privacy.models import Channel, ErasureRequest
from hearth.domain.privacy import erasure

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


def _bill(account: Account) -> Bill:
    return Bill.objects.create(
        reference=f"INV-{account.number}-1",
        account=account,
        period_start_date=date(2026, 10, 1),
        period_end_date=date(2026, 11, 1),
        issued_at=NOW,
        issue_date=date(2026, 11, 2),
        due_date=date(2026, 11, 16),
        total=Decimal("84.21"),
        previous_balance=Decimal("0.00"),
        payments_and_credits=Decimal("0.00"),
        balance_carried_forward=Decimal("0.00"),
    )


def _close(site) -> None:
    Supply.objects.filter(account__customer=site.customer).update(valid_to=date(2027, 1, 1))
    Account.objects.filter(customer=site.customer).update(status=Account.Status.CLOSED)


def test_erasure_is_delayed_while_we_supply_and_says_so(household, customer_login):
    request = erasure.raise_erasure(
        customer=household.customer, channel=Channel.PORTAL, raised_by=customer_login, now=NOW
    )
    assert request.status == ErasureRequest.Status.DELAYED
    assert "we still supply you" in request.reason
    household.customer.refresh_from_db()
    assert household.customer.name == "Jo Bloggs"


def test_erasure_removes_names_keeps_bills_and_deletes_the_rest(household, customer_login):
    bill = _bill(household.electricity)
    Registration.objects.create(
        customer=household.customer, needs=["07"], source="CARE", consent_at=NOW, registered_at=NOW
    )
    _close(household)
    AuditEvent.objects.create(
        actor=customer_login,
        actor_label=customer_login.email,
        action="test.note",
        customer=household.customer,
        subject="Jo Bloggs",
        before={"name": "Jo Bloggs"},
        after={},
        at=NOW,
    )
    request = erasure.raise_erasure(
        customer=household.customer, channel=Channel.PORTAL, raised_by=customer_login, now=NOW
    )
    assert request.status == ErasureRequest.Status.DONE
    household.customer.refresh_from_db()
    assert household.customer.name == f"Erased customer {household.customer.pk}"
    assert household.customer.contact_email == ""
    bill.refresh_from_db()
    assert (bill.reference, bill.total, bill.account_id) == (
        f"INV-{household.electricity.number}-1",
        Decimal("84.21"),
        household.electricity.pk,
    )
    login = User.objects.get(pk=customer_login.pk)
    assert not login.is_active
    assert login.email.endswith("@erased.invalid")
    assert not login.has_usable_password()
    assert not AccountLink.objects.filter(user=login).exists()
    assert not Registration.objects.filter(customer=household.customer).exists()
    leftover = [
        e
        for e in AuditEvent.objects.filter(customer=household.customer)
        if "Jo Bloggs" in str((e.subject, e.before, e.after))
    ]
    assert not leftover
    assert not AuditEvent.objects.filter(actor_label="jo.bloggs@example.com").exists()
    assert AuditEvent.objects.filter(action="privacy.erasure_done").count() == 1


def test_erasure_waits_while_an_account_owes_money(household, customer_login):
    _close(household)
    from hearth.data.billing.models import LedgerEntry

    LedgerEntry.objects.create(
        account=household.gas, amount=Decimal("12.50"), posted_at=NOW, kind="CHARGE", description="Bill"
    )
    request = erasure.raise_erasure(
        customer=household.customer, channel=Channel.CARE, raised_by=customer_login, now=NOW
    )
    assert request.status == ErasureRequest.Status.DELAYED
    assert f"account {household.gas.number} still owes money" in request.reason


def test_an_organisation_is_refused(business, build):
    staff = build.staff_login("agent@supplier.example", "Agent4Console7")
    request = erasure.raise_erasure(customer=business.customer, channel=Channel.CARE, raised_by=staff, now=NOW)
    assert request.status == ErasureRequest.Status.REFUSED
