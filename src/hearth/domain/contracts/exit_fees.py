"""The exit (termination) fee a customer pays for leaving a fixed contract early (T&C 14.4, 14.5), and charging it.

:func:`exit_fee` only works the fee out, from what is stored, so the portal can show "your exit fee if you left
today" with the same rules the switching flow charges by; :func:`charge_exit_fee` puts it on the ledger.

The fee is the product's fee for the account's fuel (``exit_fee_electricity`` / ``exit_fee_gas``; an account is one
fuel, ADR 0013) when the customer leaves after the cooling-off period and before the fixed term ends (14.4). No fee:

- a variable contract, never (4.5);
- leaving within the cooling-off period (2.1);
- 14.5.1 moving house and taking the agreement to the new home (``moving_home_with_us``);
- 14.5.2 switching at the end of the fixed term: leaving on a day in the last :data:`END_OF_TERM_WINDOW_DAYS` days
  of the fixed term, or after it. Ofgem's rule is no exit fee in the last 49 days of a fixed term, so we use it: a
  customer can switch in the window the Statement of Renewal opens (deemed delivered 49 to 42 days before the end);
- 14.5.3 a Statement of Renewal (``RENEWAL_STATEMENT`` notice) was issued for the current fixed term, whatever the
  day it was issued;
- 14.5.4 we told the customer of a change to their disadvantage (a ``ContractNotice`` with ``disadvantageous``) and
  they leave after that notice, up to :data:`DISADVANTAGE_WINDOW_DAYS` days after the change takes effect (a
  customer who objects to a change needs time after it starts to find a new supplier; after that they have
  accepted it);
- 14.5.5 moving to another of our tariffs with the fee waived (``waived_by_us``).

VAT: we treat the fee as compensation for a contract ended early, outside the scope of VAT, and charge it as it is,
without VAT, on the final bill (an additional charge of kind ``EXIT_FEE``). HMRC's guidance on early termination
payments has changed before, so this is a decision for finance to confirm, kept in one place
(``billing.calculation.exit_fee_line``).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from hearth.common import calendar
from hearth.data.accounts.models import Fuel
from hearth.data.billing.models import AdditionalCharge
from hearth.data.contracts.models import Contract, ContractNotice
from hearth.data.tariffs.models import Product
from hearth.domain.billing import operations as billing_ops
from hearth.domain.tariffs import contracts as contract_states

END_OF_TERM_WINDOW_DAYS: Final = 49
"""14.5.2: no fee for leaving in the fixed term's last 49 days (Ofgem's window) or after it ends."""

DISADVANTAGE_WINDOW_DAYS: Final = 30
"""14.5.4: a customer leaving because of a change to their disadvantage pays no fee if they leave after the notice
and no later than this many days after the change takes effect."""

ZERO: Final = Decimal("0.00")


@dataclass(frozen=True)
class ExitFee:
    """The fee (pounds, no VAT) and, when it is nothing, why in the customer's words ("" when a fee is due)."""

    amount: Decimal
    waiver: str


def product_fee(product: Product, fuel: str) -> Decimal:
    """``product``'s exit fee for one fuel (an account is one fuel), before any exemption."""
    return Decimal(product.exit_fee_gas if fuel == Fuel.GAS else product.exit_fee_electricity)


def _disadvantageous_notice_before(contract: Contract, leaving_on: date) -> ContractNotice | None:
    for notice in ContractNotice.objects.filter(contract=contract, disadvantageous=True).order_by("issued_at"):
        told_on = notice.deemed_delivered_date
        until = (notice.effective_date or told_on) + timedelta(days=DISADVANTAGE_WINDOW_DAYS)
        if told_on <= leaving_on <= until:
            return notice
    return None


def exit_fee(
    contract: Contract, leaving_on: date, *, moving_home_with_us: bool = False, waived_by_us: bool = False
) -> ExitFee:
    """The fee for leaving ``contract`` with ``leaving_on`` the first day no longer supplied (the new supplier's
    start date); see the module docstring for the rules."""
    fee = product_fee(contract.product, contract.account.fuel)
    if contract.product.kind != Product.Kind.FIXED or fee <= 0:
        return ExitFee(ZERO, "No exit fee on this tariff (T&C 4.5)")
    if leaving_on <= contract.cooling_off_end_date:
        return ExitFee(ZERO, "Left within the cooling-off period (T&C 2.1)")
    if moving_home_with_us:
        return ExitFee(ZERO, "Moving home and taking the agreement with us (T&C 14.5.1)")
    end = contract.fixed_term_end_date or contract_states.fixed_term_end_date(
        contract.product, contract.supply_start_date or leaving_on
    )
    if end is not None and leaving_on > end - timedelta(days=END_OF_TERM_WINDOW_DAYS):
        return ExitFee(ZERO, "Switching at the end of the fixed term (T&C 14.5.2)")
    if ContractNotice.objects.filter(contract=contract, kind=ContractNotice.Kind.RENEWAL_STATEMENT).exists():
        return ExitFee(ZERO, "Leaving after a Statement of Renewal (T&C 14.5.3)")
    notice = _disadvantageous_notice_before(contract, leaving_on)
    if notice is not None:
        return ExitFee(
            ZERO,
            f"Leaving because of a change to the contract told on "
            f"{notice.deemed_delivered_date:%-d %b %Y} (T&C 14.5.4)",
        )
    if waived_by_us:
        return ExitFee(ZERO, "Moving to another of our tariffs, fee waived (T&C 14.5.5)")
    return ExitFee(fee, "")


def charge_exit_fee(*, contract: Contract, fee: ExitFee, leaving_on: date, now: datetime) -> AdditionalCharge | None:
    """Charge ``fee`` (if any) as an additional charge billed, without VAT, on the final bill, and note it on the
    contract (``tariffs.contracts.record_exit_fee``). It is incurred on the last day supplied (the day before
    ``leaving_on``), so it falls inside the final bill's period."""
    if fee.amount <= 0:
        return None
    charge = billing_ops.raise_additional_charge(
        account=contract.account,
        kind=AdditionalCharge.Kind.EXIT_FEE,
        amount=fee.amount,
        incurred_date=min(leaving_on - timedelta(days=1), calendar.local_date(now)),
        reason=f"Left {contract.product.display_name} before the fixed term ended (T&C 14.4)",
        meter_proved_accurate=None,
        actor=None,
        now=now,
    )
    contract_states.record_exit_fee(contract=contract, amount=fee.amount, now=now)
    return charge
