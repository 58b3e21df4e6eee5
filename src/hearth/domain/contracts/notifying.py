"""Issuing a contract's notices: the letter, its ``ContractNotice`` row and the timeline event, together and once.

Renewal statements, renewal confirmations, rollovers, price and contract changes and moves by us all send a letter
the T&C require (ADR 0013): each is printed and delivered by the customer's rules, recorded with the day it is
deemed delivered (22.3) and the day what it announces takes effect, and shown on the contract's timeline. A notice
is one per contract, kind and key, so a job or a form run twice sends one.
"""

from datetime import date, datetime

from django.db import transaction

from hearth.data.contracts.models import Contract, ContractNotice
from hearth.data.identity.models import User
from hearth.domain.documents import letters
from hearth.domain.payments import collections
from hearth.domain.tariffs import contracts


def deemed_delivered(*, contract: Contract, type_code: str, now: datetime) -> date:
    """The day a notice of ``type_code`` to ``contract``'s customer issued at ``now`` is deemed delivered (22.3)."""
    return collections.notice_deemed_delivered(account=contract.account, type_code=type_code, now=now)


def notice_of(contract: Contract, kind: str, key: str) -> ContractNotice | None:
    return ContractNotice.objects.filter(contract=contract, kind=kind, key=key).select_related("document").first()


def issue_notice(
    *,
    contract: Contract,
    kind: str,
    key: str,
    letter: letters.Letter,
    effective_date: date | None,
    now: datetime,
    event_kind: str,
    summary: str,
    disadvantageous: bool = False,
    actor: User | None = None,
) -> tuple[ContractNotice, bool]:
    """The notice of ``kind`` and ``key`` on ``contract``: issued now with its letter and timeline event, or the one
    issued before. The second value says whether it was issued by this call.

    :raises letters.LetterRefused: the letter cannot be issued (nothing is recorded then).
    """
    existing = notice_of(contract, kind, key)
    if existing is not None:
        return existing, False
    delivered = deemed_delivered(contract=contract, type_code=letter.type_code, now=now)
    with transaction.atomic():
        document = letters.issue_letter(letter=letter, now=now)
        notice = ContractNotice.objects.create(
            contract=contract,
            kind=kind,
            key=key,
            document=document,
            issued_at=now,
            deemed_delivered_date=delivered,
            effective_date=effective_date,
            disadvantageous=disadvantageous,
        )
        contracts.record_event(
            contract=contract, kind=event_kind, summary=summary, at=now, document=document, actor=actor
        )
    return notice, True
