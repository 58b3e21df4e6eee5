"""Price changes (T&C 4.3, 22.3, 14.5.4), changes to the T&C (15.2 to 15.4) and moves by us (3.2, 15.5, 15.6).

Deemed delivery (22.3): an e-mail the day it is sent; a letter two working days after posting, posted on the next
working day when issued on another. Every expected day is worked out by hand in the comments.
"""

from datetime import date, datetime
from decimal import Decimal

import pytest

from hearth.data.contracts.models import Contract, ContractEvent, ContractNotice
from hearth.data.metering.models import Meter
from hearth.data.scheduling.models import JobRunItem
from hearth.data.tariffs.models import Agreement, MeterKind, Product, UnitRate
from hearth.domain.contracts import contract_changes, jobs_renewals, price_changes, tariff_changes
from hearth.domain.documents import letters
from tests.integration.contracts.renewal_support import (
    on_fixed_contract,
    product_tariff,
    run_job,
    standard_variable,
)
from tests.integration.payments.account_support import (  # noqa: F401  (documents_in_tmp is a fixture)
    at,
    documents_in_tmp_fixture,
    midnight,
    pdf_text,
    supply_point_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_in_tmp")]


def _on_variable(*, by_email: bool) -> Contract:
    """A customer on the Standard Variable Tariff, rolled over long ago (a fixed term that ended in 2025)."""
    variable = standard_variable()
    contract = on_fixed_contract(
        product_tariff(kind=Product.Kind.FIXED), last_fixed_day=date(2026, 1, 31), by_email=by_email
    )
    run_job(jobs_renewals.CONTRACT_STARTS, date(2026, 2, 1), at(date(2026, 2, 1), 6))
    rollover = Contract.objects.get(account=contract.account, state=Contract.State.LIVE)
    assert rollover.product_id == variable.product_id
    return rollover


def _increase(contract: Contract, valid_from: date, now: datetime) -> price_changes.Announced:
    tariff = Agreement.objects.get(supply_point=supply_point_of(contract.account), valid_to__isnull=True).tariff
    return price_changes.announce_price_change(
        tariff=tariff, band=UnitRate.STANDARD, value_exc_vat=Decimal("33"), valid_from=valid_from, now=now
    )


@pytest.mark.parametrize(
    ("by_email", "now", "valid_from", "accepted", "earliest"),
    [
        # E-mailed at 10:00 on Mon 4 May 2026 (Early May bank holiday: e-mail is delivered that day anyway).
        # 30 days after 4 May: 3 June. 2 June is 29 days: refused.
        (True, at(date(2026, 5, 4)), date(2026, 6, 3), True, None),
        (True, at(date(2026, 5, 4)), date(2026, 6, 2), False, "3 June 2026"),
        # Posted Thu 2 Apr 2026, before Good Friday 3 Apr and Easter Monday 6 Apr: Tue 7 (1), Wed 8 (2): deemed
        # Wed 8 Apr. 30 days later: Fri 8 May; Thu 7 May is 29 days: refused.
        (False, at(date(2026, 4, 2)), date(2026, 5, 8), True, None),
        (False, at(date(2026, 4, 2)), date(2026, 5, 7), False, "8 May 2026"),
        # Posted Fri 27 Nov 2026; Mon 30 Nov is St Andrew's Day: Tue 1 Dec (1), Wed 2 Dec (2): deemed Wed 2 Dec.
        # 30 days later: Fri 1 Jan 2027; Thu 31 Dec 2026 is 29 days: refused.
        (False, at(date(2026, 11, 27)), date(2027, 1, 1), True, None),
        (False, at(date(2026, 11, 27)), date(2026, 12, 31), False, "1 January 2027"),
        # Issued Sat 29 Aug 2026: posted Tue 1 Sep (Mon 31 Aug is England's bank holiday), Wed 2 (1), Thu 3 (2):
        # deemed Thu 3 Sep; 30 days later: Sat 3 Oct.
        (False, at(date(2026, 8, 29)), date(2026, 10, 3), True, None),
        (False, at(date(2026, 8, 29)), date(2026, 10, 2), False, "3 October 2026"),
    ],
)
def test_a_variable_increase_needs_30_days_from_each_customers_deemed_delivery(
    by_email: bool, now: datetime, valid_from: date, accepted: bool, earliest: str | None
) -> None:
    contract = _on_variable(by_email=by_email)

    if not accepted:
        with pytest.raises(price_changes.PriceChangeRefused, match=f"the earliest day now is {earliest}"):
            _increase(contract, valid_from, now)
        assert not ContractNotice.objects.filter(kind=ContractNotice.Kind.PRICE_CHANGE).exists()
        assert not UnitRate.objects.filter(value_exc_vat=Decimal("33")).exists()
        return
    announced = _increase(contract, valid_from, now)

    [notice] = announced.notices
    assert (notice.contract_id, notice.effective_date, notice.disadvantageous) == (contract.pk, valid_from, True)
    assert announced.price.valid_from == midnight(valid_from)
    text = pdf_text(notice.document)
    # 30p and 33p per kWh before VAT: 31.50p and 34.65p with 5 % VAT.
    assert "31.50p per kWh" in text
    assert "34.65p per kWh" in text
    assert "without paying a termination fee (T&C 14.5.4" in text
    assert "more)" in text  # the estimated annual cost goes up
    assert ContractEvent.objects.filter(contract=contract, kind="price_change_notice").exists()


def test_a_decrease_is_announced_without_the_disadvantage_flag_and_once() -> None:
    contract = _on_variable(by_email=True)
    tariff = Agreement.objects.get(supply_point=supply_point_of(contract.account), valid_to__isnull=True).tariff

    announced = price_changes.announce_price_change(
        tariff=tariff, band=None, value_exc_vat=Decimal("55"), valid_from=date(2026, 7, 1), now=at(date(2026, 5, 4))
    )

    [notice] = announced.notices
    assert (notice.disadvantageous, notice.key) == (False, f"{tariff.code}:SC:20260701")
    assert "termination fee" not in pdf_text(notice.document)


def test_a_notice_that_cannot_be_issued_leaves_no_price_scheduled(monkeypatch: pytest.MonkeyPatch) -> None:
    contract = _on_variable(by_email=True)

    def refuse(**_: object) -> None:
        raise letters.LetterRefused("the printer is out of paper")

    monkeypatch.setattr(letters, "issue_letter", refuse)
    with pytest.raises(letters.LetterRefused):
        _increase(contract, date(2026, 7, 1), at(date(2026, 5, 4)))

    assert not UnitRate.objects.filter(value_exc_vat=Decimal("33")).exists()
    assert not ContractNotice.objects.filter(kind=ContractNotice.Kind.PRICE_CHANGE).exists()


def test_a_contract_change_needs_30_days_and_is_disadvantageous_unless_15_4_says_otherwise() -> None:
    _on_variable(by_email=False)
    # Posted Fri 27 Nov 2026: Tue 1 Dec (1), Wed 2 Dec (2) after St Andrew's Day: deemed 2 Dec; +30 = 1 Jan 2027.
    too_soon = contract_changes.ContractChange(
        code="TC-2027-01",
        kind=contract_changes.ChangeKind.OTHER,
        title="Changes to how we handle complaints",
        details=("We are changing clause 19.",),
        effective_date=date(2026, 12, 31),
    )
    with pytest.raises(contract_changes.ContractChangeRefused, match="earliest day now is 1 January 2027"):
        contract_changes.announce_contract_change(change=too_soon, now=at(date(2026, 11, 27)))

    other = contract_changes.announce_contract_change(
        change=contract_changes.ContractChange(
            code="TC-2027-01",
            kind=contract_changes.ChangeKind.OTHER,
            title="Changes to how we handle complaints",
            details=("We are changing clause 19.",),
            effective_date=date(2027, 1, 1),
        ),
        now=at(date(2026, 11, 27)),
    )
    vat = contract_changes.announce_contract_change(
        change=contract_changes.ContractChange(
            code="VAT-2027",
            kind=contract_changes.ChangeKind.VAT,
            title="VAT on energy goes up",
            details=("The VAT you pay on energy changes.",),
            effective_date=date(2027, 1, 1),
        ),
        now=at(date(2026, 11, 27)),
    )

    assert [n.disadvantageous for n in other] == [True]
    assert [n.disadvantageous for n in vat] == [False]
    assert other[0].deemed_delivered_date == date(2026, 12, 2)


def test_a_refused_smart_meter_moves_the_contract_with_42_days_notice() -> None:
    variable = standard_variable()
    smart_only = product_tariff(kind=Product.Kind.FIXED, meter_kinds=(MeterKind.SMART,))
    contract = on_fixed_contract(smart_only, last_fixed_day=date(2026, 12, 31), by_email=False)

    # Posted Thu 2 Apr 2026, before Easter: deemed Wed 8 Apr (Tue 7 (1), Wed 8 (2)); 42 days later: Wed 20 May.
    move = tariff_changes.record_smart_meter_refusal(account=contract.account, now=at(date(2026, 4, 2)), actor=None)

    notice = ContractNotice.objects.get(contract=move, kind=ContractNotice.Kind.TARIFF_MOVE)
    assert (notice.deemed_delivered_date, notice.effective_date) == (date(2026, 4, 8), date(2026, 5, 20))
    assert (move.state, move.origin, move.product_id) == (
        Contract.State.PENDING,
        Contract.Origin.TARIFF_MOVE,
        variable.product_id,
    )
    starts = jobs_renewals.CONTRACT_STARTS
    run_job(starts, date(2026, 5, 19), at(date(2026, 5, 19), 6))
    move.refresh_from_db()
    assert move.state == Contract.State.PENDING
    run_job(starts, date(2026, 5, 20), at(date(2026, 5, 20), 6))
    move.refresh_from_db()
    assert (move.state, move.supply_start_date) == (Contract.State.LIVE, date(2026, 5, 20))
    agreement = Agreement.objects.get(supply_point=supply_point_of(contract.account), valid_to__isnull=True)
    assert agreement.tariff_id == variable.pk


def test_a_smart_meter_refusal_is_refused_where_the_tariff_does_not_need_one_or_one_is_fitted() -> None:
    standard_variable()
    plain = on_fixed_contract(product_tariff(kind=Product.Kind.FIXED), last_fixed_day=date(2027, 5, 31), by_email=True)
    with pytest.raises(tariff_changes.MoveRefused, match="does not require a smart meter"):
        tariff_changes.record_smart_meter_refusal(account=plain.account, now=at(date(2026, 4, 2)), actor=None)
    smart = on_fixed_contract(
        product_tariff(kind=Product.Kind.FIXED, meter_kinds=(MeterKind.SMART,)),
        last_fixed_day=date(2027, 5, 31),
        by_email=True,
        meter=Meter.Kind.SMART,
    )
    with pytest.raises(tariff_changes.MoveRefused, match="already has a smart meter"):
        tariff_changes.record_smart_meter_refusal(account=smart.account, now=at(date(2026, 4, 2)), actor=None)
    assert not Contract.objects.filter(state=Contract.State.PENDING).exists()


def test_a_domestic_supply_above_74000_kwh_is_flagged_for_care_once() -> None:
    standard_variable()
    contract = on_fixed_contract(
        product_tariff(kind=Product.Kind.FIXED), last_fixed_day=date(2027, 5, 31), by_email=True
    )
    point = supply_point_of(contract.account)
    point.annual_consumption_kwh = Decimal("74000.0")
    point.save(update_fields=["annual_consumption_kwh"])
    job = jobs_renewals.LARGE_SUPPLIES

    at_limit = run_job(job, date(2026, 5, 1), at(date(2026, 5, 1)))  # exactly 74,000: not above it
    point.annual_consumption_kwh = Decimal("74000.1")
    point.save(update_fields=["annual_consumption_kwh"])
    above = run_job(job, date(2026, 5, 2), at(date(2026, 5, 2)))
    again = run_job(job, date(2026, 5, 3), at(date(2026, 5, 3)))

    assert (at_limit.failed_count, above.failed_count, again.failed_count) == (0, 1, 0)
    assert JobRunItem.objects.get(run=above).message.startswith("For care: domestic supply above 74,000 kWh")
    assert ContractEvent.objects.filter(contract=contract, kind="large_supply_flag").count() == 1
