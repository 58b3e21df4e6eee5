"""The demo's household in its cooling-off period: Jamie Cole signed up on the website three days before the demo's
"now", for electricity and gas in Reading on the demo's fixed product, paying by monthly Direct Debit. The switches
to us are requested and supply has not started, so the portal's cancel page (/services/contract/cancel/) and the
care console's (/care/accounts/<number>/contract/cancel/) offer a cancellation without charge.

It goes through ``contracts.sign_up`` like a real application, so the contracts, the switches, the Direct Debit, the
Confirmation Correspondence and the login are what a customer gets. The login then walks activation with the demo's
password, so the README can list it.
"""

from datetime import datetime, timedelta
from typing import Final

from hearth.data.accounts.models import Fuel
from hearth.data.contracts.models import Contract
from hearth.data.identity.models import User
from hearth.data.tariffs.models import MeterKind, PaymentMethod
from hearth.domain.contracts import quotes
from hearth.domain.contracts.sign_up import Application, sign_up
from hearth.domain.identity import operations as identity_ops
from hearth.domain.identity import queries as identity_queries
from hearth.domain.payments.arrangements import BankDetails

EMAIL: Final = "jamie.cole@example.com"
SIGNED_UP_DAYS_AGO: Final = 3
MPAN: Final = "2000123456780"  # distributor 20: Southern (H), where Reading is
MPRN: Final = "7123400007"


def load_cooling_off_household(*, now: datetime, product_code: str, password: str, security_answer: str) -> None:
    """Sign Jamie Cole up to ``product_code`` (paid by Direct Debit) as of three days before ``now``, and activate
    the login with ``password`` and ``security_answer`` (the demo's own)."""
    signed_up_at = now - timedelta(days=SIGNED_UP_DAYS_AGO)
    sign_up(
        application=Application(
            name="Jamie Cole",
            email=EMAIL,
            phone="07700 900456",
            address_line_1="7 Kennet Walk",
            address_line_2="",
            town="Reading",
            postcode="RG1 3GH",
            usage=quotes.Usage(fuels=(Fuel.ELECTRICITY, Fuel.GAS), meter=MeterKind.CREDIT),
            option_key=f"{product_code}|{PaymentMethod.DIRECT_DEBIT}",
            payment_method="STANDARD_DIRECT_DEBIT",
            payment_day=1,
            bank_details=BankDetails(holder_name="J Cole", sort_code="202959", account_number="63748472"),
            mpan=MPAN,
            mprn=MPRN,
            early_start=False,
            over_18=True,
            owns_or_occupies=True,
        ),
        channel=Contract.Channel.WEB,
        now=signed_up_at,
    )
    user = User.objects.get(email=EMAIL)
    identity_ops.accept_conditions(user=user, version=identity_queries.current_conditions().version, now=signed_up_at)
    identity_ops.set_security_answer(
        user=user, question=User.SecurityQuestion.FIRST_SCHOOL, answer=security_answer, now=signed_up_at
    )
    identity_ops.choose_password(user=user, password=password, now=signed_up_at)
    identity_ops.record_sign_in(user=user, now=signed_up_at)
