"""Delivery rules (FAQ 3, 13): how each login wants each type of document of each account sent to it.

Rules are personal: every login linked to an account chooses its own, per account, so several people in an
organisation each get what they asked for. A login that never applied rules gets the defaults
(:func:`default_channels`); a ``DeliveryRule`` row is written only for a type whose channels the login changed.
Documents the supplier must deliver (``DocumentType.must_be_delivered``: price-change notices, Statements of
Renewal, disconnection warnings) always keep e-mail or post. A PDF is attached only to an e-mail that is sent: a
choice of "PDF attached" without "e-mail notification" is refused rather than guessed at, as the database's
``delivery_rule_attachment_needs_email`` constraint would refuse it too.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from hearth.data.accounts.models import Account
from hearth.data.documents.models import DeliveryRule, DocumentType
from hearth.data.identity.models import AccountLink, User
from hearth.domain.audit import operations as audit

ACCOUNT_PROBLEM = "account"
"""The key of a refusal about the account itself rather than one document type."""


@dataclass(frozen=True)
class Channels:
    """The ways one document type reaches one login: e-mail (with or without the PDF attached) and paper post."""

    email_notification: bool
    email_attachment: bool
    post: bool

    @property
    def reaches_customer(self) -> bool:
        """Whether the document is sent at all (it is always in the portal either way)."""
        return self.email_notification or self.post

    def words(self) -> str:
        """The channels as care staff and the audit trail read them: 'e-mail with PDF attached and post'."""
        parts = []
        if self.email_notification:
            parts.append("e-mail with PDF attached" if self.email_attachment else "e-mail")
        if self.post:
            parts.append("post")
        return " and ".join(parts) or "portal only"


def default_channels(document_type: DocumentType) -> Channels:
    """A new login's channels: invoices and credit notes by e-mail with the PDF, others an e-mail; never post."""
    with_pdf = document_type.code in {DocumentType.INVOICE, DocumentType.CREDIT_NOTE}
    return Channels(email_notification=True, email_attachment=with_pdf, post=False)


@dataclass(frozen=True)
class RuleRow:
    """One document type's channels for one login and account; ``is_default`` when the login never changed it."""

    document_type: DocumentType
    channels: Channels
    is_default: bool


def _stored(rule: DeliveryRule) -> Channels:
    return Channels(email_notification=rule.email_notification, email_attachment=rule.email_attachment, post=rule.post)


def rules_of(*, user: User, account: Account) -> list[RuleRow]:
    """Every document type, in menu order, with the login's channels for it on ``account``."""
    stored = {rule.document_type_id: rule for rule in DeliveryRule.objects.filter(user=user, account=account)}
    rows = []
    for document_type in DocumentType.objects.order_by("position", "id"):
        rule = stored.get(document_type.pk)
        channels = default_channels(document_type) if rule is None else _stored(rule)
        rows.append(RuleRow(document_type=document_type, channels=channels, is_default=rule is None))
    return rows


def channels_for(*, user: User, account: Account, document_type: DocumentType) -> Channels:
    """How ``document_type`` of ``account`` reaches ``user``: the rule the login applied, or the default."""
    applied = applied_channels(user_ids=[user.pk], account_ids=[account.pk], document_type_ids=[document_type.pk])
    return applied.get((user.pk, account.pk, document_type.pk)) or default_channels(document_type)


def applied_channels(
    *, user_ids: Iterable[int], account_ids: Iterable[int], document_type_ids: Iterable[int]
) -> dict[tuple[int, int, int], Channels]:
    """The rules these logins applied on these accounts for these types, by (user id, account id, document type id),
    in one query (a bill run's chunk of documents); a combination left out has the default channels."""
    rules = DeliveryRule.objects.filter(
        user_id__in=list(user_ids), account_id__in=list(account_ids), document_type_id__in=list(document_type_ids)
    )
    return {(rule.user_id, rule.account_id, rule.document_type_id): _stored(rule) for rule in rules}


class RulesRefused(Exception):
    """The rules cannot be applied; ``problems`` maps each refused type code to why, in a customer's words."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = dict(problems)


def _problem(document_type: DocumentType, channels: Channels) -> str | None:
    if channels.email_attachment and not channels.email_notification:
        return (
            f"{document_type.plural_name}: a PDF can only be attached to an e-mail. Tick “E-mail notification” "
            "as well, or untick “PDF attached to the e-mail”."
        )
    if document_type.must_be_delivered and not channels.reaches_customer:
        return (
            f"{document_type.plural_name} must reach you by e-mail or by post: we are required to deliver "
            "price-change notices, Statements of Renewal and disconnection warnings, so keep at least one of "
            "those boxes ticked."
        )
    return None


@transaction.atomic
def apply_rules(
    *, user: User, account: Account, chosen: Mapping[str, Channels], actor: User | None, now: datetime
) -> None:
    """Store the login's chosen channels per document type code (types left out stay as they are).

    Nothing is stored unless every choice is allowed. Each applied change is audited on the account's customer,
    before -> after per document type; choosing what is already in force changes and records nothing.

    :raises RulesRefused: for a type with "PDF attached" but no e-mail, a must-be-delivered type with neither
        e-mail nor post, a code that names no document type, or an account the login is not linked to.
    """
    if not AccountLink.objects.filter(user=user, account=account).exists():
        raise RulesRefused({ACCOUNT_PROBLEM: f"Account {account.number} is not linked to this login."})
    rows = {row.document_type.code: row for row in rules_of(user=user, account=account)}
    problems = {code: f"There is no document type {code!r}." for code in chosen if code not in rows}
    for code, channels in chosen.items():
        problem = _problem(rows[code].document_type, channels) if code in rows else None
        if problem is not None:
            problems[code] = problem
    if problems:
        raise RulesRefused(problems)
    changed = [(rows[code], channels) for code, channels in chosen.items() if rows[code].channels != channels]
    if not changed:
        return
    for row, channels in changed:
        DeliveryRule.objects.update_or_create(
            user=user,
            account=account,
            document_type=row.document_type,
            defaults={
                "email_notification": channels.email_notification,
                "email_attachment": channels.email_attachment,
                "post": channels.post,
                "updated_at": now,
            },
        )
    ordered = sorted(changed, key=lambda change: (change[0].document_type.position, change[0].document_type.pk))
    audit.record(
        actor=actor,
        action="delivery_rules.changed",
        subject=f"Delivery rules of {user.email} for account {account.number}",
        customer=account.customer,
        before={row.document_type.plural_name: row.channels.words() for row, _ in ordered},
        after={row.document_type.plural_name: channels.words() for row, channels in ordered},
        at=now,
    )
