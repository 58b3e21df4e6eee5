"""Prepayment's daily job (ADR 0012): each ended day's standing charge and energy taken from the meter's credit."""

from typing import Final

from hearth.domain.prepayment import daily_charges
from hearth.domain.scheduling.jobs import DailyJob

DAILY_CHARGES: Final = DailyJob(
    name="prepayment.daily_charges",
    title="Prepayment meters: each day's standing charge and energy taken from the credit",
    run=daily_charges.daily_charges,
)
