"""Changes to the Terms & Conditions, announced to every customer (T&C 15.1 to 15.4).

We tell every customer of a change (15.2) with 30 days' notice counted from the day the notice is deemed delivered
(15.3, 22.3); a change that disadvantages them lets them switch supplier or move tariff without a termination fee
(15.3, 14.5.4). Clause 15.4 lists the changes that are never disadvantageous: each is a :class:`ChangeKind`, and
any other change is flagged as disadvantageous on every notice.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from django.db import models, transaction

from hearth.common import calendar
from hearth.data.contracts.models import Contract, ContractNotice
from hearth.data.identity.models import User
from hearth.domain.contracts import notifying
from hearth.domain.documents import letters

NOTICE_DAYS: Final = 30
NOTICE_TYPE: Final = "NOTICE"


class ChangeKind(models.TextChoices):
    """What a change to the contract is; all but OTHER are never disadvantageous (T&C 15.4.1 to 15.4.6)."""

    PAYMENT_METHOD = "PAYMENT_METHOD", "Changing your payment method (T&C 15.4.1)"
    ADDITIONAL_CHARGES = "ADDITIONAL_CHARGES", "Increasing additional charges under section 10 (T&C 15.4.2)"
    VARIABLE_ROLLOVER = "VARIABLE_ROLLOVER", "Moving you onto a variable contract as the contract says (T&C 15.4.3)"
    BENEFITS = "BENEFITS", "Changing or withdrawing benefits as the contract says (T&C 15.4.4)"
    VAT = "VAT", "Increasing the VAT you pay (T&C 15.4.5)"
    REQUIRED_BY_LAW = "REQUIRED_BY_LAW", "Required by Ofgem's rules or other legislation (T&C 15.4.6)"
    OTHER = "OTHER", "Any other change"


NOT_DISADVANTAGEOUS: Final = frozenset(set(ChangeKind) - {ChangeKind.OTHER})


class ContractChangeRefused(Exception):
    """The change cannot be announced as given; the message starts with the field it is about."""


@dataclass(frozen=True, slots=True)
class ContractChange:
    """A change to the T&C: a short ``code`` naming it (the notices' key), its kind, a title, what changes in
    customers' words, and the day it takes effect."""

    code: str
    kind: ChangeKind
    title: str
    details: tuple[str, ...]
    effective_date: date

    @property
    def disadvantageous(self) -> bool:
        return self.kind not in NOT_DISADVANTAGEOUS


def _letter(contract: Contract, change: ContractChange) -> letters.Letter:
    account = contract.account
    leave = (
        "If you do not agree to this change, you can switch to another supplier or move to another of our tariffs "
        "without paying a termination fee (T&C 14.5.4, 15.3): tell us, or start your switch, before it takes effect."
        if change.disadvantageous
        else ""
    )
    return letters.Letter(
        account=account,
        type_code=NOTICE_TYPE,
        reference=f"TCN-{account.number}-{change.code}"[:40],
        title=change.title,
        paragraphs=(
            f"We are changing your Terms & Conditions from {change.effective_date:%-d %B %Y}.",
            *change.details,
        ),
        after_table=(leave,),
        facts=(("Takes effect", f"{change.effective_date:%-d %B %Y}"),),
        clause="15.3",
    )


def announce_contract_change(
    *, change: ContractChange, now: datetime, actor: User | None = None, contracts: Sequence[Contract] | None = None
) -> list[ContractNotice]:
    """Send notice of ``change`` to every live contract (or those given), each deemed delivered at least 30 days
    before it takes effect (T&C 15.3, 22.3), flagged disadvantageous unless it is one of 15.4's kinds.

    :raises ContractChangeRefused: no code, title or details, or a notice that could not arrive 30 days before
        (the message gives the earliest day that works).
    :raises letters.LetterRefused: a notice cannot be issued (none is then recorded).
    """
    if not change.code.strip() or len(change.code) > 20:
        raise ContractChangeRefused("code: give the change a short code of 1 to 20 characters.")
    if not change.title.strip() or not any(line.strip() for line in change.details):
        raise ContractChangeRefused("details: say what changes, in a title and at least one paragraph.")
    to = list(
        contracts
        if contracts is not None
        else Contract.objects.filter(state=Contract.State.LIVE).select_related("account__customer").order_by("id")
    )
    latest = max(
        (notifying.deemed_delivered(contract=contract, type_code=NOTICE_TYPE, now=now) for contract in to),
        default=calendar.local_date(now),
    )
    if change.effective_date < latest + timedelta(days=NOTICE_DAYS):
        raise ContractChangeRefused(
            f"effective_date: a change needs 30 days' notice from the day it is deemed delivered (T&C 15.3, 22.3); "
            f"the earliest day now is {latest + timedelta(days=NOTICE_DAYS):%-d %B %Y}."
        )
    notices = []
    with transaction.atomic():
        for contract in to:
            notice, _ = notifying.issue_notice(
                contract=contract,
                kind=ContractNotice.Kind.CONTRACT_CHANGE,
                key=change.code,
                letter=_letter(contract, change),
                effective_date=change.effective_date,
                now=now,
                event_kind="contract_change_notice",
                summary=f"Notice of a change to the T&C from {change.effective_date:%-d %b %Y}: {change.title}",
                disadvantageous=change.disadvantageous,
                actor=actor,
            )
            notices.append(notice)
    return notices
