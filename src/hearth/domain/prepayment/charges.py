"""Charges care staff raise on a prepayment meter: a replacement card or key (11.1.5), a false gas emergency (19.5)
and credit an emergency engineer added (19.6). Each is a ``MeterDebt`` recovered from top-ups at the set share.

The sums are what a credit customer pays for the same thing, VAT included, because a meter debt is with VAT (the
ledger holds what the customer paid): the false gas emergency is billing's fixed £70 plus VAT at 20 % (£84.00), the
replacement card or key the configured charge (HEARTH_PREPAYMENT_REPLACEMENT_CARD_CHARGE, with VAT; the T&C name no
sum). On a credit meter a false gas emergency is billing's additional charge instead (:func:`false_gas_emergency`).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Final

from django.conf import settings
from django.db import transaction

from hearth.common.money import to_pennies
from hearth.data.accounts.models import Account, Fuel
from hearth.data.billing.models import AdditionalCharge
from hearth.data.identity.models import User
from hearth.data.prepayment.models import CreditEntry, MeterDebt, Prepayment
from hearth.domain.billing import calculation
from hearth.domain.billing import operations as billing_ops
from hearth.domain.prepayment import operations as prepayment_ops

FALSE_GAS_EMERGENCY: Final = to_pennies(
    billing_ops.FIXED_CHARGES[AdditionalCharge.Kind.FALSE_GAS_EMERGENCY] * (1 + calculation.STANDARD_VAT_RATE)
)
"""T&C 19.5's £70 with VAT, as a credit customer's bill charges it."""


def replacement_card_charge() -> Decimal:
    """What a replacement card or key costs, with VAT (HEARTH_PREPAYMENT_REPLACEMENT_CARD_CHARGE)."""
    return Decimal(settings.HEARTH_PREPAYMENT_REPLACEMENT_CARD_CHARGE)


def replacement_card(*, prepayment: Prepayment, reason: str, now: datetime, actor: User) -> MeterDebt:
    """A replacement prepayment card or key was sent (11.1.5): its charge as a meter debt.

    :raises PrepaymentRefused: the charge is set to nothing, or the prepayment has ended.
    """
    charge = replacement_card_charge()
    if charge <= 0:
        raise prepayment_ops.PrepaymentRefused("Replacement cards and keys are free: there is nothing to charge.")
    return prepayment_ops.add_meter_debt(
        prepayment=prepayment,
        kind=MeterDebt.Kind.REPLACEMENT_CARD_OR_KEY,
        amount=charge,
        description="Replacement card or key (T&C 11.1.5)",
        reason=reason,
        now=now,
        actor=actor,
    )


def false_gas_emergency(
    *, account: Account, incurred_date: date, reason: str, now: datetime, actor: User
) -> MeterDebt | AdditionalCharge:
    """A falsely reported gas emergency (19.5): on a prepayment meter a meter debt, on credit the bill's charge.

    :raises PrepaymentRefused: a meter debt that cannot be added.
    :raises BillingRefused: the bill's charge refused (not a gas account, a future day, no reason).
    """
    prepayment = prepayment_ops.open_prepayment(account)
    if prepayment is None or prepayment.started_on > incurred_date:
        return billing_ops.raise_additional_charge(
            account=account,
            kind=AdditionalCharge.Kind.FALSE_GAS_EMERGENCY,
            amount=None,
            incurred_date=incurred_date,
            reason=reason,
            meter_proved_accurate=None,
            actor=actor,
            now=now,
        )
    if account.fuel != Fuel.GAS:
        raise prepayment_ops.PrepaymentRefused("A false gas emergency is charged to the gas meter (T&C 19.5).")
    return prepayment_ops.add_meter_debt(
        prepayment=prepayment,
        kind=MeterDebt.Kind.FALSE_GAS_EMERGENCY,
        amount=FALSE_GAS_EMERGENCY,
        description=f"False gas emergency on {incurred_date:%-d %B %Y} (T&C 19.5)",
        reason=reason,
        now=now,
        actor=actor,
    )


def engineer_credit(*, prepayment: Prepayment, amount: Decimal, reason: str, now: datetime, actor: User) -> MeterDebt:
    """An emergency engineer added ``amount`` of credit to get the supply back on (19.6): the credit goes on the
    meter's ledger (the engineer keyed it in, so no command is sent) and the customer owes it as a meter debt.

    :raises PrepaymentRefused: not a positive amount in pence, or the prepayment has ended.
    """
    with transaction.atomic():
        debt = prepayment_ops.add_meter_debt(
            prepayment=prepayment,
            kind=MeterDebt.Kind.EMERGENCY_CREDIT_BY_ENGINEER,
            amount=amount,
            description="Credit added by the emergency engineer (T&C 19.6)",
            reason=reason,
            now=now,
            actor=actor,
        )
        CreditEntry.objects.create(
            prepayment=prepayment,
            kind=CreditEntry.Kind.ADJUSTMENT,
            amount=amount,
            posted_at=now,
            description="Credit added by the emergency engineer (T&C 19.6)",
        )
    return debt
