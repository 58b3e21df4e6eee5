"""The portal's prepayment page and card top-ups through Stripe (a local fake, tests/stripe_fake.py), and the care
console's prepayment page and actions. A card top-up credits the meter once, however often Stripe's signed event
arrives, and posts nothing to the account's ledger."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from hearth.common import calendar
from hearth.data.billing.models import AdditionalCharge, LedgerEntry
from hearth.data.documents.models import Document
from hearth.data.payments.models import CardPayment, StripeEvent
from hearth.data.prepayment.models import CreditEntry, MeterDebt, Prepayment, Vend
from hearth.domain.prepayment import operations as prepayment_ops
from hearth.domain.prepayment import top_ups
from tests.integration.conftest import Site

PAGE = "/services/prepayment/"


@pytest.fixture
def signed_in(signed_in, household: Site):
    """The household's login, looking at its electricity account (a login's first account is by number)."""
    assert signed_in.post("/accounts/select/", {"account": household.electricity.pk}).status_code == 302
    return signed_in


def on_prepayment(account, *, percent: str = "25", debt: str | None = "20.00") -> Prepayment:
    now = timezone.now()
    prepayment = prepayment_ops.start_prepayment(
        account=account,
        day=calendar.local_date(now),
        reason=Prepayment.Reason.CHOSEN,
        now=now,
        recovery_percent=Decimal(percent),
        recovery_weekly_cap=Decimal("7.50"),
    )
    if debt:
        prepayment_ops.add_meter_debt(
            prepayment=prepayment, kind="ARREARS", amount=Decimal(debt), description="Arrears", reason="x", now=now
        )
    return prepayment


def test_the_page_shows_credit_emergency_credit_debt_its_rate_and_top_ups(signed_in, household: Site):
    prepayment = on_prepayment(household.electricity)
    top_ups.take_emergency_credit(prepayment=prepayment, now=timezone.now())
    vend = top_ups.top_up(prepayment=prepayment, amount=Decimal("30.00"), channel="CARE", now=timezone.now())
    page = signed_in.get(PAGE).content.decode()
    # £30: £10 repays emergency credit, 25 % of £20 is £5 towards the £20 debt, £15 credited; £10 + £15 on the meter
    assert "£25.00" in page
    assert "£15.00" in page
    assert "Debt still owed" in page
    assert "25% of each top-up, at most £7.50 a week" in page
    assert top_ups.printed_reference(vend.reference) in page
    assert "Emergency credit in use" not in page  # repaid in full


def test_a_credit_account_has_no_meter_to_top_up(signed_in, household: Site):
    page = signed_in.get(PAGE).content.decode()
    assert "there is no meter to top up" in page
    assert signed_in.post("/services/prepayment/top-up/", {"amount": "10.00"}).status_code == 400
    assert not CardPayment.objects.exists()


def test_no_card_is_taken_for_a_meter_not_yet_switched_to_prepayment(signed_in, household: Site, stripe_fake):
    now = timezone.now()
    prepayment_ops.start_prepayment(
        account=household.electricity,
        day=calendar.local_date(now) + timedelta(days=9),
        reason=Prepayment.Reason.CHOSEN,
        now=now,
    )
    assert "You can top up from that day." in signed_in.get(PAGE).content.decode()
    refused = signed_in.post("/services/prepayment/top-up/", {"amount": "10.00"})
    assert refused.status_code == 400
    assert "top up from then" in refused.content.decode()
    assert not CardPayment.objects.exists()


def test_emergency_credit_from_the_page(signed_in, household: Site):
    prepayment = on_prepayment(household.electricity, debt=None)
    response = signed_in.post("/services/prepayment/emergency-credit/", follow=True)
    assert "£10.00 of emergency credit is on your meter" in response.content.decode()
    assert prepayment_ops.credit_balance(prepayment) == Decimal("10.00")


def test_a_card_top_up_credits_the_meter_once_when_stripe_says_it_was_paid(signed_in, household: Site, stripe_fake):
    prepayment = on_prepayment(household.electricity)
    response = signed_in.post("/services/prepayment/top-up/", {"amount": "£20.00"})
    assert response.status_code == 200
    card_payment = CardPayment.objects.get()
    assert (card_payment.purpose, card_payment.amount) == (CardPayment.Purpose.TOP_UP, Decimal("20.00"))
    assert stripe_fake.sessions[card_payment.checkout_session_id]["url"] in response.content.decode()
    assert not Vend.objects.exists(), "nothing is credited before Stripe says the card was charged"

    first = stripe_fake.pay(card_payment.checkout_session_id)
    replays = [stripe_fake.resend(first).status for _ in range(3)] + [stripe_fake.send(first.event).status]

    assert [first.status, *replays] == [200] * 5
    vend = Vend.objects.get()
    assert (vend.channel, vend.amount, vend.debt_recovered, vend.credited) == (
        Vend.Channel.CARD,
        Decimal("20.00"),
        Decimal("5.00"),
        Decimal("15.00"),
    )
    assert vend.external_reference == first.event["data"]["object"]["id"]
    assert prepayment_ops.credit_balance(prepayment) == Decimal("15.00")
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT).exists(), "a top-up is not a bill payment"
    card_payment.refresh_from_db()
    assert card_payment.status == CardPayment.Status.SUCCEEDED
    assert StripeEvent.objects.count() == 1
    assert "Topped up" in StripeEvent.objects.get().outcome


def test_a_top_up_paid_after_the_prepayment_ended_is_kept_and_credits_nothing(signed_in, household: Site, stripe_fake):
    prepayment = on_prepayment(household.electricity)
    signed_in.post("/services/prepayment/top-up/", {"amount": "20.00"})
    card_payment = CardPayment.objects.get()
    # It ended while the customer was on Stripe's page (care switched it back to credit, say).
    Prepayment.objects.filter(pk=prepayment.pk).update(
        started_on=prepayment.started_on - timedelta(days=10), ended_on=prepayment.started_on
    )
    assert stripe_fake.pay(card_payment.checkout_session_id).status == 200
    assert not Vend.objects.exists()
    assert "no longer pays by prepayment" in StripeEvent.objects.get().outcome
    card_payment.refresh_from_db()
    assert card_payment.status == CardPayment.Status.CREATED, "left for care staff to refund"


# --- The care console ---------------------------------------------------------------------------------------------


def care_url(site_account, action: str = "") -> str:
    return f"/care/accounts/{site_account.number}/prepayment/{action + '/' if action else ''}"


def test_care_sees_the_ledger_and_takes_a_paypoint_top_up_once(care, household: Site):
    prepayment = on_prepayment(household.electricity)
    form = {"channel": "PAYPOINT", "amount": "12.00", "external_reference": "PP-778812"}
    first = care.post(care_url(household.electricity, "top-up"), form)
    again = care.post(care_url(household.electricity, "top-up"), form)
    assert (first.status_code, again.status_code) == (302, 302)
    assert Vend.objects.get().external_reference == "PP-778812"
    page = care.get(care_url(household.electricity)).content.decode()
    assert "PayPoint (reference at a shop)<br>PP-778812" in page
    assert prepayment_ops.credit_balance(prepayment) == Decimal("9.00")  # £12 less 25 % (£3) to the debt


def test_care_charges_a_replacement_card_and_engineer_credit_as_meter_debts(care, agent, household: Site):
    prepayment = on_prepayment(household.electricity, debt=None)
    care.post(care_url(household.electricity, "replacement-card"), {"reason": "Card lost, new one sent"})
    care.post(
        care_url(household.electricity, "engineer-credit"),
        {"amount": "15.00", "reason": "Job 4411: no credit at 2am"},
    )
    debts = list(prepayment.debts.order_by("id").values_list("kind", "amount", "raised_by"))
    assert debts == [
        (MeterDebt.Kind.REPLACEMENT_CARD_OR_KEY, Decimal("5.00"), agent.pk),
        (MeterDebt.Kind.EMERGENCY_CREDIT_BY_ENGINEER, Decimal("15.00"), agent.pk),
    ]
    assert prepayment.credit_entries.get(kind=CreditEntry.Kind.ADJUSTMENT).amount == Decimal("15.00")


def test_a_false_gas_emergency_is_a_meter_debt_on_prepayment_and_a_bill_charge_on_credit(care, household, build):
    on_prepayment(household.gas, debt=None)
    today = calendar.local_date(timezone.now()).isoformat()
    form = {"incurred_date": today, "reason": "No gas escape found, job 88"}
    assert care.post(care_url(household.gas, "false-gas-emergency"), form).status_code == 302
    assert MeterDebt.objects.get().amount == Decimal("84.00")  # £70 and VAT at 20 %, what a credit customer pays

    other = build.site(
        name="Lee Credit", email="lee@example.com", postcode="LS2 7AA", electricity_meter="SMART", gas_meter="CREDIT"
    )
    assert care.post(care_url(other.gas, "false-gas-emergency"), form).status_code == 302
    charge = AdditionalCharge.objects.get(account=other.gas)
    assert (charge.kind, charge.amount) == (AdditionalCharge.Kind.FALSE_GAS_EMERGENCY, Decimal("70.00"))


def test_care_switches_a_smart_meter_to_prepayment_only_when_the_customer_asked(care, household: Site):
    refused = care.post(care_url(household.electricity, "switch-to-prepayment"), {})
    assert refused.status_code == 400
    assert "Tick the box to confirm the customer asked" in refused.content.decode()
    done = care.post(care_url(household.electricity, "switch-to-prepayment"), {"asked": "on"})
    assert done.status_code == 302
    assert Document.objects.filter(document_type__code="METER_MODE_NOTICE").count() == 1
    started = prepayment_ops.open_prepayment(household.electricity)
    assert started is not None
    assert started.reason == Prepayment.Reason.CHOSEN


def test_an_action_refused_by_the_domain_is_shown_on_its_form(care, household: Site):
    response = care.post(care_url(household.electricity, "replacement-card"), {"reason": "lost"})
    assert response.status_code == 400
    assert f"Account {household.electricity.number} does not pay by prepayment." in response.content.decode()


@pytest.mark.parametrize("action", ["nonsense", "top_up"])
def test_an_unknown_action_is_not_found(care, household: Site, action):
    assert care.post(care_url(household.electricity, action), {}).status_code == 404
