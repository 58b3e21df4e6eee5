"""Reading bills, their lines and consumption, the account ledger with its running balance, and the base rate.

Every read of an account's bills goes through the account, so a bill id guessed from a URL never reaches a bill of
another account. What a bill's page reads (the bill, its lines and consumption, the live bills with the balance) is
read by plain cursors into model instances (:mod:`hearth.domain.billing.sql`): Django took ten times as long to build
each of those small queries as the database took to answer it (ADR 0028).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet, Sum

from hearth.common.money import to_pennies
from hearth.data.accounts.models import Account
from hearth.data.billing.models import (
    AdditionalCharge,
    BaseRate,
    Bill,
    BillConsumption,
    BillingObstruction,
    BillLine,
    LedgerEntry,
)
from hearth.data.metering.models import RegisterReading
from hearth.domain.billing import sql

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One ledger entry and the account's balance just after it (positive: the customer owes)."""

    entry: LedgerEntry
    balance: Decimal


def bills_of(account: Account) -> QuerySet[Bill]:
    """The account's bills, live and cancelled, newest period first."""
    return Bill.objects.filter(account=account).order_by("-period_start_date", "-id")


def latest_bill(account: Account) -> Bill | None:
    """The account's live bill with the latest period (a cancelled bill is not what the customer is asked to pay)."""
    return bills_of(account).filter(status=Bill.Status.ISSUED).first()


def bill_of_account(account: Account, bill_id: int) -> Bill | None:
    """The bill ``bill_id`` if it belongs to ``account``; None otherwise (never another account's bill)."""
    found = sql.objects(Bill, "t.account_id = %s AND t.id = %s", [account.pk, bill_id], order_by="t.id")
    if not found:
        return None
    found[0].account = account  # read already: the bill's status and invoice need not read it again
    return found[0]


def account_of_bill(account_ids: list[int], bill_id: int) -> int | None:
    """The id of the account among ``account_ids`` that bill ``bill_id`` belongs to; None for any other bill."""
    return Bill.objects.filter(account_id__in=account_ids, pk=bill_id).values_list("account_id", flat=True).first()


def lines_of(bill: Bill) -> list[BillLine]:
    """The bill's printed lines in order; their amounts sum to ``bill.total``."""
    return lines_of_bills([bill.pk]).get(bill.pk, [])


def lines_of_bills(bill_ids: Iterable[int]) -> dict[int, list[BillLine]]:
    """Each of the bills' printed lines in order, in one query (a bill run's chunk); a bill without lines is absent."""
    found: dict[int, list[BillLine]] = defaultdict(list)
    ids = list(bill_ids)
    if ids:
        for line in sql.objects(BillLine, *sql.among("t.bill_id", ids), order_by="t.bill_id, t.position, t.id"):
            found[line.bill_id].append(line)
    return found


def consumption_of(bill: Bill) -> list[BillConsumption]:
    """The readings and energy the bill charged, in the order printed."""
    return consumption_of_bills([bill.pk]).get(bill.pk, [])


def consumption_of_bills(bill_ids: Iterable[int]) -> dict[int, list[BillConsumption]]:
    """Each of the bills' consumption rows in the order printed, with the readings they start and end at (printed
    with their dates), in one query; a bill without any is absent."""
    found: dict[int, list[BillConsumption]] = defaultdict(list)
    ids = list(bill_ids)
    if not ids:
        return found
    row_of, start_of, end_of = (
        sql.reader(BillConsumption, "c"),
        sql.reader(RegisterReading, "s"),
        sql.reader(RegisterReading, "e"),
    )
    of_bills, params = sql.among("c.bill_id", ids)
    readings = RegisterReading._meta.db_table
    for values in sql.select(
        f"SELECT {row_of.columns}, {start_of.columns}, {end_of.columns} "  # noqa: S608 - the models' tables
        f"FROM {BillConsumption._meta.db_table} c LEFT JOIN {readings} s ON s.id = c.start_reading_id "
        f"LEFT JOIN {readings} e ON e.id = c.end_reading_id WHERE {of_bills} ORDER BY c.bill_id, c.position, c.id",
        params,
    ):
        row = row_of.build(values)
        start = None if row.start_reading_id is None else start_of.build(values, row_of.width)
        end = None if row.end_reading_id is None else end_of.build(values, row_of.width + start_of.width)
        sql.attach(row, "start_reading", start)
        sql.attach(row, "end_reading", end)
        found[row.bill_id].append(row)
    return found


def ledger_of(account: Account) -> list[LedgerRow]:
    """Every ledger entry of the account, oldest first, each with the running balance after it."""
    balance = ZERO
    rows: list[LedgerRow] = []
    for entry in LedgerEntry.objects.filter(account=account).select_related("bill").order_by("posted_at", "id"):
        balance += entry.amount
        rows.append(LedgerRow(entry=entry, balance=balance))
    return rows


def balance_of(account: Account) -> Decimal:
    """What the customer owes now (negative: in credit): the sum of the ledger."""
    return balances_of([account.pk]).get(account.pk, ZERO)


def live_bills_and_balance(account: Account) -> tuple[list[Bill], Decimal]:
    """The account's live (issued) bills, newest first, and what it owes now (``balance_of``), in one query."""
    return live_bills_and_balances([account.pk])[account.pk]


def live_bills_and_balances(account_ids: Sequence[int]) -> dict[int, tuple[list[Bill], Decimal]]:
    """:func:`live_bills_and_balance` of each account, by account id, in one query however many accounts: each
    account with its live bills (a LEFT JOIN: an account without one is kept) and the ledger's sum beside them."""
    bill_of = sql.reader(Bill, "t")
    of_accounts, params = sql.among("a.id", account_ids)
    found: dict[int, tuple[list[Bill], Decimal]] = {}
    for row in sql.select(
        f"SELECT a.id, (SELECT SUM(l.amount) FROM {LedgerEntry._meta.db_table} l "  # noqa: S608 - the models' tables
        f"WHERE l.account_id = a.id), {bill_of.columns} FROM {Account._meta.db_table} a "
        f"LEFT JOIN {Bill._meta.db_table} t ON t.account_id = a.id AND t.status = %s "
        f"WHERE {of_accounts} ORDER BY a.id, t.issue_date DESC, t.id DESC",
        [Bill.Status.ISSUED, *params],
    ):
        bills, _ = found.setdefault(row[0], ([], _pennies(row[1])))
        if row[2] is not None:
            bills.append(bill_of.build(row, 2))
    return found


def balances_of(account_ids: Iterable[int]) -> dict[int, Decimal]:
    """``balance_of`` for several accounts in one query, by account id (an account with no entries is left out)."""
    totals = (
        LedgerEntry.objects.filter(account_id__in=list(account_ids))
        .values("account_id")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
        .order_by()
    )
    return {pk: _pennies(total) for pk, total in totals}


def _pennies(total: Decimal | float | None) -> Decimal:
    """A ledger sum as the database gives it (None for no entries; from SQLite an int or a float) in pounds and
    pence. Every entry is in whole pence, so this is exact; SQLite's SUM would otherwise print as 120.000000000000."""
    return ZERO if total is None else to_pennies(Decimal(total))


def unbilled_charges_of(account: Account) -> QuerySet[AdditionalCharge]:
    """Additional charges and interest raised but not yet on a bill, oldest first."""
    return AdditionalCharge.objects.filter(account=account, bill__isnull=True).order_by("incurred_date", "id")


def obstructions_of(account: Account) -> QuerySet[BillingObstruction]:
    """Periods in which care staff recorded that the customer obstructed billing, oldest first."""
    return BillingObstruction.objects.filter(account=account).order_by("from_date", "id")


def base_rate_on(day: date) -> BaseRate | None:
    """The Bank of England base rate in force on ``day`` (the latest set on or before it), or None if none is held."""
    return BaseRate.objects.filter(effective_date__lte=day).order_by("-effective_date").first()
