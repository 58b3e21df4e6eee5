"""Direct Debit schedules worked out from the T&C: amounts, collection days, notice, refunds and reviews.

Pure calculations: dates, Decimals and small frozen values in and out, no database, so each rule is tested on its
boundary days. Money is rounded to the penny once, through :mod:`hearth.common.money`.

Two calendars meet here. A collection can only be made on a Bacs processing day (a weekday that is not a bank
holiday in England and Wales); every function that moves a date takes that calendar as ``is_collection_day``. Notice
periods count the T&C's working days (:mod:`hearth.common.calendar`: no bank holiday in England, Scotland *or*
Wales), so a Scottish-only holiday delays a notice but can still be a collection day.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from hearth.common import calendar
from hearth.common.money import Money, to_pennies, to_pennies_up
from hearth.data.documents.models import Delivery
from hearth.domain.documents import post
from hearth.domain.payments import methods

CollectionCalendar = Callable[[date], bool]
"""Says whether a day is a Bacs processing day, on which a Direct Debit can be collected."""

LONGEST_CLOSURE_DAYS: Final = 14
"""No run of days without a collection day is longer than this (the longest, at Christmas, is four); a calendar
that shows one is wrong, and a schedule is refused rather than searched for without end."""

PAYMENT_DAYS: Final = range(1, 29)
"""Days of the month a customer may choose (1-28): every month has them, so a collection never skips a month."""

MONTHS_IN_YEAR: Final = 12

WINTER_MONTHS: Final = frozenset({10, 11, 12, 1, 2, 3})
"""Seasonal Direct Debit collects more from October to March and less from April to September (ADR 0011)."""

MAX_SEASONAL_PERCENT: Final = 50
"""T&C 9.1.2: the standard amount may be raised and lowered by up to 50 %."""

INITIAL_FIRST_DAY: Final = 16
INITIAL_SECOND_FROM_DAY: Final = 22
INITIAL_SECOND_TO_DAY: Final = 42
"""T&C 9.1.5: the initial Direct Debit collects on day 16 of signing up, then between days 22 and 42."""

INITIAL_THIRD_GAP_DAYS: Final = 14
"""The third initial collection (the first on the chosen day) is at least this many days after the second, so two
collections never come days apart. With real bank holidays the 21-day window already keeps them further apart; the
rule binds only if the collection calendar closes for longer and pushes the second late."""

ADVANCE_NOTICE_WORKING_DAYS: Final = 10
"""The Direct Debit Guarantee: advance notice of a first collection or a change of amount, date or frequency."""

PAYMENTS_BEFORE_DAY_CHANGE: Final = 2
"""T&C 9.1.6: the payment day can be changed from the third payment onwards, once two have been taken."""

PAYMENT_DAY_CHANGE_REFUSED: Final = (
    "The payment day can only be changed from the third payment onwards (T&C 9.1.6), "
    "once the first two payments have been taken."
)

COOLING_OFF_DAYS: Final = 14
"""T&C 1 ("Cooling Off Period"): 14 days from the Commencement Date, the day the contract is entered into."""

REVIEW_MIN_CHANGE: Final = Decimal("5.00")
REVIEW_MIN_SHARE: Final = Decimal("0.10")
"""A review (T&C 9.4.4) changes the monthly amount only when the recommended one differs from it by more than
£5.00 *and* by more than 10 % of it: smaller differences are left to even out, rather than sending a notice and
changing the collection for a few pounds either way."""

SIMULATED_METHODS: Final = frozenset(
    {
        methods.Method.STANDARD_DIRECT_DEBIT,
        methods.Method.SEASONAL_DIRECT_DEBIT,
        methods.Method.ANNUAL_DIRECT_DEBIT,
    }
)
"""The ways to pay the Direct Debit simulator compares."""


class ScheduleRefused(Exception):
    """The schedule or amount asked for breaks a rule of the T&C; the message says which, in plain words."""


def _require_payment_day(payment_day: int) -> None:
    if payment_day not in PAYMENT_DAYS:
        raise ScheduleRefused(
            f"The payment day must be from the 1st to the 28th of the month; {payment_day} was asked."
        )


def _require_count(count: int) -> None:
    if count < 0:
        raise ScheduleRefused(f"The number of collections cannot be negative; {count} was asked.")


def _require_not_negative(amount: Decimal, what: str) -> None:
    if amount < 0:
        raise ScheduleRefused(f"{what} cannot be negative; {amount} was given.")


def collection_day_on_or_after(day: date, *, is_collection_day: CollectionCalendar) -> date:
    """The first collection day on or after ``day``: a collection due on a weekend or bank holiday is made on the
    next Bacs processing day.

    :raises ScheduleRefused: if the calendar shows no collection day within :data:`LONGEST_CLOSURE_DAYS`.
    """
    return _nearest_collection_day(day, step=timedelta(days=1), is_collection_day=is_collection_day)


def _collection_day_on_or_before(day: date, *, is_collection_day: CollectionCalendar) -> date:
    return _nearest_collection_day(day, step=timedelta(days=-1), is_collection_day=is_collection_day)


def _nearest_collection_day(day: date, *, step: timedelta, is_collection_day: CollectionCalendar) -> date:
    candidate = day
    for _ in range(LONGEST_CLOSURE_DAYS + 1):
        if is_collection_day(candidate):
            return candidate
        candidate += step
    raise ScheduleRefused(
        f"The collection calendar has no collection day within {LONGEST_CLOSURE_DAYS} days of {day.isoformat()}."
    )


def _payment_day_on_or_after(day: date, payment_day: int) -> date:
    """The first date on or after ``day`` that falls on ``payment_day`` of its month (1-28, so every month has it)."""
    if day.day <= payment_day:
        return day.replace(day=payment_day)
    return calendar.next_month_start(day).replace(day=payment_day)


def standard_monthly_amount(*, annual_cost: Decimal, balance: Decimal, months: int = MONTHS_IN_YEAR) -> Decimal:
    """The standard monthly Direct Debit (T&C 9.4.1, 9.4.2, 9.4.4): the estimated cost of the next 12 months as a
    monthly share, plus the account's balance now spread over ``months``.

    ``balance`` is positive when the customer owes money and negative when the account is in credit. The brief
    "12 months' cost plus the balance, spread over ``months``" is read as: the year's cost always over 12 months
    (spreading it over fewer would collect more than a month's use each month), and ``months`` saying how quickly
    a debt is recovered or a credit given back. With the default of 12 both readings agree.

    Rounded *up* to the penny: rounded down, twelve collections could fall up to 12p short of the year's cost, and
    a schedule must cover the cost. Never below £0.00: a large credit is refunded (T&C 12.2), not collected
    negatively.

    :raises ScheduleRefused: if ``annual_cost`` is negative or ``months`` is less than 1.
    """
    _require_not_negative(annual_cost, "The estimated annual cost")
    if months < 1:
        raise ScheduleRefused(f"A balance must be spread over at least one month; {months} was asked.")
    # One division, so the sum is exact before rounding up: 14.75/12 + -3.71/12 carries a stray last digit that
    # rounds 0.92 up to 0.93, where (14.75 * 12 - 3.71 * 12) / 144 is 0.92 exactly.
    monthly = (annual_cost * months + balance * MONTHS_IN_YEAR) / (MONTHS_IN_YEAR * months)
    return max(to_pennies_up(monthly), Decimal("0.00"))


def seasonal_amounts(*, standard: Decimal, percent: int, months: Sequence[date]) -> list[Decimal]:
    """The Seasonal Direct Debit collected in each of ``months`` (T&C 9.1.2): winter months (October to March)
    ``percent`` above the standard amount, summer months (April to September) ``percent`` below it.

    The winter amount is rounded half-up to the penny once; the summer amount is then twice the standard less the
    winter amount, so each winter month and summer month together collect exactly two standard months. Any 12
    consecutive months (six of each) therefore collect exactly 12 times ``standard``, with no rounding remainder to
    put on one month. This was chosen over carrying the remainder on the last month: that remainder (up to 6p) can
    make a small month negative, and a 12-month window of a longer schedule that misses that month would not add
    up. Each amount is within half a penny of the exact one; only on an exact half penny does summer round down.

    :raises ScheduleRefused: if ``percent`` is outside 0-50, or ``standard`` is negative or not in whole pennies.
    """
    if not 0 <= percent <= MAX_SEASONAL_PERCENT:
        raise ScheduleRefused(
            f"The seasonal change must be from 0 % to {MAX_SEASONAL_PERCENT} % of the standard amount "
            f"(T&C 9.1.2); {percent} % was asked."
        )
    _require_not_negative(standard, "The standard Direct Debit")
    if to_pennies(standard) != standard:
        raise ScheduleRefused(f"The standard Direct Debit must be in whole pennies; {standard} was given.")
    winter = to_pennies(standard * (1 + Decimal(percent) / 100))
    summer = 2 * standard - winter
    return [winter if month.month in WINTER_MONTHS else summer for month in months]


def initial_collection_dates(
    *, signed_up: date, payment_day: int, count: int, is_collection_day: CollectionCalendar
) -> list[date]:
    """The first ``count`` collections of an Initial Direct Debit (T&C 9.1.5), day N being ``signed_up`` + N days.

    - First: day 16, or the next collection day after it.
    - Second: between day 22 and day 42. Aimed at the first date in that window on the chosen ``payment_day``, or
      at day 22 when the window has no such date; moved to the next collection day, unless that is after day 42,
      when the collection day before is taken instead, so the second is never late.
    - Then a Standard Direct Debit "on or around" the chosen day each month, read as that day or the next
      collection day after it. The third is at least :data:`INITIAL_THIRD_GAP_DAYS` days after the second.

    :raises ScheduleRefused: if ``payment_day`` is not 1-28 or ``count`` is negative.
    """
    _require_payment_day(payment_day)
    _require_count(count)
    first = collection_day_on_or_after(
        signed_up + timedelta(days=INITIAL_FIRST_DAY), is_collection_day=is_collection_day
    )
    window_opens = signed_up + timedelta(days=INITIAL_SECOND_FROM_DAY)
    window_closes = signed_up + timedelta(days=INITIAL_SECOND_TO_DAY)
    aimed_at = _payment_day_on_or_after(window_opens, payment_day)
    if aimed_at > window_closes:
        aimed_at = window_opens
    second = collection_day_on_or_after(aimed_at, is_collection_day=is_collection_day)
    if second > window_closes:
        second = _collection_day_on_or_before(aimed_at, is_collection_day=is_collection_day)
    monthly = monthly_collection_dates(
        first_on_or_after=second + timedelta(days=INITIAL_THIRD_GAP_DAYS),
        payment_day=payment_day,
        count=max(count - 2, 0),
        is_collection_day=is_collection_day,
    )
    return [first, second, *monthly][:count]


def monthly_collection_dates(
    *, first_on_or_after: date, payment_day: int, count: int, is_collection_day: CollectionCalendar
) -> list[date]:
    """``count`` monthly collections of a Standard or Seasonal Direct Debit on the chosen ``payment_day``, from the
    first such day on or after ``first_on_or_after``; a day that is not a collection day moves to the next one.

    :raises ScheduleRefused: if ``payment_day`` is not 1-28 or ``count`` is negative.
    """
    _require_payment_day(payment_day)
    _require_count(count)
    due = _payment_day_on_or_after(first_on_or_after, payment_day)
    dates: list[date] = []
    for _ in range(count):
        dates.append(collection_day_on_or_after(due, is_collection_day=is_collection_day))
        due = calendar.next_month_start(due).replace(day=payment_day)
    return dates


def earliest_collection_after_notice(*, notice_sent: date, by_post: bool) -> date:
    """The first day a collection may be made after an advance notice sent on ``notice_sent`` (the Direct Debit
    Guarantee: 10 working days' notice).

    The notice counts from the day it is deemed delivered (T&C 22.3: an e-mail that day, a letter two working days
    after posting); the delivery day itself is not counted, and the collection may be on the tenth T&C working day
    after it. T&C working days are used, not Bacs days, so a Scottish-only bank holiday lengthens the notice.
    """
    channel = Delivery.Channel.POST if by_post else Delivery.Channel.EMAIL
    delivered = post.deemed_delivered(channel=channel, sent_on=notice_sent)
    return calendar.add_working_days(delivered, ADVANCE_NOTICE_WORKING_DAYS)


def first_date_allowed(
    *, wanted: date, notice_sent: date, by_post: bool, is_collection_day: CollectionCalendar
) -> date:
    """The collection day for a collection ``wanted`` on a day, given its advance notice: the later of ``wanted`` and
    :func:`earliest_collection_after_notice`, moved to the next collection day if it is not one."""
    earliest = earliest_collection_after_notice(notice_sent=notice_sent, by_post=by_post)
    return collection_day_on_or_after(max(wanted, earliest), is_collection_day=is_collection_day)


def payment_day_change_allowed(*, payments_taken: int) -> bool:
    """Whether the customer may change their payment day now (T&C 9.1.6, "from the third payment onwards").

    Read as: the change may apply from the third payment, so it is allowed once two payments have been taken and
    refused before (with :data:`PAYMENT_DAY_CHANGE_REFUSED` as the reason). The initial schedule's first two
    collections are fixed by T&C 9.1.5 and cannot move.

    :raises ScheduleRefused: if ``payments_taken`` is negative.
    """
    if payments_taken < 0:
        raise ScheduleRefused(f"The number of payments taken cannot be negative; {payments_taken} was given.")
    return payments_taken >= PAYMENTS_BEFORE_DAY_CHANGE


def annual_amount(*, term_cost: Decimal) -> Decimal:
    """The Annual Direct Debit or card payment (T&C 9.1.3, 9.1.4): the estimated cost of the whole fixed term, paid
    in advance, rounded half-up to the penny (one payment, so at most half a penny away from the estimate).

    :raises ScheduleRefused: if ``term_cost`` is negative.
    """
    _require_not_negative(term_cost, "The estimated cost of the fixed term")
    return to_pennies(term_cost)


def cooling_off_ends(commencement: date) -> date:
    """The last day of the 14-day cooling-off period of a contract entered into on ``commencement``.

    The T&C define it as "14 days from the Commencement Date" and defer to the statutory period (9.2.2), which for a
    service contract "ends 14 days after the day on which the contract is entered into" (Consumer Contracts
    Regulations 2013, reg. 30(3)): the commencement day is not counted, so a contract made on 1 March can be
    cancelled until the end of 15 March. Counting the commencement day as day 1 would end it a day early and take a
    day of a statutory right away.
    """
    return commencement + timedelta(days=COOLING_OFF_DAYS)


def annual_due_date(*, commencement: date) -> date:
    """The day an annual payment is due (T&C 9.2.1: within the cooling-off period): its last day, so the customer
    has the whole period to pay and, if they cancel within it, is refunded (9.2.2)."""
    return cooling_off_ends(commencement)


def refund_amount(*, credit: Decimal, monthly_direct_debit: Decimal | None) -> tuple[Decimal, Decimal]:
    """What a current customer asking for their credit is paid, and what is kept back (T&C 12.2).

    A customer paying by monthly Direct Debit is refunded the credit less one month's Direct Debit, and never less
    than nothing: a credit smaller than a month's collection is all kept back. Anyone else (``None``) is refunded
    the whole credit. Returns ``(to pay, kept back)``, which add up to the credit.

    :raises ScheduleRefused: if ``credit`` or ``monthly_direct_debit`` is negative.
    """
    _require_not_negative(credit, "The credit to refund")
    credit = to_pennies(credit)
    if monthly_direct_debit is None:
        return credit, Decimal("0.00")
    _require_not_negative(monthly_direct_debit, "The monthly Direct Debit")
    kept = min(credit, to_pennies(monthly_direct_debit))
    return credit - kept, kept


@dataclass(frozen=True, slots=True)
class ReviewOutcome:
    """What a six-monthly review decided: whether the monthly amount changes, to what, and why in plain words."""

    changed: bool
    new_amount: Decimal
    reason: str


def review_outcome(*, current: Decimal, recommended: Decimal) -> ReviewOutcome:
    """Decide a review of a monthly Direct Debit (T&C 9.4.4, Ofgem SLC 27): move to ``recommended`` only when it
    differs from ``current`` by more than :data:`REVIEW_MIN_CHANGE` and more than :data:`REVIEW_MIN_SHARE` of
    ``current``; otherwise keep ``current``. A difference exactly on a threshold does not change the amount.

    :raises ScheduleRefused: if either amount is negative.
    """
    _require_not_negative(current, "The current Direct Debit")
    _require_not_negative(recommended, "The recommended Direct Debit")
    difference = abs(recommended - current)
    shown_current, shown_recommended = Money(current), Money(recommended)
    if difference > REVIEW_MIN_CHANGE and difference > current * REVIEW_MIN_SHARE:
        direction = "up" if recommended > current else "down"
        return ReviewOutcome(
            changed=True,
            new_amount=recommended,
            reason=(
                f"The Direct Debit goes {direction} from {shown_current} to {shown_recommended}: the estimate "
                f"differs by {Money(difference)}, more than {Money(REVIEW_MIN_CHANGE)} and more than "
                f"{REVIEW_MIN_SHARE:.0%} of the current amount."
            ),
        )
    return ReviewOutcome(
        changed=False,
        new_amount=current,
        reason=(
            f"The Direct Debit stays at {shown_current}: the estimate of {shown_recommended} differs by "
            f"{Money(difference)}, not more than both {Money(REVIEW_MIN_CHANGE)} and {REVIEW_MIN_SHARE:.0%} of "
            f"the current amount."
        ),
    )


@dataclass(frozen=True, slots=True)
class SimulatedMonth:
    """One month of the Direct Debit simulator: its cost, what is collected, and the balance after (positive owed,
    negative in credit)."""

    month: date
    cost: Decimal
    collection: Decimal
    balance_after: Decimal


def simulate_year(
    *,
    monthly_costs: Sequence[tuple[date, Decimal]],
    opening_balance: Decimal,
    method: str,
    standard: Decimal,
    seasonal_percent: int,
    annual_amount: Decimal,
) -> list[SimulatedMonth]:
    """Month by month, what paying by ``method`` would collect against the customer's own costs, and the balance
    after each month: the Direct Debit simulator comparing standard, seasonal and annual Direct Debit.

    Standard collects ``standard`` every month, seasonal the :func:`seasonal_amounts` of the months given, annual
    ``annual_amount`` in the first month and nothing after. The balance starts at ``opening_balance`` (positive
    owed, negative in credit), rises by each month's cost and falls by its collection, so the year-end balance is
    the opening balance plus the costs less the collections.

    :raises ScheduleRefused: for a method the simulator does not compare, or a seasonal percentage outside 0-50.
    """
    if method not in SIMULATED_METHODS:
        raise ScheduleRefused(
            f"The simulator compares standard, seasonal and annual Direct Debit; {method!r} is not one of them."
        )
    months = [month for month, _ in monthly_costs]
    if method == methods.Method.STANDARD_DIRECT_DEBIT:
        collections = [standard] * len(months)
    elif method == methods.Method.SEASONAL_DIRECT_DEBIT:
        collections = seasonal_amounts(standard=standard, percent=seasonal_percent, months=months)
    else:
        collections = [annual_amount if index == 0 else Decimal("0.00") for index in range(len(months))]
    simulated: list[SimulatedMonth] = []
    balance = opening_balance
    for (month, cost), collection in zip(monthly_costs, collections, strict=True):
        balance = balance + cost - collection
        simulated.append(SimulatedMonth(month=month, cost=cost, collection=collection, balance_after=balance))
    return simulated
