"""Switching a smart meter between credit and prepayment mode at the customer's request (T&C 9.5.2, 7.6.2), always
after notice, the notice a letter (``METER_MODE_NOTICE``, which must be delivered).

The switch takes effect :data:`MODE_NOTICE_DAYS` days after the notice is deemed delivered, counted as if it were
posted (two working days after the next working day, T&C 22.3), so it is never early for a customer who reads it on
paper. The way onto prepayment is still ``operations.start_prepayment`` (reason ``CHOSEN``), whose command waits for
that day; the way back is ``operations.end_prepayment``, whose ``SWITCH_TO_CREDIT`` waits likewise. A prepayment the
debt path started (for debt or under warrant) is not switched back on request: the debt path decides.
"""

from datetime import date, datetime, timedelta
from typing import Final

from django.db import transaction

from hearth.common import calendar
from hearth.data.accounts.models import Account
from hearth.data.documents.models import Delivery
from hearth.data.identity.models import User
from hearth.data.metering.models import Meter
from hearth.data.prepayment.models import Prepayment
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.documents import letters, post
from hearth.domain.prepayment import operations as prepayment_ops

MODE_NOTICE_DAYS: Final = 7
"""Days between the notice's deemed delivery and the switch: time to read it, ask questions or change one's mind."""

NOTICE_TYPE: Final = "METER_MODE_NOTICE"


def switch_day(today: date) -> date:
    """The day a switch asked for on ``today`` takes effect (see the module's docstring)."""
    posted = calendar.add_working_days(today, 0)
    return post.deemed_delivered(channel=Delivery.Channel.POST, sent_on=posted) + timedelta(days=MODE_NOTICE_DAYS)


def _smart_meter_of(account: Account) -> Meter:
    meter = accounts_queries.current_meters(account=account).filter(kind=Meter.Kind.SMART).first()
    if meter is None:
        raise prepayment_ops.PrepaymentRefused(
            f"Account {account.number} has no smart meter to switch: an engineer has to fit a prepayment meter."
        )
    return meter


def _letter(account: Account, *, to_prepayment: bool, day: date, today: date) -> letters.Letter:
    mode, other = ("prepayment", "credit") if to_prepayment else ("credit", "prepayment")
    paragraphs = [
        f"As you asked, we will switch your smart meter from {other} mode to {mode} mode on {day:%-d %B %Y}.",
        (
            "From that day you pay for your energy before you use it, by topping up in your online account, by phone "
            "or at a PayPoint shop. If your credit runs out outside friendly hours your supply stops until you top "
            "up; emergency credit is there when your credit is low, and the supply stays on in friendly hours "
            "(4pm to 10am, and all day at weekends and on bank holidays)."
            if to_prepayment
            else "From that day you pay for your energy after you use it, by the payment method on your account."
        ),
        "If you did not ask for this, or have changed your mind, call us before that day and nothing will change.",
    ]
    return letters.Letter(
        account=account,
        type_code=NOTICE_TYPE,
        reference=f"MODE-{'PP' if to_prepayment else 'CR'}-{account.number}-{today:%Y%m%d}",
        title=f"Your smart meter is switching to {mode} mode",
        paragraphs=tuple(paragraphs),
        facts=(("Switching on", f"{day:%-d %B %Y}"), ("New mode", mode.capitalize())),
        clause="7.6.2",
    )


def switch_to_prepayment(*, account: Account, now: datetime, actor: User | None) -> Prepayment:
    """The customer asked to pay by prepayment: send the notice and switch the meter on :func:`switch_day`.

    :raises PrepaymentRefused: no smart meter, already on prepayment, or not supplied that day.
    """
    today = calendar.local_date(now)
    _smart_meter_of(account)
    day = switch_day(today)
    with transaction.atomic():
        prepayment = prepayment_ops.start_prepayment(
            account=account, day=day, reason=Prepayment.Reason.CHOSEN, now=now, actor=actor
        )
        prepayment.notice = letters.issue_letter(
            letter=_letter(account, to_prepayment=True, day=day, today=today), now=now
        )
        prepayment.save(update_fields=["notice"])
    return prepayment


def switch_to_credit(*, prepayment: Prepayment, now: datetime, actor: User | None) -> Prepayment:
    """The customer asked to pay after using energy again: send the notice and end the prepayment on
    :func:`switch_day` (the meter switched to credit mode that day).

    :raises PrepaymentRefused: the prepayment is for debt or under warrant, or has already ended.
    """
    if prepayment.reason in prepayment_ops.FORCED:
        raise prepayment_ops.PrepaymentRefused(
            "This meter is on prepayment because of a debt: the debt path decides when it returns to credit mode."
        )
    today = calendar.local_date(now)
    day = max(switch_day(today), prepayment.started_on + timedelta(days=1))
    with transaction.atomic():
        ended = prepayment_ops.end_prepayment(
            prepayment=prepayment, day=day, reason="the customer asked for credit mode", now=now, actor=actor
        )
        letters.issue_letter(letter=_letter(prepayment.account, to_prepayment=False, day=day, today=today), now=now)
    return ended
