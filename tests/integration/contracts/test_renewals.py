"""The end of a fixed term: Statement of Renewal window, renewal, rollover (T&C 2, 4.2.2, 6.1, 6.2, 14.5.3, 14.6).

The statement must be deemed delivered (22.3: e-mail the day it is sent; post two working days after posting, a
letter issued on a non-working day posted the next working day) no earlier than 49 and no later than 42 days before
the fixed term's last day. Every expected day below is worked out by hand in the comments.
"""

from datetime import date, timedelta

import pytest

from hearth.data.contracts.models import Contract, ContractEvent, ContractNotice
from hearth.data.documents.models import Document
from hearth.data.scheduling.models import JobRun, JobRunItem
from hearth.data.tariffs.models import Agreement, Product
from hearth.domain.contracts import jobs_renewals, renewals
from tests.integration.contracts.renewal_support import (
    on_fixed_contract,
    product_tariff,
    run_job,
    standard_variable,
)
from tests.integration.payments.account_support import at, documents_in_tmp_fixture, midnight, pdf_text, supply_point_of  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_in_tmp")]


def _statements() -> list[ContractNotice]:
    return list(ContractNotice.objects.filter(kind=ContractNotice.Kind.RENEWAL_STATEMENT))


def _statement_run(day: date) -> JobRun:
    return run_job(jobs_renewals.RENEWAL_STATEMENTS, day, at(day, 7))


@pytest.mark.parametrize(
    ("last_fixed_day", "job_day", "by_email", "sent", "delivered", "late"),
    [
        # E-mail, deemed delivered the day it is sent. Last day Wed 19 May 2027.
        # Tue 30 Mar 2027: 19 May - 30 Mar = 1 + 30 + 19 = 50 days: too early.
        (date(2027, 5, 19), date(2027, 3, 30), True, False, None, False),
        # Wed 31 Mar 2027: 49 days: the first day of the window.
        (date(2027, 5, 19), date(2027, 3, 31), True, True, date(2027, 3, 31), False),
        # Wed 7 Apr 2027 (first run then): 19 May - 7 Apr = 23 + 19 = 42 days: the last day of the window.
        (date(2027, 5, 19), date(2027, 4, 7), True, True, date(2027, 4, 7), False),
        # Thu 8 Apr 2027: 41 days: sent, but late.
        (date(2027, 5, 19), date(2027, 4, 8), True, True, date(2027, 4, 8), True),
        # E-mail on a Sunday still counts that day: Sun 28 Mar 2027 to Sun 16 May 2027 = 3 + 30 + 16 = 49.
        (date(2027, 5, 16), date(2027, 3, 28), True, True, date(2027, 3, 28), False),
        # Post over Easter 2027 (Good Friday 26 Mar, Easter Monday 29 Mar). Last day Wed 19 May 2027.
        # Posted Wed 24 Mar: working days after it Thu 25 (1), Tue 30 (2): deemed Tue 30 Mar, 50 days: too early.
        (date(2027, 5, 19), date(2027, 3, 24), False, False, None, False),
        # Posted Thu 25 Mar: Fri 26 and Mon 29 are bank holidays: Tue 30 (1), Wed 31 (2): deemed Wed 31 Mar, 49.
        (date(2027, 5, 19), date(2027, 3, 25), False, True, date(2027, 3, 31), False),
        # Post over a weekend. Last day Tue 12 Jan 2027. Posted Thu 19 Nov 2026: Fri 20 (1), Mon 23 (2):
        # 23 Nov to 12 Jan = 7 + 31 + 12 = 50 days: too early.
        (date(2027, 1, 12), date(2026, 11, 19), False, False, None, False),
        # Posted Fri 20 Nov 2026: Mon 23 (1), Tue 24 (2): deemed Tue 24 Nov, 49 days: the first day.
        (date(2027, 1, 12), date(2026, 11, 20), False, True, date(2026, 11, 24), False),
        # St Andrew's Day, Mon 30 Nov 2026, is Scotland's and so not a working day for anyone.
        # Last day Wed 13 Jan 2027. Posted Fri 27 Nov: Tue 1 Dec (1), Wed 2 Dec (2): 2 Dec to 13 Jan = 29 + 13 = 42.
        (date(2027, 1, 13), date(2026, 11, 27), False, True, date(2026, 12, 2), False),
        # A Saturday 28 Nov run (Friday missed): posted Tue 1 Dec, deemed Thu 3 Dec, 41 days: late.
        (date(2027, 1, 13), date(2026, 11, 28), False, True, date(2026, 12, 3), True),
        # Scotland's August bank holiday, Mon 3 Aug 2026. Last day Wed 23 Sep 2026. Posted Fri 31 Jul:
        # Tue 4 Aug (1), Wed 5 Aug (2): 5 Aug to 23 Sep = 26 + 23 = 49 days: the first day.
        (date(2026, 9, 23), date(2026, 7, 31), False, True, date(2026, 8, 5), False),
        # England's, Mon 31 Aug 2026. Last day Wed 14 Oct 2026. Posted Fri 28 Aug: Tue 1 Sep (1), Wed 2 Sep (2):
        # 2 Sep to 14 Oct = 28 + 14 = 42 days: the last day.
        (date(2026, 10, 14), date(2026, 8, 28), False, True, date(2026, 9, 2), False),
    ],
)
def test_the_statement_is_sent_on_the_first_day_it_lands_in_the_window(
    last_fixed_day: date, job_day: date, by_email: bool, sent: bool, delivered: date | None, late: bool
) -> None:
    standard_variable()
    contract = on_fixed_contract(
        product_tariff(kind=Product.Kind.FIXED), last_fixed_day=last_fixed_day, by_email=by_email
    )

    run = _statement_run(job_day)

    notices = _statements()
    if not sent:
        assert notices == []
        assert (run.done_count, run.failed_count) == (0, 0)
        return
    [notice] = notices
    assert (notice.contract_id, notice.key, notice.deemed_delivered_date) == (
        contract.pk,
        last_fixed_day.isoformat(),
        delivered,
    )
    assert notice.effective_date == last_fixed_day + timedelta(days=1)
    assert (run.done_count, run.failed_count) == ((0, 1) if late else (1, 0))
    if late:
        assert JobRunItem.objects.get(run=run).message.startswith("Late (T&C 2 needs 42 days)")
    assert ContractEvent.objects.filter(contract=contract, kind="renewal_statement", document=notice.document).exists()


def test_the_statement_is_sent_once_however_often_the_job_runs() -> None:
    standard_variable()
    on_fixed_contract(product_tariff(kind=Product.Kind.FIXED), last_fixed_day=date(2027, 5, 19), by_email=True)

    _statement_run(date(2027, 3, 31))
    again = run_job(jobs_renewals.RENEWAL_STATEMENTS, date(2027, 3, 31), at(date(2027, 3, 31), 9))
    _statement_run(date(2027, 4, 1))

    assert len(_statements()) == 1
    assert Document.objects.filter(document_type__code="RENEWAL_STATEMENT").count() == 1
    assert (again.done_count, again.failed_count) == (0, 0)


def test_the_statement_says_what_happens_the_options_and_that_leaving_is_free() -> None:
    variable = standard_variable()  # 60p a day, 30p per kWh before VAT: 63.00p and 31.50p with 5 % VAT
    product_tariff(kind=Product.Kind.FIXED, pence_per_kwh="22", pence_per_day="40", exit_fee="75")
    fixed = product_tariff(kind=Product.Kind.FIXED)  # 50p a day, 25p per kWh: 52.50p and 26.25p with VAT
    on_fixed_contract(fixed, last_fixed_day=date(2027, 5, 19), by_email=True)

    _statement_run(date(2027, 3, 31))

    text = pdf_text(_statements()[0].document)
    assert "Your fixed prices end on 19 May 2027" in text
    assert "from 20 May 2027 we will move you onto our Hearth Standard Variable" in text
    for price in ("63.00p a day", "31.50p per kWh", "52.50p a day"):
        assert price in text
    assert "more than the" in text  # the variable tariff costs more than the fixed prices now
    assert "exit fee £75.00" in text  # the other fixed product (22p = 23.10p with VAT) among the options
    assert "23.10p per kWh" in text
    assert "without paying a termination fee (T&C 14.5.3)" in text
    assert variable.product.display_name in text


def test_renewal_waits_and_starts_the_day_after_the_last_fixed_day() -> None:
    standard_variable()
    fixed = product_tariff(kind=Product.Kind.FIXED)
    contract = on_fixed_contract(fixed, last_fixed_day=date(2027, 5, 19), by_email=True)
    new_fixed = product_tariff(kind=Product.Kind.FIXED, pence_per_kwh="23")
    now = at(date(2027, 4, 2))

    renewal = renewals.renew(
        contract=contract, product=new_fixed.product, now=now, actor=None, channel=Contract.Channel.WEB
    )

    assert (renewal.state, renewal.origin, renewal.previous_id) == (
        Contract.State.PENDING,
        Contract.Origin.RENEWAL,
        contract.pk,
    )
    # Cooling-off: 14 days after Fri 2 Apr 2027, the day itself not counted: Fri 16 Apr.
    assert (renewal.commencement_date, renewal.cooling_off_end_date) == (date(2027, 4, 2), date(2027, 4, 16))
    confirmation = ContractNotice.objects.get(contract=renewal, kind=ContractNotice.Kind.CONFIRMATION)
    assert confirmation.document.document_type.code == "CONTRACT_CONFIRMATION"
    assert confirmation.effective_date == date(2027, 5, 20)

    starts = jobs_renewals.CONTRACT_STARTS
    run_job(starts, date(2027, 5, 19), at(date(2027, 5, 19), 6))  # the last fixed day: nothing yet
    renewal.refresh_from_db()
    assert renewal.state == Contract.State.PENDING
    run_job(starts, date(2027, 5, 20), at(date(2027, 5, 20), 6))
    renewal.refresh_from_db()
    contract.refresh_from_db()
    assert (renewal.state, renewal.supply_start_date) == (Contract.State.LIVE, date(2027, 5, 20))
    assert renewal.fixed_term_end_date == date(2028, 5, 19)
    assert (contract.state, contract.end_date) == (Contract.State.ENDED, date(2027, 5, 20))
    agreement = Agreement.objects.get(supply_point=supply_point_of(contract.account), valid_to__isnull=True)
    assert (agreement.tariff_id, agreement.valid_from) == (new_fixed.pk, midnight(date(2027, 5, 20)))
    # No rollover once renewed.
    assert not Contract.objects.filter(origin=Contract.Origin.ROLLOVER).exists()


def test_renewal_refuses_a_product_paid_another_way_or_without_a_tariff_here() -> None:
    standard_variable()
    contract = on_fixed_contract(
        product_tariff(kind=Product.Kind.FIXED), last_fixed_day=date(2027, 5, 19), by_email=True
    )
    direct_debit_only = product_tariff(kind=Product.Kind.FIXED)
    direct_debit_only.product.payment_methods = ["DIRECT_DEBIT"]
    direct_debit_only.product.save(update_fields=["payment_methods"])
    now = at(date(2027, 4, 2))

    with pytest.raises(renewals.RenewalRefused, match=r"^product: .* must be paid by monthly direct debit"):
        renewals.renew(contract=contract, product=direct_debit_only.product, now=now, actor=None)
    elsewhere = product_tariff(kind=Product.Kind.FIXED)
    elsewhere.region = "A"
    elsewhere.save(update_fields=["region"])
    with pytest.raises(
        renewals.RenewalRefused, match=r"^product: .* has no single rate electricity tariff in region C"
    ):
        renewals.renew(contract=contract, product=elsewhere.product, now=now, actor=None)
    assert not Contract.objects.filter(state=Contract.State.PENDING).exists()
    assert [offer.product.code for offer in renewals.renewal_options(contract=contract, at=now)] == [
        contract.product.code
    ]


def test_a_fixed_term_with_no_renewal_rolls_over_on_the_day_after_it_ends() -> None:
    variable = standard_variable()
    contract = on_fixed_contract(
        product_tariff(kind=Product.Kind.FIXED), last_fixed_day=date(2027, 5, 19), by_email=True
    )
    starts = jobs_renewals.CONTRACT_STARTS

    on_last_day = run_job(starts, date(2027, 5, 19), at(date(2027, 5, 19), 6))
    assert on_last_day.done_count == 0
    # The job missed 20 May; on 21 May the rollover still starts on 20 May, the day after the last fixed day.
    run = run_job(starts, date(2027, 5, 21), at(date(2027, 5, 21), 6))

    assert (run.done_count, run.failed_count) == (1, 0)
    rollover = Contract.objects.get(origin=Contract.Origin.ROLLOVER)
    contract.refresh_from_db()
    assert (rollover.state, rollover.supply_start_date, rollover.previous_id) == (
        Contract.State.LIVE,
        date(2027, 5, 20),
        contract.pk,
    )
    assert (contract.state, contract.end_date, contract.exit_fee) == (Contract.State.ENDED, date(2027, 5, 20), 0)
    agreement = Agreement.objects.get(supply_point=supply_point_of(contract.account), valid_to__isnull=True)
    assert (agreement.tariff_id, agreement.valid_from) == (variable.pk, midnight(date(2027, 5, 20)))
    letter = ContractNotice.objects.get(contract=rollover, kind=ContractNotice.Kind.CONFIRMATION)
    assert "You are now on our Hearth Standard Variable" in pdf_text(letter.document)
    again = run_job(starts, date(2027, 5, 21), at(date(2027, 5, 21), 8))
    assert (again.done_count, again.failed_count) == (0, 0)


def test_no_variable_tariff_to_roll_onto_is_reported_and_the_contract_carries_on() -> None:
    contract = on_fixed_contract(
        product_tariff(kind=Product.Kind.FIXED), last_fixed_day=date(2027, 5, 19), by_email=True
    )

    run = run_job(jobs_renewals.CONTRACT_STARTS, date(2027, 5, 20), at(date(2027, 5, 20), 6))

    assert (run.done_count, run.failed_count) == (0, 1)
    assert "no Standard Variable Tariff" in JobRunItem.objects.get(run=run).message
    contract.refresh_from_db()
    assert contract.state == Contract.State.LIVE
