"""What the register says about a customer on a day: the protections every other area must honour (ADR 0014).

The debt path asks before each step, meter work before charging for moving a meter (11.1.3), prepayment before
switching a meter's mode. Business customers are not on the domestic register and have none of these protections.
A temporary need (``needs.Need.temporary``) counts up to and including its last day, then no longer.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

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


def current_registration(customer: Customer) -> Registration | None:
    """The customer's open registration, if any."""
    return Registration.objects.filter(customer=customer, ended_at__isnull=True).first()


def registrations(customer: Customer) -> QuerySet[Registration]:
    """Every registration of the customer, newest first: what the register said, and when."""
    found = Registration.objects.filter(customer=customer).select_related("recorded_by")
    return found.order_by("-registered_at", "-id")


def needs_in_force(registration: Registration, day: date) -> tuple[str, ...]:
    """The registration's needs codes that held on ``day``: a temporary need only up to its last day."""
    held = []
    for code in registration.needs:
        until = registration.needs_until.get(code)
        if until is None or date.fromisoformat(until) >= day:
            held.append(code)
    return tuple(held)


def protections(customer: Customer, day: date) -> Protections:
    """The protections that held for ``customer`` on ``day``; none for a business."""
    if customer.kind != Customer.Kind.PERSON:
        return NONE
    registration = registration_on(customer, day)
    if registration is None:
        return NONE
    held = needs_in_force(registration, day)
    known = [BY_CODE[code] for code in held if code in BY_CODE]
    return Protections(
        on_register=True,
        needs=held,
        protected_in_winter=any(need.protected_in_winter for need in known),
        no_forced_prepayment=any(need.no_forced_prepayment for need in known),
    )


def meter_move_is_free(customer: Customer, day: date) -> bool:
    """Whether moving the customer's meter on ``day`` is free (T&C 11.1.3: "unless we are required to move it due to
    a vulnerability"): a household with a need in force on the register that day. Ofgem SLC 26 makes moving a meter
    a customer cannot safely reach or use a priority service; we take any need on the register as that
    vulnerability rather than ask the household to prove which need it is (ADR 0019)."""
    return bool(protections(customer, day).needs)
