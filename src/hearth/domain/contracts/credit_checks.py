"""Credit checks at sign-up, for the tariffs that need one (T&C 9.7): behind one interface, :class:`CreditCheck`.

Which tariffs: those paid on receipt of the bill (standard credit), where we supply a quarter's energy before we are
paid (``quotes.needs_credit_check``). The customer is told before they sign up that a check will be made (9.7: "you
will be notified"), and its outcome is kept on the contract (``Contract.credit_check``) in words care staff read.

``HEARTH_CREDIT_CHECK`` chooses the adapter. Only ``fake`` exists: no credit reference agency is contracted, and an
agency's real interface is not public here, so a production adapter is one class added beside it behind the same
Protocol. A check that refers the applicant does not refuse the sign-up outright: the tariff needs a Direct Debit or
another payment method instead, and the sign-up says so.
"""

from dataclasses import dataclass
from typing import Final, Protocol

from django.conf import settings


@dataclass(frozen=True, slots=True)
class Applicant:
    """Who is checked: the name and address typed on the application."""

    name: str
    address_line_1: str
    postcode: str


@dataclass(frozen=True, slots=True)
class CreditCheckResult:
    """``passed``: the tariff can be taken out. ``summary``: what is kept on the contract and shown to care."""

    passed: bool
    summary: str


class CreditCheck(Protocol):
    def check(self, applicant: Applicant) -> CreditCheckResult:
        """Check ``applicant``; never raises for a referral (that is a result), only when the agency is unreachable."""
        ...


class CreditCheckUnavailable(Exception):
    """The check could not be made now; the sign-up is refused and can be tried again."""


REFER_MARKER: Final = "REFER"


class FakeCreditCheck:
    """Deterministic, for demos and tests: refers an applicant whose name or first address line contains
    ``REFER`` (in any case) and passes everyone else. Makes no call anywhere."""

    def check(self, applicant: Applicant) -> CreditCheckResult:
        text = f"{applicant.name} {applicant.address_line_1}".upper()
        if REFER_MARKER in text:
            return CreditCheckResult(passed=False, summary="Referred by the credit check (test agency)")
        return CreditCheckResult(passed=True, summary="Passed the credit check (test agency)")


ADAPTERS: Final[dict[str, type[FakeCreditCheck]]] = {"fake": FakeCreditCheck}


def configured_credit_check() -> CreditCheck:
    """The adapter ``HEARTH_CREDIT_CHECK`` names.

    :raises CreditCheckUnavailable: the setting names no adapter.
    """
    adapter = ADAPTERS.get(settings.HEARTH_CREDIT_CHECK)
    if adapter is None:
        raise CreditCheckUnavailable(
            f"HEARTH_CREDIT_CHECK={settings.HEARTH_CREDIT_CHECK!r} names no credit check; "
            f"use one of {sorted(ADAPTERS)}."
        )
    return adapter()
