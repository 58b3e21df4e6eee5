"""What the Direct Debit integration tests share: payers on a Direct Debit tariff, and the bank played by the test.

Payers are made through the domain operations (customer, account, supply point, meter, tariff agreement) with a
login that takes documents by e-mail, one that asked for them by post, or none, so a notice's deemed delivery
(T&C 22.3) can be chosen. The bank reads Hearth's Standard 18 file with ``standard18.read_submission`` and answers
with reports made by ``reports.write_report`` from the file's own records, as a payer's bank would.

Bank details are Vocalink's published modulus-checking examples: each passes the check, and none is a real account.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from itertools import count
from pathlib import Path
from zoneinfo import ZoneInfo

from hearth.common.bacs import reports, standard18
from hearth.data.accounts.models import Account, Fuel
from hearth.data.identity.models import User
from hearth.data.payments.models import BacsSubmission
from hearth.data.tariffs.models import PaymentMethod, Product, Tariff, UnitRate
from hearth.domain.documents import rules
from hearth.domain.payments import arrangements
from hearth.domain.tariffs import operations as tariff_ops
from tests.integration.billing.run_support import billable_account
from tests.integration.conftest import Builder

LONDON = ZoneInfo("Europe/London")

FEE = Decimal("5.00")
"""The product's missed-payment fee (T&C 10.1.2) in these tests."""

SUPPLY_START = date(2026, 10, 1)


@dataclass(frozen=True)
class BankAccount:
    holder: str
    sort_code: str
    number: str

    def details(self) -> arrangements.BankDetails:
        """As a customer types them: the sort code with dashes."""
        dashed = f"{self.sort_code[:2]}-{self.sort_code[2:4]}-{self.sort_code[4:]}"
        return arrangements.BankDetails(holder_name=self.holder, sort_code=dashed, account_number=self.number)


# Vocalink's published cases 1, 2 and 3 ("pass modulus 10", "pass modulus 11", "pass modulus 11 and double
# alternate"), and case 29 ("fail modulus 10 check").
JO = BankAccount("Jo Bloggs", "089999", "66374958")
SAM = BankAccount("Sam Patel", "107999", "88837491")
ALEX = BankAccount("Alex Murray", "202959", "63748472")
FAILS_MODULUS = BankAccount("Jo Bloggs", "089999", "66374959")

_numbers = count(1)


def at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock London time on ``day``."""
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def direct_debit_tariff(*, missed_payment_fee: Decimal = FEE) -> Tariff:
    """A single-rate electricity tariff sold for monthly Direct Debit: 50p a day and 25p a kWh excluding VAT."""
    serial = next(_numbers)
    valid_from = at(SUPPLY_START, 0)
    product = tariff_ops.create_product(
        code=f"DD-TEST-{serial}",
        full_name="Hearth Direct Debit Test",
        display_name="Hearth Steady",
        description="Paid by Direct Debit.",
        kind=Product.Kind.VARIABLE,
        available_from=valid_from,
        payment_methods=(PaymentMethod.DIRECT_DEBIT,),
        missed_payment_fee=missed_payment_fee,
    )
    return tariff_ops.create_tariff(
        product=product,
        fuel=Fuel.ELECTRICITY,
        region="C",
        structure=Tariff.Structure.SINGLE_RATE,
        payment_method=PaymentMethod.DIRECT_DEBIT,
        standing_charge_exc_vat=Decimal("50.0000"),
        unit_rates_exc_vat={UnitRate.STANDARD: Decimal("25.0000")},
        valid_from=valid_from,
    )


def payer(tariff: Tariff, *, notices_by: str = "email") -> Account:
    """An electricity account on ``tariff`` since :data:`SUPPLY_START`, whose documents go ``notices_by``:

    - ``"email"``: an activated login with the default rules (an e-mail for each document);
    - ``"post"``: an activated login that asked for payment notices by post only;
    - ``"inactive"``: a login care staff made that was never activated (documents reach no one by e-mail);
    - ``"none"``: no login at all.
    """
    serial = next(_numbers)
    account = billable_account(tariff, number=f"{4100000000 + serial}", supply_start_date=SUPPLY_START)
    email = f"payer{serial}@example.com"
    builder = Builder()
    if notices_by in ("email", "post"):
        login = builder.activated_login(email, account)
        if notices_by == "post":
            rules.apply_rules(
                user=login,
                account=account,
                chosen={"PAYMENT_NOTICE": rules.Channels(email_notification=False, email_attachment=False, post=True)},
                actor=login,
                now=at(SUPPLY_START),
            )
    elif notices_by == "inactive":
        builder.new_login(account, email)
    else:
        assert notices_by == "none", notices_by
    return account


def login_of(account: Account) -> User:
    return User.objects.get(account_links__account=account)


# --- The bank --------------------------------------------------------------------------------------------------------


def submission_file(submission: BacsSubmission, folder: Path) -> bytes:
    return (folder / submission.file_name).read_bytes()


def read_submission(submission: BacsSubmission, folder: Path) -> standard18.Submission:
    return standard18.read_submission(submission_file(submission, folder))


def returned(
    record: standard18.Instruction, *, code: str, processing_date: date, bank_code: str | None = None
) -> reports.ReportItem:
    """The ARUDD entry a payer's bank sends for a collection of the submission, returned with reason ``code``."""
    return reports.ReportItem(
        line=0,
        reference=record.reference,
        reason_code=code,
        reason=reports.ARUDD_REASONS[code],
        amount_pence=record.amount_pence,
        transaction_code=record.transaction_code,
        payer_name=record.destination_name,
        payer_sort_code=record.destination_sort_code,
        payer_account_number=record.destination_account_number,
        original_processing_date=processing_date,
        return_code=bank_code,
    )


def arudd(items: Iterable[reports.ReportItem], *, report_date: date) -> bytes:
    return reports.write_report(
        reports.Report(
            kind="ARUDD",
            report_date=report_date,
            items=list(items),
            service_user_number="999999",
            service_user_name="HEARTH ENERGY",
        )
    )


def advice(
    *,
    reference: str,
    code: str,
    account: BankAccount,
    table: dict[str, str],
    effective: date,
    new_sort_code: str | None = None,
    new_number: str | None = None,
    new_name: str | None = None,
    transaction_code: str | None = None,
) -> reports.ReportItem:
    """An ADDACS or AUDDIS advice about the instruction ``reference`` held on ``account``."""
    return reports.ReportItem(
        line=0,
        reference=reference,
        reason_code=code,
        reason=table.get(code, ""),
        payer_name=account.holder.upper(),
        payer_sort_code=account.sort_code,
        payer_account_number=account.number,
        new_sort_code=new_sort_code,
        new_account_number=new_number,
        new_name=new_name,
        effective_date=effective,
        record_type="A",
        transaction_code=transaction_code,
    )


def addacs(items: Iterable[reports.ReportItem], *, report_date: date) -> bytes:
    return reports.write_report(
        reports.Report(
            kind="ADDACS",
            report_date=report_date,
            items=list(items),
            service_user_number="999999",
            service_user_name="HEARTH ENERGY",
        )
    )


def auddis(items: Iterable[reports.ReportItem], *, report_date: date, submission: standard18.Submission) -> bytes:
    """The AUDDIS report on ``submission``: the file accepted, the given instructions rejected."""
    rejected = list(items)
    lodged = sum(1 for record in submission.instructions if record.transaction_code in ("0N", "0C"))
    return reports.write_report(
        reports.Report(
            kind="AUDDIS",
            report_date=report_date,
            items=rejected,
            service_user_number="999999",
            service_user_name="HEARTH ENERGY",
            submissions=[
                reports.SubmissionOutcome(
                    line=0,
                    file_serial=submission.file_serial,
                    file_number="001",
                    processing_date=submission.processing_date,
                    file_type="LIVE",
                    accepted_instructions=lodged - len(rejected),
                    rejected_instructions=len(rejected),
                    rejected=False,
                )
            ],
        )
    )
