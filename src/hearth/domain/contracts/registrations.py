"""Opening a registration (a change of supplier for one supply point) and the start date a switch to us asks for.

The switching flow (``hearth.domain.contracts.switching``) sends registrations, reads the service's answers and moves
them on; sign-up and home moves only open them here (ADR 0013).
"""

from datetime import date, datetime
from typing import Final

from hearth.common import calendar
from hearth.data.accounts.models import SupplyPoint
from hearth.data.contracts.models import Contract, Registration
from hearth.domain.tariffs import contracts as contract_states

EARLY_START_WORKING_DAYS: Final = 5
"""The industry's target for a switch the customer wants as soon as possible: five working days."""

USUAL_SWITCH_DAYS: Final = 21
"""T&C 5.3: a switch to us is usually completed within 21 days after sign-up; later ones are reported to care."""


class RegistrationRefused(Exception):
    """A registration that cannot be opened; the message says why."""


def switch_start_date(*, commencement_date: date, cooling_off_end_date: date, early: bool) -> date:
    """The day supply should start: the fifth working day after commencement where the customer asked for supply
    within the cooling-off period (T&C 2.1, so energy used before a cancellation is paid for), otherwise the first
    working day after the cooling-off period, which stays within the usual 21 days (T&C 5.3)."""
    if early:
        return calendar.add_working_days(commencement_date, EARLY_START_WORKING_DAYS)
    return calendar.add_working_days(cooling_off_end_date, 1)


def open_gain(
    *,
    contract: Contract,
    supply_point: SupplyPoint,
    requested_start_date: date,
    now: datetime,
    other_supplier: str = "",
) -> Registration:
    """A registration of ``supply_point`` to us for ``contract``, waiting to be sent by the switching job.

    :raises RegistrationRefused: the contract is not waiting to start, the point is of another fuel, or the point
        already has a switch to us under way.
    """
    if contract.state != Contract.State.PENDING:
        raise RegistrationRefused("contract: only a contract waiting to start can switch a supply point to us.")
    if supply_point.fuel != contract.account.fuel:
        raise RegistrationRefused(f"supply_point: {supply_point} is not {contract.account.get_fuel_display()}.")
    if Registration.objects.filter(
        supply_point=supply_point, direction=Registration.Direction.GAIN, state__in=Registration.OPEN_STATES
    ).exists():
        raise RegistrationRefused(f"supply_point: a switch of {supply_point} to us is already under way.")
    registration = Registration.objects.create(
        contract=contract,
        supply_point=supply_point,
        direction=Registration.Direction.GAIN,
        reference=f"PENDING-{supply_point.fuel[0]}{supply_point.identifier}",
        other_supplier=other_supplier,
        requested_at=now,
        requested_start_date=requested_start_date,
        updated_at=now,
    )
    registration.reference = f"REG{registration.pk:09d}"
    registration.save(update_fields=["reference"])
    contract_states.record_event(
        contract=contract,
        kind="switch_opened",
        summary=f"Switch of {supply_point} to us opened ({registration.reference}), start asked for "
        f"{requested_start_date:%-d %b %Y}",
        at=now,
        actor=None,
    )
    return registration
