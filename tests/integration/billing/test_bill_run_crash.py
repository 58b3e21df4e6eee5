"""A bill run killed with SIGKILL part-way, then run again, leaves exactly the bills of one clean run.

The accounts are built in the test database, which is then copied twice. ``hearth bill_run`` runs as a real
process on each copy: on one to the end (the clean run), on the other killed with ``kill -9`` twice while bills are
being written, then run again to the end. The copies are then read back with plain SQL and compared: the same bills
(references worked out here from each account's supply dates), the same totals, lines, readings and ledger
postings, no duplicates and none missing.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hearth.data.billing.models import BillingArrangement
from tests.integration.billing.run_support import (
    billable_account,
    expected_periods,
    months_before,
    single_rate_tariff,
    this_month,
)
from tests.integration.database_copies import Copy

ACCOUNTS = 40
RUN_TIMEOUT_SECONDS = 120

pytestmark = pytest.mark.django_db(transaction=True)


def _bill_run(copy: Copy, data_dir: Path, *args: str) -> subprocess.Popen[str]:
    """`hearth bill_run` as its own process on ``copy``, inline (no task broker)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HEARTH_", "DATABASE_URL", "DJANGO_", "CELERY_"))
    }
    env.update({"DATABASE_URL": copy.url, "HEARTH_DATA_DIR": str(data_dir)})
    return subprocess.Popen(
        [sys.executable, "-m", "hearth.manage", "bill_run", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen[str]) -> str:
    stdout, stderr = process.communicate(timeout=RUN_TIMEOUT_SECONDS)
    assert process.returncode == 0, f"bill_run failed ({process.returncode}):\n{stdout}\n{stderr}"
    return stdout


def _kill_when(process: subprocess.Popen[str], copy: Copy, *, bills_at_least: int) -> int:
    """SIGKILL the run once ``bills_at_least`` bills exist; returns how many there were just before."""
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while (bills := copy.count("SELECT COUNT(*) FROM billing_bill")) < bills_at_least:
        assert process.poll() is None, f"the run ended before it could be killed:\n{process.communicate()}"
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.001)
    assert process.poll() is None, "the run ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL
    return bills


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).normalize()


def _bills(copy: Copy) -> dict[str, tuple[Any, ...]]:
    """Every bill by reference with what a customer would see of it (not database ids or issue times)."""
    lines: dict[str, list[tuple[Any, ...]]] = {}
    for reference, *line in copy.rows(
        "SELECT b.reference, l.position, l.kind, l.description, l.quantity, l.unit, l.rate, l.amount, l.vat_rate "
        "FROM billing_billline l JOIN billing_bill b ON b.id = l.bill_id ORDER BY b.reference, l.position"
    ):
        position, kind, description, quantity, unit, rate, amount, vat_rate = line
        lines.setdefault(reference, []).append(
            (position, kind, description, _number(quantity), unit, _number(rate), _number(amount), _number(vat_rate))
        )
    readings: dict[str, list[tuple[Any, ...]]] = {}
    for reference, *row in copy.rows(
        "SELECT b.reference, c.position, c.meter_serial_number, c.band, c.start_value, c.end_value, c.start_kind, "
        "c.end_kind, c.kwh FROM billing_billconsumption c JOIN billing_bill b ON b.id = c.bill_id "
        "ORDER BY b.reference, c.position"
    ):
        position, serial, band, start_value, end_value, start_kind, end_kind, kwh = row
        readings.setdefault(reference, []).append(
            (position, serial, band, _number(start_value), _number(end_value), start_kind, end_kind, _number(kwh))
        )
    bills: dict[str, tuple[Any, ...]] = {}
    for reference, number, start, end, status, estimated, final, total, previous, paid, carried in copy.rows(
        "SELECT b.reference, a.number, b.period_start_date, b.period_end_date, b.status, b.is_estimated, "
        "b.is_final, b.total, b.previous_balance, b.payments_and_credits, b.balance_carried_forward "
        "FROM billing_bill b JOIN accounts_account a ON a.id = b.account_id"
    ):
        assert reference not in bills, f"two bills with reference {reference}"
        bills[reference] = (
            number,
            str(start),
            str(end),
            status,
            bool(estimated),
            bool(final),
            _number(total),
            _number(previous),
            _number(paid),
            _number(carried),
            tuple(lines.get(reference, [])),
            tuple(readings.get(reference, [])),
        )
    return bills


def _bookkeeping(copy: Copy) -> dict[str, int]:
    """Counts that a half-finished bill would upset: postings per bill, estimates, live bills per period."""
    return {
        "bills": copy.count("SELECT COUNT(*) FROM billing_bill"),
        "ledger postings": copy.count("SELECT COUNT(*) FROM billing_ledgerentry"),
        "bills with exactly one charge": copy.count(
            "SELECT COUNT(*) FROM billing_bill b WHERE (SELECT COUNT(*) FROM billing_ledgerentry e "
            "WHERE e.bill_id = b.id AND e.kind = 'CHARGE' AND e.amount = b.total) = 1"
        ),
        "estimated readings": copy.count("SELECT COUNT(*) FROM metering_registerreading WHERE kind = 'ESTIMATED'"),
        "periods billed twice": copy.count(
            "SELECT COUNT(*) FROM (SELECT account_id, period_start_date FROM billing_bill WHERE status = 'ISSUED' "
            "GROUP BY account_id, period_start_date HAVING COUNT(*) > 1) twice"
        ),
    }


def test_a_bill_run_killed_part_way_and_run_again_issues_exactly_the_bills_of_one_clean_run(copy_database, tmp_path):
    as_of = this_month()
    tariff = single_rate_tariff(valid_from_date=months_before(as_of, 12))
    expected: set[str] = set()
    for index in range(ACCOUNTS):
        number = f"{7000000000 + index}"
        start = months_before(as_of, 2 if index % 4 == 0 or index % 5 == 4 or index % 7 == 6 else 1)
        start += timedelta(days=index % 20)
        quarterly = index % 5 == 4
        ended = months_before(as_of, 1) + timedelta(days=9) if index % 7 == 6 else None
        actual = [(months_before(as_of, k), Decimal(1000 + 260 * (3 - k))) for k in (2, 1, 0)] if index % 2 else []
        billable_account(
            tariff,
            number=number,
            supply_start_date=start,
            supply_end_date=ended,
            frequency=BillingArrangement.Frequency.QUARTERLY if quarterly else None,
            readings=[(day, value) for day, value in actual if day > start],
        )
        periods = expected_periods(
            supply_start_date=start, as_of_date=as_of, quarterly=quarterly, supply_end_date=ended
        )
        expected |= {f"INV-{number}-{period_start:%Y%m%d}" for period_start, _ in periods}
    clean, crashed = copy_database("clean"), copy_database("crashed")
    args = ("--as-of", as_of.isoformat(), "--no-pdf", "--chunk-size", "2")  # many commits for the kills to land between

    clean_run = _bill_run(clean, tmp_path / "clean", *args)  # alongside the crashed one: the machine has two cores
    # Each kill lands at the first commit its run is seen to make: a run bills 40 accounts in a few tens of
    # milliseconds once started, so a later mark is easily passed before the count is read.
    first_kill = _kill_when(_bill_run(crashed, tmp_path / "crashed", *args), crashed, bills_at_least=1)
    second_kill = _kill_when(_bill_run(crashed, tmp_path / "crashed", *args), crashed, bills_at_least=first_kill + 1)
    seen_at_kills = [first_kill, second_kill]
    rerun_summary = _finish(_bill_run(crashed, tmp_path / "crashed", *args))
    clean_summary = _finish(clean_run)

    assert f"Billed {len(expected)}\n" in clean_summary
    assert "Failed 0" in clean_summary
    assert "Failed 0" in rerun_summary
    assert all(0 < seen < len(expected) for seen in seen_at_kills), seen_at_kills
    clean_bills, crashed_bills = _bills(clean), _bills(crashed)
    assert set(clean_bills) == expected
    assert set(crashed_bills) == expected
    for reference in sorted(expected):
        assert crashed_bills[reference] == clean_bills[reference], reference
    bookkeeping = _bookkeeping(crashed)
    assert bookkeeping == _bookkeeping(clean)
    assert bookkeeping["bills with exactly one charge"] == bookkeeping["bills"] == len(expected)
    assert bookkeeping["periods billed twice"] == 0
