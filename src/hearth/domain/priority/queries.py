"""What the register says about a customer on a day: the protections every other area must honour (ADR 0014).

The debt path asks before each step, meter work before charging for moving a meter (11.1.3), prepayment before
switching a meter's mode. Business customers are not on the domestic register and have none of these protections.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from hearth.common import calendar
from hearth.data.accounts.models import Customer
from hearth.data.priority.models import Registration
from hearth.domain.priority.needs import BY_CODE

WINTER_FIRST_MONTH = 10
WINTER_LAST_MONTH = 3


@dataclass(frozen=True)
class Protections:
    """What held for a household on a day: its needs codes and what they rule out."""

    on_register: bool
    needs: tuple[str, ...]
    protected_in_winter: bool
    no_forced_prepayment: bool

    def disconnection_barred_on(self, day: date) -> bool:
        """Whether disconnection for debt is ruled out on ``day``: a winter-protected household, 1 Oct to 31 Mar."""
        in_winter = day.month >= WINTER_FIRST_MONTH or day.month <= WINTER_LAST_MONTH
        return self.protected_in_winter and in_winter


NONE = Protections(on_register=False, needs=(), protected_in_winter=False, no_forced_prepayment=False)


def registration_on(customer: Customer, day: date) -> Registration | None:
    """The registration in force at the end of ``day`` (local), if any."""
    end_of_day = calendar.day_starts_at(day.fromordinal(day.toordinal() + 1))
    return (
        Registration.objects.filter(customer=customer, registered_at__lt=end_of_day)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=end_of_day))
        .order_by("-registered_at")
        .first()
    )


def protections(customer: Customer, day: date) -> Protections:
    """The protections that held for ``customer`` on ``day``; none for a business."""
    if customer.kind != Customer.Kind.PERSON:
        return NONE
    registration = registration_on(customer, day)
    if registration is None:
        return NONE
    known = [BY_CODE[code] for code in registration.needs if code in BY_CODE]
    return Protections(
        on_register=True,
        needs=tuple(registration.needs),
        protected_in_winter=any(need.protected_in_winter for need in known),
        no_forced_prepayment=any(need.no_forced_prepayment for need in known),
    )
