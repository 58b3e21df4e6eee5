"""My contract (portal) and the contract timeline (care): what they say, worked out by hand, and who may see them."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hearth.data.contracts.models import Contract, ContractNotice, Registration
from hearth.data.identity.models import AccountLink
from hearth.domain.contracts import queries, registrations
from hearth.domain.tariffs import contracts
from tests.integration.conftest import PASSWORD, Builder, sign_in
from tests.integration.contracts.contract_support import (
    EXIT_FEE,
    SIGNED_UP,
    fixed_tariff,
    new_account,
    notice,
    signed_up,
    supplied,
)
from tests.integration.documents.delivery_support import care_client, words
from tests.integration.payments.account_support import LONDON

pytestmark = pytest.mark.django_db


# --- The summary -------------------------------------------------------------------------------------------------


def test_a_switch_in_counts_down_the_cooling_off_period_to_its_sunday_last_day() -> None:
    account, point = new_account()
    contract = signed_up(account, fixed_tariff().product)
    registrations.open_gain(
        contract=contract, supply_point=point, requested_start_date=date(2026, 3, 16), now=SIGNED_UP
    )

    # Thursday 5 March: 6, 7, ... 15 March are left, 10 days; the last day is Sunday 15 March and stays so.
    on_5_march = queries.contract_summary(account, date(2026, 3, 5))
    # Sunday 15 March: the last day itself, none after it.
    on_15_march = queries.contract_summary(account, date(2026, 3, 15))
    on_16_march = queries.contract_summary(account, date(2026, 3, 16))

    assert on_5_march.current is not None
    assert on_15_march.current is not None
    assert on_16_march.current is not None
    assert (on_5_march.current.cooling_off_open, on_5_march.current.cooling_off_days_left) == (True, 10)
    assert on_5_march.current.cooling_off_end_date == date(2026, 3, 15)
    assert (on_15_march.current.cooling_off_open, on_15_march.current.cooling_off_days_left) == (True, 0)
    assert (on_16_march.current.cooling_off_open, on_16_march.current.cooling_off_days_left) == (False, 0)
    assert on_5_march.current.state_words == "Waiting to start: your switch to us is requested."
    assert on_5_march.waiting is None
    assert on_5_march.next_steps == (
        "Your switch to us on Hearth Fix 12 is under way (requested). We expect to supply you from 16 March 2026.",
    )
    assert on_5_march.current.exit_fee_today == 0  # not supplying yet


def test_a_live_fixed_contract_says_when_its_prices_end_and_what_happens_then() -> None:
    account, point = new_account()
    supplied(account, point, fixed_tariff())

    summary = queries.contract_summary(account, date(2026, 4, 10))

    current = summary.current
    assert current is not None
    assert (current.product_name, current.is_fixed, current.payment_method) == (
        "Hearth Fix 12",
        True,
        "Monthly Direct Debit",
    )
    assert (current.supply_start_date, current.fixed_term_end_date) == (date(2026, 3, 15), date(2027, 3, 14))
    # 10 April 2026 to 10 April 2027 is 365 days; back to 14 March is 27 days fewer (21 + 6... : 10 Apr - 14 Mar
    # = 17 days left of March + 10 of April = 27): 338 days.
    assert current.fixed_term_days_left == 338
    assert current.exit_fee_today == EXIT_FEE
    # 49 days before Sunday 14 March 2027: 14 Feb is 28 days back (February 2027 has 28), 21 more is 24 January;
    # 42 days before: 31 January.
    assert summary.next_steps == (
        "We will send your Statement of Renewal between 24 January and 31 January 2027.",
        "If you do nothing, you move to our Standard Variable Tariff on 15 March 2027.",
    )


@pytest.mark.parametrize(
    ("today", "fee"),
    [
        (date(2026, 3, 15), Decimal(0)),  # the last day of cooling-off: free to leave
        (date(2026, 3, 16), EXIT_FEE),  # the day after
        # The fixed term's last day is Sunday 14 March 2027; its last 49 days (T&C 14.5.2, no fee) start 49 days before
        # the day after it: 15 March - 49 days = 25 January (15 March - 14 = 1 March, - 28 (February 2027) = 1
        # February, - 7 = 25 January).
        (date(2027, 1, 24), EXIT_FEE),
        (date(2027, 1, 25), Decimal(0)),
        (date(2027, 3, 15), Decimal(0)),  # the day after the fixed term
    ],
)
def test_the_exit_fee_applies_after_cooling_off_until_the_last_49_days_of_the_fixed_term(
    today: date, fee: Decimal
) -> None:
    account, point = new_account()
    contract = supplied(account, point, fixed_tariff())

    assert queries.exit_fee_today(contract, today) == fee


def test_a_renewal_window_across_new_year_names_both_years() -> None:
    account, point = new_account()
    # Supply from 16 February 2026: the fixed prices' last day is Monday 15 February 2027. 49 days before: 15 Feb
    # less 15 is 31 Jan, less 31 more is 31 Dec, less 3 more is 28 December 2026; 42 days before is 4 January 2027.
    supplied(account, point, fixed_tariff(), start=date(2026, 2, 16))

    steps = queries.contract_summary(account, date(2026, 6, 1)).next_steps

    assert "We will send your Statement of Renewal between 28 December 2026 and 4 January 2027." in steps


def test_a_sent_statement_and_a_waiting_renewal_replace_the_promises() -> None:
    account, point = new_account()
    fixed = fixed_tariff()
    live = supplied(account, point, fixed)
    sent_at = datetime(2027, 1, 25, 9, tzinfo=LONDON)
    notice(live, ContractNotice.Kind.RENEWAL_STATEMENT, sent_at, key="2027-03-14")
    renewal = contracts.enter_contract(
        account=account,
        product=fixed_tariff().product,
        payment_method="STANDARD_DIRECT_DEBIT",
        origin=Contract.Origin.RENEWAL,
        commencement_date=date(2027, 2, 1),
        cooling_off_end_date=date(2027, 2, 15),
        now=datetime(2027, 2, 1, 10, tzinfo=LONDON),
        previous=live,
    )

    summary = queries.contract_summary(account, date(2027, 2, 5))

    assert summary.next_steps == ("We sent your Statement of Renewal on 25 January 2027.",)
    assert summary.waiting is not None
    assert summary.waiting.contract == renewal
    assert summary.waiting_words == "Your new contract, Hearth Fix 12, starts on 15 March 2027."
    # 5 February to Monday 15 February 2027: 10 days left to cancel the renewal.
    assert summary.waiting.cooling_off_days_left == 10
    assert [n.kind for n in summary.notices] == [ContractNotice.Kind.RENEWAL_STATEMENT]


def test_an_ended_contract_says_when_and_why() -> None:
    account, point = new_account()
    contract = supplied(account, point, fixed_tariff())
    contracts.end_supply(
        contract=contract, end_date=date(2026, 6, 1), reason=Contract.EndReason.SWITCHED_AWAY, now=SIGNED_UP
    )

    summary = queries.contract_summary(account, date(2026, 6, 5))

    assert summary.current is not None
    assert summary.current.state_words == "Ended on 1 June 2026. Switched to another supplier (T&C 14)"
    assert summary.current.exit_fee_today == 0
    assert summary.next_steps == ()


# --- The portal page ---------------------------------------------------------------------------------------------


@pytest.fixture
def holder_client(build: Builder, client: Client) -> tuple[Client, Contract]:
    account, point = new_account("Hattie Holder")
    contract = supplied(account, point, fixed_tariff())
    build.activated_login("hattie@example.com", account)
    sign_in(client, "hattie@example.com", PASSWORD)
    return client, contract


def test_my_contract_prints_the_dates_the_countdown_and_the_fee(holder_client: tuple[Client, Contract]) -> None:
    client, _ = holder_client
    with time_machine.travel(datetime(2026, 3, 5, 12, tzinfo=UTC), tick=False):
        sign_in(client, "hattie@example.com", PASSWORD)
        before_supply = words(client.get("/services/contract/"))
    with time_machine.travel(datetime(2026, 4, 10, 12, tzinfo=UTC), tick=False):
        sign_in(client, "hattie@example.com", PASSWORD)
        page = words(client.get("/services/contract/"))

    assert "10 days left" in before_supply
    assert "until the end of Sunday 15 March 2026" in before_supply
    assert "Hearth Fix 12" in page
    assert "Fixed prices until 14 March 2027 (338 days left)" in page
    assert "Exit fee if you left today £75.00" in page
    assert "Cooling-off Ended on 15 March 2026" in page
    assert "We will send your Statement of Renewal between 24 January and 31 January 2027." in page
    assert page.count("14 March 2027") == 1  # said once, beside its countdown
    assert page.count("15 March 2027") == 1  # the rollover's day


def test_a_viewer_can_read_my_contract(build: Builder, client: Client) -> None:
    account, point = new_account("Vera Viewer")
    supplied(account, point, fixed_tariff())
    build.activated_login("vera@example.com", account, role=AccountLink.Role.VIEWER)
    sign_in(client, "vera@example.com", PASSWORD)

    response = client.get("/services/contract/")

    assert response.status_code == 200
    assert "Hearth Fix 12" in words(response)


def test_another_customers_contract_cannot_be_selected(holder_client: tuple[Client, Contract]) -> None:
    client, own = holder_client
    other, point = new_account("Otto Other")
    supplied(other, point, fixed_tariff(), start=date(2026, 5, 20))
    session = client.session
    session["hearth_account_id"] = other.pk
    session.save()

    page = words(client.get("/services/contract/"))

    assert own.account.number in page
    assert other.number not in page
    assert "20 May 2026" not in page


def test_an_account_with_no_contract_says_so(build: Builder, client: Client) -> None:
    account, _ = new_account("Nora None")
    build.activated_login("nora@example.com", account)
    sign_in(client, "nora@example.com", PASSWORD)

    assert "We have no contract on record for this account yet." in words(client.get("/services/contract/"))


def test_the_dashboard_and_menu_lead_to_my_contract(holder_client: tuple[Client, Contract]) -> None:
    client, _ = holder_client

    # the menu (rendered once for phones, once for wider screens) and the card
    assert client.get("/").content.decode().count('href="/services/contract/"') == 3


# --- The care timeline -------------------------------------------------------------------------------------------


def test_the_timeline_lists_contracts_events_in_uk_time_switches_and_documents() -> None:
    account, point = new_account("Tim Line")
    contract = signed_up(account, fixed_tariff().product)
    registrations.open_gain(
        contract=contract, supply_point=point, requested_start_date=date(2026, 3, 16), now=SIGNED_UP
    )
    contracts.start_supply(
        contract=contract,
        start_date=date(2026, 3, 16),
        placements=[(point, contract.product.tariffs.get())],
        now=datetime(2026, 3, 16, 0, 30, tzinfo=UTC),
    )
    sent = notice(contract, ContractNotice.Kind.RENEWAL_STATEMENT, datetime(2026, 7, 1, 11, tzinfo=UTC))
    contracts.record_event(
        contract=contract,
        kind="renewal_statement",
        summary="Statement of Renewal sent",
        at=datetime(2026, 7, 1, 11, tzinfo=UTC),  # 12:00 in London (BST)
        document=sent.document,
        actor=None,
    )
    care = care_client()

    response = care.get(f"/care/accounts/{account.number}/contract/")

    page = words(response)
    assert response.status_code == 200
    assert "1 Jul 2026 12:00" in page  # 11:00 UTC in summer time
    assert "16 Mar 2026 00:30" in page  # GMT before the clocks change on 29 March
    assert sent.document.reference in page
    assert f"/care/accounts/{account.number}/documents/{sent.document_id}/deliveries/" in response.content.decode()
    assert "Switching to us" in page
    assert Registration.objects.get().reference in page
    assert "Sun 15 Mar 2026" in page  # cooling-off's last day
    assert "15 Mar 2027" in page  # fixed prices' last day


def test_the_timeline_takes_the_same_queries_for_many_events() -> None:
    account, point = new_account()
    contract = supplied(account, point, fixed_tariff())
    for day in range(20):
        contracts.record_event(
            contract=contract, kind="note", summary="A note", at=SIGNED_UP + timedelta(days=day), actor=None
        )
    with CaptureQueriesContext(connection) as captured:
        timeline = queries.contract_timeline(account)
    assert len(timeline.events) == 22  # entered, supply started and the 20 notes
    assert len(captured) == 4


def test_the_customer_page_links_each_account_to_its_contract_timeline() -> None:
    account, point = new_account("Linda Link")
    supplied(account, point, fixed_tariff())

    page = care_client().get(f"/care/customers/{account.customer_id}/").content.decode()

    assert f'href="/care/accounts/{account.number}/contract/"' in page
