"""Moving an account that does not pay by its tariff's method to the Standard Variable Tariff (T&C 9.2, 9.2.1, 10.2).

Effective days are worked out by hand: 42 days (T&C 10.2) after the notice is deemed delivered (T&C 22.3: an e-mail
the day it is sent; a letter two working days after it is posted, on the next working day).
"""

from datetime import date, datetime
from decimal import Decimal

import pytest

from hearth.data.accounts.models import Fuel
from hearth.data.documents.models import Document
from hearth.data.metering.models import Meter
from hearth.data.payments.models import CardPayment, PaymentArrangement, TariffMove
from hearth.data.tariffs.models import Agreement, MeterKind, PaymentMethod, Product, Tariff, UnitRate
from hearth.domain.payments import arrangements, jobs, tariff_moves
from hearth.domain.scheduling import operations as scheduling_ops
from hearth.domain.tariffs import operations as tariff_ops
from tests.integration.conftest import Builder
from tests.integration.payments.account_support import (
    JO,
    PRICES_FROM,
    at,
    midnight,
    monthly_direct_debit,
    pdf_text,
    supplied_account,
    supply_point_of,
    tariff,
)
from tests.integration.payments.test_care_payments import care, words  # noqa: F401  (care is a fixture)

pytestmark = pytest.mark.django_db

Method = PaymentArrangement.Method


def standard_variable(*, meter_kinds: tuple[str, ...] = (MeterKind.CREDIT, MeterKind.SMART)) -> Tariff:
    """The SVT paid on receipt of bill: 48.1234p a day and 24.5678p per kWh before VAT."""
    product = tariff_ops.create_product(
        code="SVT-TEST",
        full_name="Hearth Standard Variable",
        display_name="Hearth Standard Variable",
        description="The Standard Variable Tariff.",
        kind=Product.Kind.VARIABLE,
        is_standard_variable=True,
        available_from=midnight(PRICES_FROM),
        payment_methods=(PaymentMethod.DIRECT_DEBIT, PaymentMethod.STANDARD_CREDIT),
        meter_kinds=meter_kinds,
    )
    return tariff_ops.create_tariff(
        product=product,
        fuel=Fuel.ELECTRICITY,
        region="C",
        structure=Tariff.Structure.SINGLE_RATE,
        payment_method=PaymentMethod.STANDARD_CREDIT,
        standing_charge_exc_vat=Decimal("48.1234"),
        unit_rates_exc_vat={UnitRate.STANDARD: Decimal("24.5678")},
        valid_from=midnight(PRICES_FROM),
    )


def direct_debit_only() -> Tariff:
    return tariff(payment_methods=(PaymentMethod.DIRECT_DEBIT,), kind=Product.Kind.FIXED)


def stopped_paying_by_direct_debit(*, by_email: bool, meter: Meter.Kind = Meter.Kind.CREDIT):
    """A fixed, Direct Debit only account whose customer cancelled the Direct Debit long ago: it pays on receipt."""
    account = supplied_account(direct_debit_only(), meter=meter)
    if by_email:
        Builder().activated_login("jo@example.com", account)
    mandate = monthly_direct_debit(account, amount="60.00")
    arrangements.cancel_mandate(
        mandate=mandate, reason="Cancelled by the customer", by_bank=False, actor=None, now=at(date(2026, 10, 1))
    )
    return account


def run(job_day: date, now: datetime):
    return scheduling_ops.run_job(job=jobs.TARIFF_MOVES, day=job_day, now=now, started_by="test", clock=lambda: now)


def test_notice_by_email_takes_effect_42_days_after_the_day_it_is_sent():
    svt = standard_variable()
    stopped_paying_by_direct_debit(by_email=True)

    [outcome] = tariff_moves.give_notice(day=date(2026, 11, 3), now=at(date(2026, 11, 3)))

    move = outcome.move
    assert move is not None
    # e-mailed Tuesday 3 November: delivered that day; 27 days to 30 November, 15 more to 15 December
    assert (move.reason, move.target_tariff, move.effective_date) == (
        TariffMove.Reason.WRONG_PAYMENT_METHOD,
        svt,
        date(2026, 12, 15),
    )
    text = pdf_text(move.notice)
    assert "15 December 2026" in text
    assert "Hearth Standard Variable" in text
    # with VAT at 5 %: 48.1234 x 1.05 = 50.52957 → 50.53p; 24.5678 x 1.05 = 25.79619 → 25.80p
    assert "50.53p a day" in text
    assert "25.80p per kWh" in text
    assert "set up a Direct Debit in Payments" in text
    assert move.notice.document_type.code == "NOTICE"


def test_notice_by_post_counts_from_two_working_days_after_posting_on_the_next_working_day():
    standard_variable()
    account = stopped_paying_by_direct_debit(by_email=False)

    [outcome] = tariff_moves.give_notice(day=date(2026, 11, 7), now=at(date(2026, 11, 7)))

    # issued Saturday 7 November, posted Monday 9th, deemed delivered Wednesday 11th; 19 days to 30 November + 23
    assert outcome.move is not None
    assert outcome.move.effective_date == date(2026, 12, 23)
    assert outcome.move.account == account


@pytest.mark.parametrize(
    ("issued", "effective"),
    [
        # posted Wednesday 23 December; delivered after Thursday 24th and (25th, 28th bank holidays) Tuesday 29th;
        # 3 days to 1 January + 31 to 1 February + 8
        (date(2026, 12, 23), date(2027, 2, 9)),
        # issued on Christmas Day: posted Tuesday 29th, delivered Thursday 31st; 1 day to 1 January + 31 + 10
        (date(2026, 12, 25), date(2027, 2, 11)),
    ],
)
def test_notice_by_post_over_christmas_waits_for_the_bank_holidays(issued, effective):
    standard_variable()
    stopped_paying_by_direct_debit(by_email=False)

    [outcome] = tariff_moves.give_notice(day=issued, now=at(issued))

    assert outcome.move is not None
    assert outcome.move.effective_date == effective


def test_the_move_is_made_on_the_effective_day_not_the_day_before():
    svt = standard_variable()
    account = stopped_paying_by_direct_debit(by_email=True)
    fixed = Agreement.objects.get(supply_point=supply_point_of(account)).tariff
    tariff_moves.give_notice(day=date(2026, 11, 3), now=at(date(2026, 11, 3)))

    # 41 days after deemed delivery: nothing yet
    assert tariff_moves.carry_out(day=date(2026, 12, 14), now=at(date(2026, 12, 14))) == []
    assert TariffMove.objects.get().status == TariffMove.Status.PENDING

    [outcome] = tariff_moves.carry_out(day=date(2026, 12, 15), now=at(date(2026, 12, 15)))

    assert outcome.move is not None
    assert outcome.move.status == TariffMove.Status.DONE
    agreements = list(Agreement.objects.filter(supply_point=supply_point_of(account)).order_by("valid_from"))
    assert [(a.tariff, a.valid_from, a.valid_to) for a in agreements] == [
        (fixed, midnight(PRICES_FROM), midnight(date(2026, 12, 15))),
        (svt, midnight(date(2026, 12, 15)), None),
    ]


def test_a_direct_debit_set_up_before_the_day_cancels_the_move_and_keeps_the_tariff():
    standard_variable()
    account = stopped_paying_by_direct_debit(by_email=True)
    tariff_moves.give_notice(day=date(2026, 11, 3), now=at(date(2026, 11, 3)))
    before = list(Agreement.objects.filter(supply_point=supply_point_of(account)).values_list("tariff", "valid_to"))

    arrangements.set_up_mandate(account=account, details=JO.details(), actor=None, now=at(date(2026, 11, 20)))
    arrangements.set_payment_method(
        account=account,
        method=Method.STANDARD_DIRECT_DEBIT,
        payment_day=1,
        signed_up_date=PRICES_FROM,
        balance=Decimal(0),
        actor=None,
        now=at(date(2026, 11, 20)),
    )
    [outcome] = tariff_moves.carry_out(day=date(2026, 12, 15), now=at(date(2026, 12, 15)))

    assert outcome.move is not None
    assert outcome.move.status == TariffMove.Status.CANCELLED
    assert "pays as its tariff requires" in outcome.move.outcome
    after = list(Agreement.objects.filter(supply_point=supply_point_of(account)).values_list("tariff", "valid_to"))
    assert after == before


def annual_payer(*, due: date) -> PaymentArrangement:
    """A fixed tariff paid annually in advance, its payment due at the end of cooling-off."""
    account = supplied_account(tariff(payment_methods=(PaymentMethod.ANNUAL_DIRECT_DEBIT,), kind=Product.Kind.FIXED))
    Builder().activated_login("annual@example.com", account)
    return PaymentArrangement.objects.create(
        account=account,
        method=Method.ANNUAL_CARD,
        signed_up_date=date(2026, 11, 1),
        annual_amount=Decimal("900.00"),
        annual_due_date=due,
        updated_at=at(date(2026, 11, 1)),
    )


def test_annual_payment_missed_after_cooling_off_moves_to_the_svt_paying_on_receipt_of_bills():
    svt = standard_variable()
    arrangement = annual_payer(due=date(2026, 11, 15))
    account = arrangement.account

    assert tariff_moves.give_notice(day=date(2026, 11, 15), now=at(date(2026, 11, 15))) == []  # due that day
    [outcome] = tariff_moves.give_notice(day=date(2026, 11, 16), now=at(date(2026, 11, 16)))

    move = outcome.move
    assert move is not None
    # e-mailed 16 November: 14 days to 30 November + 28 = 28 December
    assert (move.reason, move.effective_date) == (TariffMove.Reason.ANNUAL_PAYMENT_MISSED, date(2026, 12, 28))
    assert "annual payment" in pdf_text(move.notice)

    tariff_moves.carry_out(day=date(2026, 12, 28), now=at(date(2026, 12, 28)))

    current = Agreement.objects.get(supply_point=supply_point_of(account), valid_to__isnull=True)
    assert (current.tariff, current.valid_from) == (svt, midnight(date(2026, 12, 28)))
    arrangement.refresh_from_db()
    assert arrangement.method == Method.STANDARD_CREDIT
    assert TariffMove.objects.get().status == TariffMove.Status.DONE


def test_an_annual_payment_made_by_card_is_not_missed():
    standard_variable()
    arrangement = annual_payer(due=date(2026, 11, 15))
    CardPayment.objects.create(
        account=arrangement.account,
        purpose=CardPayment.Purpose.ANNUAL,
        amount=Decimal("900.00"),
        status=CardPayment.Status.SUCCEEDED,
        created_at=at(date(2026, 11, 10)),
    )

    assert tariff_moves.give_notice(day=date(2026, 11, 16), now=at(date(2026, 11, 16))) == []


def test_no_svt_for_the_meter_kind_is_reported_as_a_failure_and_no_notice_is_sent():
    standard_variable(meter_kinds=(MeterKind.CREDIT,))
    account = stopped_paying_by_direct_debit(by_email=True, meter=Meter.Kind.SMART)

    job_run = run(date(2026, 11, 3), at(date(2026, 11, 3)))

    assert (job_run.done_count, job_run.failed_count) == (0, 1)
    [outcome] = tariff_moves.give_notice(day=date(2026, 11, 3), now=at(date(2026, 11, 3)))
    assert outcome.move is None
    assert "no Standard Variable Tariff" in outcome.problem
    assert "smart meter" in outcome.problem
    assert not TariffMove.objects.exists()
    assert not Document.objects.filter(account=account, document_type__code="NOTICE").exists()


def test_running_the_job_twice_changes_nothing_more():
    standard_variable()
    account = stopped_paying_by_direct_debit(by_email=True)

    first = run(date(2026, 11, 3), at(date(2026, 11, 3)))
    again = run(date(2026, 11, 3), at(date(2026, 11, 3), 11))
    assert (first.done_count, again.done_count, again.failed_count) == (1, 0, 0)
    assert Document.objects.filter(account=account, document_type__code="NOTICE").count() == 1

    moved = run(date(2026, 12, 15), at(date(2026, 12, 15)))
    moved_again = run(date(2026, 12, 15), at(date(2026, 12, 15), 11))
    assert (moved.done_count, moved_again.done_count, moved_again.failed_count) == (1, 0, 0)
    assert Agreement.objects.filter(supply_point=supply_point_of(account)).count() == 2
    assert TariffMove.objects.get().status == TariffMove.Status.DONE
    assert Document.objects.filter(account=account, document_type__code="NOTICE").count() == 1


def test_care_staff_see_the_waiting_move_on_the_accounts_payments_page(care):  # noqa: F811  (the fixture)
    standard_variable()
    account = stopped_paying_by_direct_debit(by_email=True)
    [outcome] = tariff_moves.give_notice(day=date(2026, 11, 3), now=at(date(2026, 11, 3)))
    assert outcome.move is not None

    page = words(care.get(f"/care/accounts/{account.number}/payments/"))

    assert "Tariff move Not paying by the tariff's payment method (T&C 9.2, 10.2): to Hearth Standard Variable" in page
    assert "on 15 Dec 2026" in page
    assert outcome.move.notice.reference in page
