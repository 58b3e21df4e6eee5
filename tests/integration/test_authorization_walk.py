"""The authorisation walk (QUALITY.md): every URL pattern, as every kind of visitor who must not get in.

Each URL name is listed below with how to fill its parameters and who may use it. A URL added
without an entry here fails `test_every_url_pattern_is_walked`.

Visitors: anonymous; another customer (signed in to the portal, linked to other accounts); a viewer
where a holder is needed; a customer at the care console; staff signed in without their second factor.
Every refusal must leak none of the victim's data and change nothing.
"""

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from hearth.data.accounts.models import Fuel
from hearth.data.audit.models import AuditEvent
from hearth.data.billing.models import Bill, BillRun
from hearth.data.care.models import Case, LoginDetailsRequest
from hearth.data.complaints.models import Complaint, InboundMail
from hearth.data.contracts.models import SwitchingMessage
from hearth.data.documents.models import Document, DocumentType
from hearth.data.identity.models import AccountLink, ApiKey, User
from hearth.data.meter_services.models import AccuracyTest, Appointment, Channel, FaultReport, MeterMove
from hearth.data.metering.models import (
    AmrDevice,
    FlowFile,
    InboundSms,
    Meter,
    ReadingSource,
    RegisterReading,
    RejectedFlowLine,
)
from hearth.data.payments.models import BacsReport, BacsReportItem, BacsSubmission, CardPayment, Refund
from hearth.data.priority.models import NetworkShareFile
from hearth.data.privacy.models import SubjectAccessRequest
from hearth.data.scheduling.models import JobRun
from hearth.data.tariffs.models import PaymentMethod, Product, Tariff, UnitRate
from hearth.domain.care import operations as care_ops
from hearth.domain.identity import api_keys
from hearth.domain.tariffs import operations as tariff_ops
from tests.integration.conftest import PASSWORD, Builder, Site, sign_in


@dataclass
class Victim:
    """The customer whose records the walk tries to reach."""

    site: Site
    login: User
    link: AccountLink
    case: Case
    request: LoginDetailsRequest


Kwargs = Callable[[Victim], dict[str, Any]]
NONE: Kwargs = lambda victim: {}  # noqa: E731


def _victim_amr_device(victim: "Victim") -> AmrDevice:
    """An AMR device on the victim's electricity meter, made on first use."""
    meter = victim.site.electricity_meter
    device, _ = AmrDevice.objects.get_or_create(
        serial_number="AMR-VICTIM",
        defaults={
            "meter": meter,
            "sim_phone_number": "+447700900999",
            "pulse_weight": "0.01",
            "unit": "KWH",
            "installed_at": meter.installed_at,
        },
    )
    return device


def _victim_sms(victim: "Victim") -> InboundSms:
    """A quarantined SMS from the victim's device, made on first use."""
    device = _victim_amr_device(victim)
    message, _ = InboundSms.objects.get_or_create(
        message_sid="SMVICTIM",
        defaults={
            "from_number": device.sim_phone_number,
            "body": "AMR1;AMR-VICTIM;garbled",
            "device": device,
            "received_at": device.installed_at,
            "processed_at": device.installed_at,
            "status": InboundSms.Status.QUARANTINED,
            "reason": "the message has 3 fields",
        },
    )
    return message


def _victim_held_reading(victim: "Victim") -> RegisterReading:
    """A reading of the victim's gas meter held for care staff (FOR_REVIEW), made on first use."""
    meter = victim.site.gas_meter
    reading, _ = RegisterReading.objects.get_or_create(
        register=meter.registers.get(),
        read_at=meter.installed_at,
        source=ReadingSource.CUSTOMER,
        defaults={
            "value": "12",
            "kind": RegisterReading.Kind.CUSTOMER,
            "status": RegisterReading.Status.FOR_REVIEW,
            "received_at": meter.installed_at,
            "note": "Meter replaced, says the sender",
        },
    )
    return reading


def _victim_api_key(victim: "Victim") -> ApiKey:
    """An API key of the victim's login, made on first use (directly: no audit event, so the walk can count them)."""
    key, _ = ApiKey.objects.get_or_create(
        user=victim.login,
        name="Victim's dashboard",
        defaults={"prefix": "VICTIMKY", "key_hash": "0" * 64, "created_at": victim.login.created_at},
    )
    return key


def _victim_meter_point(fuel: str) -> Kwargs:
    def kwargs(victim: "Victim") -> dict[str, Any]:
        meter = victim.site.electricity_meter if fuel == "mpan" else victim.site.gas_meter
        return {fuel: meter.supply_point.identifier, "serial": meter.serial_number}

    return kwargs


def _victim_rejected_line(victim: "Victim") -> RejectedFlowLine:
    """A rejected D0010 line naming the victim's MPAN, made on first use."""
    meter = victim.site.electricity_meter
    flow, _ = FlowFile.objects.get_or_create(
        kind=FlowFile.Kind.D0010,
        sha256="0" * 64,
        defaults={"name": "victim.uff", "imported_at": meter.installed_at, "rejected": 1},
    )
    line, _ = RejectedFlowLine.objects.get_or_create(
        flow_file=flow,
        line_number=4,
        defaults={
            "content": "\n".join(
                [
                    f"026|{meter.supply_point.identifier}|V|",
                    f"028|{meter.serial_number}|R|",
                    "030|S|20260101000000|1|||T|N|",
                ]
            ),
            "reason": "register S is not on the meter",
        },
    )
    return line


def _victim_tariff(victim: "Victim") -> Tariff:
    """A tariff for the walk's tariff pages, made on first use (without `now`: no audit event, so counts hold)."""
    found = Tariff.objects.filter(code="E-1R-WALK-VAR-A").first()
    if found is not None:
        return found
    product = tariff_ops.create_product(
        code="WALK-VAR",
        full_name="Walk Variable",
        display_name="Walk Variable",
        description="",
        kind=Product.Kind.VARIABLE,
        available_from=victim.login.created_at,
    )
    return tariff_ops.create_tariff(
        product=product,
        fuel=Fuel.ELECTRICITY,
        region="A",
        structure=Tariff.Structure.SINGLE_RATE,
        payment_method=PaymentMethod.DIRECT_DEBIT,
        standing_charge_exc_vat=Decimal("54.4667"),
        unit_rates_exc_vat={UnitRate.STANDARD: Decimal("24.8667")},
        valid_from=victim.login.created_at,
    )


_TARIFF_ELECTRICITY: Kwargs = lambda v: {"product_code": "HEARTH-VAR-26-11", "tariff_code": "E-1R-HEARTH-VAR-26-11-A"}  # noqa: E731
_TARIFF_GAS: Kwargs = lambda v: {"product_code": "HEARTH-VAR-26-11", "tariff_code": "G-1R-HEARTH-VAR-26-11-A"}  # noqa: E731


# Who may use each URL: PUBLIC (anyone), SIGNED_IN (any portal login, also mid-activation),
# ACCOUNT (an activated login on its own selected account), HOLDERS (its holder or authorised person),
# STAFF (care staff verified with their second factor), API (a REST API key of a login linked to the object).
PUBLIC, SIGNED_IN, ACCOUNT, HOLDERS, STAFF = "public", "signed_in", "account", "holders", "staff"
API = "api"

URLS: dict[str, tuple[str, Kwargs]] = {
    "brand_css": (PUBLIC, NONE),
    "portal:login": (PUBLIC, NONE),
    "portal:logout": (PUBLIC, NONE),
    "portal:login_details": (PUBLIC, NONE),
    "portal:login_details_sent": (PUBLIC, NONE),
    "portal:forgot_password": (PUBLIC, NONE),
    "portal:forgot_password_sent": (PUBLIC, NONE),
    "portal:reset_password": (
        PUBLIC,
        lambda v: {"uidb64": urlsafe_base64_encode(force_bytes(v.login.pk)), "token": "set-password"},
    ),
    "portal:reset_password_done": (PUBLIC, NONE),
    "portal:conditions_of_use": (PUBLIC, NONE),
    "portal:activate_conditions": (SIGNED_IN, NONE),
    "portal:activate_security_question": (SIGNED_IN, NONE),
    "portal:activate_password": (SIGNED_IN, NONE),
    "portal:no_accounts": (SIGNED_IN, NONE),
    "portal:dashboard": (ACCOUNT, NONE),
    "portal:change_password": (ACCOUNT, NONE),
    "portal:select_account": (ACCOUNT, NONE),
    "portal:bills": (ACCOUNT, NONE),
    "portal:consumption": (ACCOUNT, NONE),
    "portal:consumption_daily": (ACCOUNT, lambda v: {"meter_id": v.site.electricity_meter.pk}),
    "portal:consumption_daily_csv": (ACCOUNT, lambda v: {"meter_id": v.site.electricity_meter.pk}),
    "portal:consumption_day": (ACCOUNT, lambda v: {"meter_id": v.site.electricity_meter.pk}),
    "portal:consumption_day_csv": (ACCOUNT, lambda v: {"meter_id": v.site.electricity_meter.pk}),
    "portal:consent": (ACCOUNT, NONE),
    "portal:meter_reading": (HOLDERS, NONE),
    "portal:meter_reading_recorded": (HOLDERS, NONE),
    "portal:moving_home": (HOLDERS, NONE),
    "portal:contact_care": (ACCOUNT, NONE),
    "portal:account_logins": (HOLDERS, NONE),
    "portal:api_keys": (ACCOUNT, NONE),
    "portal:revoke_api_key": (ACCOUNT, lambda v: {"key_id": _victim_api_key(v).pk}),
    "api:api-root": (PUBLIC, NONE),  # django-ninja's root: answers 404, names the docs page
    "api:openapi-json": (PUBLIC, NONE),
    "api:openapi-view": (PUBLIC, NONE),
    "api:docs_asset": (PUBLIC, lambda v: {"name": "swagger-ui-init.js"}),
    "api:electricity_consumption": (API, _victim_meter_point("mpan")),
    "api:electricity_consumption_no_slash": (API, _victim_meter_point("mpan")),
    "api:gas_consumption": (API, _victim_meter_point("mprn")),
    "api:gas_consumption_no_slash": (API, _victim_meter_point("mprn")),
    "api:account": (API, lambda v: {"number": v.site.electricity.number}),
    "api:account_no_slash": (API, lambda v: {"number": v.site.gas.number}),
    "api:products": (PUBLIC, NONE),  # the public price lists: no key, no customer data
    "api:products_no_slash": (PUBLIC, NONE),
    "api:product": (PUBLIC, lambda v: {"product_code": "HEARTH-VAR-26-11"}),
    "api:product_no_slash": (PUBLIC, lambda v: {"product_code": "HEARTH-VAR-26-11"}),
    "api:electricity_standard_unit_rates": (PUBLIC, _TARIFF_ELECTRICITY),
    "api:electricity_standard_unit_rates_no_slash": (PUBLIC, _TARIFF_ELECTRICITY),
    "api:electricity_day_unit_rates": (PUBLIC, _TARIFF_ELECTRICITY),
    "api:electricity_day_unit_rates_no_slash": (PUBLIC, _TARIFF_ELECTRICITY),
    "api:electricity_night_unit_rates": (PUBLIC, _TARIFF_ELECTRICITY),
    "api:electricity_night_unit_rates_no_slash": (PUBLIC, _TARIFF_ELECTRICITY),
    "api:electricity_standing_charges": (PUBLIC, _TARIFF_ELECTRICITY),
    "api:electricity_standing_charges_no_slash": (PUBLIC, _TARIFF_ELECTRICITY),
    "api:gas_standard_unit_rates": (PUBLIC, _TARIFF_GAS),
    "api:gas_standard_unit_rates_no_slash": (PUBLIC, _TARIFF_GAS),
    "api:gas_standing_charges": (PUBLIC, _TARIFF_GAS),
    "api:gas_standing_charges_no_slash": (PUBLIC, _TARIFF_GAS),
    "care:login": (PUBLIC, NONE),
    "care:logout": (PUBLIC, NONE),
    "care:search": (STAFF, NONE),
    "care:create_customer": (STAFF, NONE),
    "care:customer": (STAFF, lambda v: {"customer_id": v.site.customer.pk}),
    "care:add_supply_point": (STAFF, lambda v: {"customer_id": v.site.customer.pk}),
    "care:create_login": (STAFF, NONE),
    "care:login_detail": (STAFF, lambda v: {"user_id": v.login.pk}),
    "care:resend_login": (STAFF, lambda v: {"user_id": v.login.pk}),
    "care:unlock_login": (STAFF, lambda v: {"user_id": v.login.pk}),
    "care:check_answer": (STAFF, lambda v: {"user_id": v.login.pk}),
    "care:add_link": (STAFF, lambda v: {"user_id": v.login.pk}),
    "care:remove_link": (STAFF, lambda v: {"link_id": v.link.pk}),
    "care:change_role": (STAFF, lambda v: {"link_id": v.link.pk}),
    "care:requests": (STAFF, NONE),
    "care:decide_request": (STAFF, lambda v: {"request_id": v.request.pk}),
    "care:cases": (STAFF, NONE),
    "care:case": (STAFF, lambda v: {"case_id": v.case.pk}),
    "care:case_screenshot": (STAFF, lambda v: {"case_id": v.case.pk}),
    "care:close_case": (STAFF, lambda v: {"case_id": v.case.pk}),
    "care:outbox": (STAFF, NONE),
    "care:outbox_message": (STAFF, lambda v: {"name": "20260101T000000000000-victim.eml"}),
    "care:amr_quarantine": (STAFF, NONE),
    "care:amr_replay": (STAFF, lambda v: {"message_id": _victim_sms(v).pk}),
    "care:amr_meter": (STAFF, lambda v: {"meter_id": v.site.electricity_meter.pk}),
    "care:amr_register": (STAFF, lambda v: {"meter_id": v.site.electricity_meter.pk}),
    "care:amr_replace": (STAFF, lambda v: {"device_id": _victim_amr_device(v).pk}),
    "care:amr_retire": (STAFF, lambda v: {"device_id": _victim_amr_device(v).pk}),
    "care:amr_correct": (STAFF, lambda v: {"device_id": _victim_amr_device(v).pk}),
    "care:flows": (STAFF, NONE),
    "care:flows_upload": (STAFF, NONE),
    "care:flows_rejected": (STAFF, NONE),
    "care:flows_replay": (STAFF, lambda v: {"line_id": _victim_rejected_line(v).pk}),
    "care:flows_dismiss": (STAFF, lambda v: {"line_id": _victim_rejected_line(v).pk}),
    "care:readings_review": (STAFF, NONE),
    "care:readings_accept": (STAFF, lambda v: {"reading_id": _victim_held_reading(v).pk}),
    "care:readings_reject": (STAFF, lambda v: {"reading_id": _victim_held_reading(v).pk}),
    "care:tariffs": (STAFF, NONE),
    "care:tariffs_product_new": (STAFF, NONE),
    "care:tariffs_tariff_new": (STAFF, lambda v: {"product_id": _victim_tariff(v).product_id}),
    "care:tariff": (STAFF, lambda v: {"tariff_id": _victim_tariff(v).pk}),
    "inbound:twilio_sms": (PUBLIC, NONE),
}


# Billing in the care console: the victim's bill and a bill run, made on first use (directly: no audit event).
def _victim_bill(victim: "Victim") -> Bill:
    account = victim.site.electricity
    bill, _ = Bill.objects.get_or_create(
        reference=f"INV-{account.number}-WALK",
        defaults={
            "account": account,
            "period_start_date": date(2026, 10, 1),
            "period_end_date": date(2026, 11, 1),
            "issued_at": victim.login.created_at,
            "issue_date": date(2026, 11, 2),
            "due_date": date(2026, 11, 16),
            "total": Decimal("84.21"),
            "previous_balance": Decimal("0.00"),
            "payments_and_credits": Decimal("0.00"),
            "balance_carried_forward": Decimal("84.21"),
        },
    )
    return bill


def _victim_bill_kwargs(victim: "Victim") -> dict[str, Any]:
    return {"number": victim.site.electricity.number, "bill_id": _victim_bill(victim).pk}


def _victim_account(victim: "Victim") -> dict[str, Any]:
    return {"number": victim.site.electricity.number}


def _bill_run(victim: "Victim") -> dict[str, Any]:
    run, _ = BillRun.objects.get_or_create(
        as_of_date=date(2026, 11, 1), defaults={"started_at": victim.login.created_at, "accounts_total": 1}
    )
    return {"run_id": run.pk}


URLS |= {
    "care:billing": (STAFF, _victim_account),
    "care:billing_payment": (STAFF, _victim_account),
    "care:billing_credit": (STAFF, _victim_account),
    "care:billing_charge": (STAFF, _victim_account),
    "care:billing_interest": (STAFF, _victim_account),
    "care:billing_obstruction": (STAFF, _victim_account),
    "care:prepayment": (STAFF, _victim_account),
    "care:prepayment_action": (STAFF, lambda v: {**_victim_account(v), "action": "top-up"}),
    "care:bill": (STAFF, _victim_bill_kwargs),
    "care:bill_pdf": (STAFF, _victim_bill_kwargs),
    "care:bill_credit_note_pdf": (STAFF, _victim_bill_kwargs),
    "care:bill_cancel": (STAFF, _victim_bill_kwargs),
    "care:bill_reissue": (STAFF, _victim_bill_kwargs),
    "care:bill_runs": (STAFF, NONE),
    "care:bill_run_start": (STAFF, NONE),
    "care:bill_run": (STAFF, _bill_run),
}


# Bills Online in the portal (documents helper): the victim's bill (above) and an invoice document of theirs, made
# on first use (directly: no file is written, since no refused request may reach it).
def _victim_document(victim: "Victim") -> dict[str, Any]:
    account = victim.site.electricity
    document, _ = Document.objects.get_or_create(
        reference="INV-VICTIM-DOCUMENT",
        defaults={
            "account": account,
            "document_type": DocumentType.objects.get(code=DocumentType.INVOICE),
            "issued_at": victim.login.created_at,
            "issue_date": date(2026, 11, 2),
            "file": f"{account.pk}/2026/INV-VICTIM-DOCUMENT.pdf",
            "sha256": "0" * 64,
            "size_bytes": 1,
            "page_count": 1,
        },
    )
    return {"document_id": document.pk}


URLS |= {
    "portal:bill": (ACCOUNT, lambda v: {"bill_id": _victim_bill(v).pk}),
    "portal:document_pdf": (ACCOUNT, _victim_document),
}


# Your Details and Delivery Settings (delivery rules helper, issue 5): every login reads and sets only its own rules;
# an account of someone else in `?account=` or the posted form answers 404 like one that does not exist. Viewers
# may set their own rules (rules are personal), so these are ACCOUNT pages, not HOLDERS.
URLS |= {
    "portal:your_details": (ACCOUNT, NONE),
    "portal:delivery_settings": (ACCOUNT, NONE),
    "portal:delivery_rules": (ACCOUNT, NONE),
}


# Documents and Search (portal documents helper, issue 5): the menu and Search list only the login's own accounts (an
# account of someone else in `?account=` is refused beside its box); a document of someone else's, viewed or e-mailed,
# answers 404 like one that does not exist.
URLS |= {
    "portal:documents": (ACCOUNT, NONE),
    "portal:document_search": (ACCOUNT, NONE),
    "portal:document_view": (ACCOUNT, _victim_document),
    "portal:document_email": (ACCOUNT, _victim_document),
}


# Document delivery in the care console (delivery helper, issue 5): the victim's invoice document's delivery log and
# resending it; nothing is sent to a visitor who is refused.
def _victim_document_of_account(victim: "Victim") -> dict[str, Any]:
    return {"number": victim.site.electricity.number, **_victim_document(victim)}


URLS |= {
    "care:document_deliveries": (STAFF, _victim_document_of_account),
    "care:document_resend": (STAFF, _victim_document_of_account),
}


# Payments (issue 10): the portal's Payments pages act on the login's own selected account only (changing anything
# needs the holder or an authorised person); the console's pages are staff only. The victim's refund, a Bacs
# submission and a report entry are made on first use (directly: no audit event).
def _victim_refund(victim: "Victim") -> dict[str, Any]:
    refund, _ = Refund.objects.get_or_create(
        account=victim.site.electricity,
        status=Refund.Status.REQUESTED,
        defaults={
            "requested_at": victim.login.created_at,
            "due_date": date(2026, 12, 31),
            "credit_at_request": Decimal("40.00"),
            "amount": Decimal("40.00"),
            "destination": Refund.Destination.CHEQUE,
            "payee_name": "Victoria Victim",
            "cheque_address": "Victim's address",
        },
    )
    return {"refund_id": refund.pk}


def _bacs_submission(victim: "Victim") -> dict[str, Any]:
    submission, _ = BacsSubmission.objects.get_or_create(
        processing_date=date(2026, 11, 2),
        defaults={
            "serial": "261102",
            "file_name": "bacs-20261102.std18",
            "sha256": "0" * 64,
            "size_bytes": 0,
            "debit_count": 0,
            "debit_total": Decimal("0.00"),
            "mandate_record_count": 0,
            "created_at": victim.login.created_at,
        },
    )
    return {"submission_id": submission.pk}


def _bacs_item(victim: "Victim") -> BacsReportItem:
    report, _ = BacsReport.objects.get_or_create(
        sha256="1" * 64,
        defaults={
            "kind": BacsReport.Kind.ARUDD,
            "file_name": "victim-arudd.xml",
            "raw": b"<BACSDocument/>",
            "received_at": victim.login.created_at,
            "imported_by": "walk",
        },
    )
    item, _ = BacsReportItem.objects.get_or_create(
        report=report,
        line=1,
        defaults={
            "reference": "HRTH-VICTIM",
            "reason_code": "0",
            "raw": "ARUDD HRTH-VICTIM 0",
            "outcome": BacsReportItem.Outcome.KEPT,
            "action": "No Direct Debit has the reference 'HRTH-VICTIM'.",
            "handled_at": victim.login.created_at,
        },
    )
    return item


URLS |= {
    "portal:payments": (ACCOUNT, NONE),
    "portal:payment_simulator": (ACCOUNT, NONE),
    "portal:direct_debit": (HOLDERS, NONE),
    "portal:payment_day": (HOLDERS, NONE),
    "portal:refund": (HOLDERS, NONE),
    "portal:prepayment": (ACCOUNT, NONE),
    "portal:prepayment_top_up": (HOLDERS, NONE),
    "portal:prepayment_emergency": (HOLDERS, NONE),
    "care:payments": (STAFF, _victim_account),
    "care:payments_cancel_dd": (STAFF, _victim_account),
    "care:payments_review": (STAFF, _victim_account),
    "care:payments_indemnity_claim": (STAFF, _victim_account),
    "care:payments_refer": (STAFF, _victim_account),
    "care:refunds": (STAFF, NONE),
    "care:refunds_pay": (STAFF, NONE),
    "care:refund_approve": (STAFF, _victim_refund),
    "care:refund_decline": (STAFF, _victim_refund),
    "care:bacs": (STAFF, NONE),
    "care:bacs_submit": (STAFF, NONE),
    "care:bacs_submission_file": (STAFF, _bacs_submission),
    "care:bacs_upload": (STAFF, NONE),
    "care:bacs_report": (STAFF, lambda v: {"report_id": _bacs_item(v).report_id}),
    "care:bacs_item_replay": (STAFF, lambda v: {"item_id": _bacs_item(v).pk}),
    "care:bacs_item_dismiss": (STAFF, lambda v: {"item_id": _bacs_item(v).pk}),
    "care:referrals_export": (STAFF, NONE),
}

# Moving home in the care console (issue 11): an account's move out (record, cancel, add the new home's points) and a
# new occupier moving in (find the property, record, the result per customer).
URLS |= {
    "care:move_out": (STAFF, _victim_account),
    "care:move_out_cancel": (STAFF, _victim_account),
    "care:move_new_home_points": (STAFF, _victim_account),
    "care:move_in": (STAFF, NONE),
    "care:move_in_done": (STAFF, lambda v: {"customer_id": v.site.customer.pk}),
}


# Paying by card (card payments helper, issue 10): the pay and return pages of the account whose number is in the URL,
# for its holder or authorised person only; another login's account answers 404 like one that does not exist, and the
# return page shows only that account's card payments. Stripe's webhook is public: it answers only signed events.
def _victim_card_payment(victim: "Victim") -> CardPayment:
    """A card payment on the victim's electricity account, made on first use (directly: no audit event)."""
    card_payment, _ = CardPayment.objects.get_or_create(
        checkout_session_id="cs_test_victim",
        defaults={
            "account": victim.site.electricity,
            "purpose": CardPayment.Purpose.ONE_OFF,
            "amount": Decimal("84.21"),
            "created_at": victim.login.created_at,
        },
    )
    return card_payment


URLS |= {
    "portal:pay_by_card": (HOLDERS, _victim_account),
    "portal:pay_by_card_done": (HOLDERS, _victim_account),
    "inbound:stripe_events": (PUBLIC, NONE),
}

# Joining and cooling-off (sign-up helper, issue 11): the quote-and-join journey is public and answers the same for
# any e-mail address; cancelling in the cooling-off period is for the account's holder or authorised person in the
# portal, and for verified staff in the console.
URLS |= {
    "portal:join": (PUBLIC, NONE),
    "portal:join_details": (PUBLIC, NONE),
    "portal:join_done": (PUBLIC, NONE),
    "portal:contract_cancel": (HOLDERS, NONE),
    "care:sign_up": (STAFF, NONE),
    "care:contract_cancel": (STAFF, _victim_account),
}

# My contract and the contract timeline (issue 11): the selected account's contract for any of its logins; an
# account's contract timeline for staff.
URLS |= {
    "portal:contract": (ACCOUNT, NONE),
    "care:contract": (STAFF, _victim_account),
}

# The debt path (h2, issue 12): any login on the selected account sees its payment plan; an account's debt case and
# each step care takes are for verified staff (a refused POST takes no step).
URLS |= {
    "portal:payment_plan": (ACCOUNT, NONE),
    "care:debt": (STAFF, _victim_account),
    "care:debt_step": (STAFF, lambda v: {**_victim_account(v), "step": "PLAN_NOT_AGREED"}),
}

# The query string a URL needs besides its path parameters.
QUERIES: dict[str, Callable[[Victim], dict[str, Any]]] = {
    "portal:pay_by_card_done": lambda v: {"payment": _victim_card_payment(v).pk},
    "care:move_in": lambda v: {"postcode": "EH6 6QU", "identifier": v.site.electricity_meter.supply_point.identifier},
}


# The daily jobs in the care console (scheduler helper): the jobs, a job's runs, a run's items and Run now; a refused
# visitor runs nothing (Run now audits the request before it runs, and the walk counts audit events).
def _job_run(victim: "Victim") -> dict[str, Any]:
    run, _ = JobRun.objects.get_or_create(
        job="billing.bill_run",
        run_date=date(2026, 11, 1),
        defaults={"status": JobRun.Status.FINISHED, "started_at": victim.login.created_at, "started_by": "walk"},
    )
    return {"run_id": run.pk}


URLS |= {
    "care:daily_jobs": (STAFF, NONE),
    "care:daily_job": (STAFF, lambda v: {"name": "billing.bill_run"}),
    "care:daily_job_start": (STAFF, lambda v: {"name": "billing.bill_run"}),
    "care:daily_job_run": (STAFF, _job_run),
}

# Renewal (contracts helper h3, issue 11): any login on the selected account sees the renewal choices, only its holder
# renews (a viewer's POST answers 403, tested in tests/integration/contracts/test_portal_renew.py); care records a
# smart meter refusal (POST only).
URLS |= {
    "portal:contract_renew": (ACCOUNT, NONE),
    "care:smart_refusal": (STAFF, _victim_account),
}


def _switching_message(victim: "Victim") -> dict[str, int]:
    """A failed switching message naming the victim's MPAN, made on first use."""
    meter = victim.site.electricity_meter
    message, _ = SwitchingMessage.objects.get_or_create(
        file_name="victim-switching.txt",
        line_number=2,
        defaults={
            "direction": SwitchingMessage.Direction.INBOUND,
            "kind": "LOSS_COMPLETED",
            "body": f"LOSS_COMPLETED||{meter.supply_point.identifier}|2026-01-01|||",
            "status": SwitchingMessage.Status.FAILED,
            "reason": "victim-switching.txt line 2, mpxn: no switch away under way",
            "at": victim.login.created_at,
        },
    )
    return {"message_id": message.pk}


URLS |= {
    "care:switching": (STAFF, NONE),
    "care:switching_replay": (STAFF, _switching_message),
}


# Personal data (privacy helper h6, issue 12): My details for those who may change the account; My data and the
# export download check the holder and the requester inside (403 / 404, tests/integration/privacy); the confirmation
# link answers "does not work" to anyone but a holder of the customer's accounts, and only with a valid token.
def _victim_subject_access(victim: "Victim") -> dict[str, int]:
    request, _ = SubjectAccessRequest.objects.get_or_create(
        customer=victim.site.customer,
        defaults={
            "channel": "PORTAL",
            "raised_by": victim.login,
            "requester": victim.login,
            "received_at": victim.login.created_at,
            "received_date": date(2026, 1, 5),
            "due_date": date(2026, 2, 5),
        },
    )
    return {"request_id": request.pk}


URLS |= {
    "portal:my_details": (HOLDERS, NONE),
    "portal:confirm_email": (ACCOUNT, lambda v: {"token": "not-a-token"}),
    "portal:my_data": (ACCOUNT, NONE),
    "portal:subject_access_download": (ACCOUNT, _victim_subject_access),
    "care:privacy_requests": (STAFF, NONE),
    "care:customer_personal_data": (STAFF, lambda v: {"customer_id": v.site.customer.pk}),
    "care:subject_access_download": (STAFF, _victim_subject_access),
}


def _victim_share_file(victim: "Victim") -> dict[str, int]:
    """A network operators' share file naming the victim, made on first use (directly: no audit event)."""
    share_file, _ = NetworkShareFile.objects.get_or_create(
        distributor="23",
        run_date=date(2026, 12, 7),
        defaults={
            "sequence": 1,
            "name": "PSR_23_20261207_000001.psr",
            "created_at": victim.login.created_at,
            "row_count": 1,
            "sha256": "0" * 64,
        },
    )
    return {"file_id": share_file.pk}


# The Priority Services Register (h4, issue 12; ADR 0019): the household's own page (holders and authorised persons);
# care's entry page for any verified staff; health details and share files for the vulnerability team and
# supervisors only (a care agent gets 403: tests/integration/priority/test_priority_pages.py).
_victim_customer: Kwargs = lambda v: {"customer_id": v.site.customer.pk}  # noqa: E731
URLS |= {
    "portal:priority_services": (HOLDERS, NONE),
    "care:priority": (STAFF, _victim_customer),
    "care:priority_end": (STAFF, _victim_customer),
    "care:priority_health": (STAFF, _victim_customer),
    "care:priority_shares": (STAFF, NONE),
    "care:priority_share_file": (STAFF, _victim_share_file),
}


# Complaints (complaints helper h3, issue 12): the selected account's complaints for any of its logins (raising one
# for its holder or authorised person; another account's complaint answers 404 like one that does not exist); the
# console's queue, timeline, letters and the complaint e-mails waiting are staff only. The victim's complaint and a
# waiting e-mail of theirs are made on first use (directly: no audit event, no letter).
def _victim_complaint(victim: "Victim") -> dict[str, Any]:
    complaint, _ = Complaint.objects.get_or_create(
        account=victim.site.electricity,
        summary="Victim's private complaint",
        defaults={
            "channel": Complaint.Channel.PHONE,
            "description": "Victim's private complaint in full",
            "received_at": victim.login.created_at,
            "response_due_date": date(2026, 11, 9),
            "ombudsman_date": date(2026, 12, 28),
        },
    )
    return {"complaint_id": complaint.pk}


def _victim_mail(victim: "Victim") -> dict[str, Any]:
    raw = f"From: {victim.login.email}\r\nSubject: private complaint\r\n\r\nVictim's private complaint\r\n".encode()
    found, _ = InboundMail.objects.get_or_create(
        sha256="2" * 64,
        defaults={
            "raw": raw,
            "mailbox_key": "victim",
            "from_address": victim.login.email,
            "subject": "private complaint",
            "body": "Victim's private complaint",
            "status": InboundMail.Status.UNMATCHED,
            "reason": "2 customers have this e-mail address: choose the account.",
            "received_at": victim.login.created_at,
        },
    )
    return {"mail_id": found.pk}


URLS |= {
    "portal:complaints": (ACCOUNT, NONE),
    "portal:raise_complaint": (HOLDERS, NONE),
    "portal:complaint": (ACCOUNT, _victim_complaint),
    "care:complaints": (STAFF, NONE),
    "care:complaint_record": (STAFF, NONE),
    "care:complaint": (STAFF, _victim_complaint),
    "care:complaint_respond": (STAFF, _victim_complaint),
    "care:complaint_resolve": (STAFF, _victim_complaint),
    "care:complaint_deadlock": (STAFF, _victim_complaint),
    "care:complaint_note": (STAFF, _victim_complaint),
    "care:complaint_mail": (STAFF, NONE),
    "care:complaint_mail_raw": (STAFF, _victim_mail),
    "care:complaint_mail_replay": (STAFF, _victim_mail),
    "care:complaint_mail_assign": (STAFF, _victim_mail),
    "care:complaint_mail_dismiss": (STAFF, _victim_mail),
}


# Meter help (meter services helper h5, issue 12): the portal page for any login on the selected account, its forms and
# a visit's cancel-or-move page for its holder or authorised person (a visit of another account answers 404); the
# console's pages for verified staff. The victim's fault, test, move and visit are made on first use (directly: no
# audit event).
def _victim_meter_case(victim: "Victim") -> dict[str, Any]:
    account, meter = victim.site.electricity, victim.site.electricity_meter
    at, by = victim.login.created_at, victim.login
    fault, _ = FaultReport.objects.get_or_create(
        account=account,
        meter=meter,
        defaults={
            "kind": "STOPPED",
            "description": "Victim's meter",
            "channel": Channel.PORTAL,
            "reported_at": at,
            "reported_by": by,
        },
    )
    test, _ = AccuracyTest.objects.get_or_create(
        account=account,
        meter=meter,
        defaults={
            "channel": Channel.PORTAL,
            "price": Decimal("50.00"),
            "price_accepted_at": at,
            "requested_at": at,
            "requested_by": by,
        },
    )
    move, _ = MeterMove.objects.get_or_create(
        account=account,
        meter=meter,
        defaults={
            "reason": "Victim's kitchen",
            "price": Decimal("150.00"),
            "requested_at": at,
            "requested_by": by,
            "for_vulnerability": False,
        },
    )
    visit, _ = Appointment.objects.get_or_create(
        account=account,
        purpose=Appointment.Purpose.REPAIR,
        fault=fault,
        defaults={"visit_date": date(2027, 3, 30), "slot": "MORNING", "booked_at": at, "booked_by": by},
    )
    return {"fault_id": fault.pk, "test_id": test.pk, "move_id": move.pk, "appointment_id": visit.pk}


def _meter_case(key: str) -> Kwargs:
    return lambda victim: {key: _victim_meter_case(victim)[key]}


URLS |= {
    "portal:meter_help": (ACCOUNT, NONE),
    "portal:meter_help_fault": (HOLDERS, NONE),
    "portal:meter_help_test": (HOLDERS, NONE),
    "portal:meter_help_visit": (HOLDERS, _meter_case("appointment_id")),
    "care:meter_services": (STAFF, _victim_account),
    "care:meter_fault": (STAFF, _meter_case("fault_id")),
    "care:meter_test": (STAFF, _meter_case("test_id")),
    "care:meter_move": (STAFF, _meter_case("move_id")),
    "care:meter_visit": (STAFF, _meter_case("appointment_id")),
    "care:meter_rebills": (STAFF, NONE),
}


def _url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_url_pattern_is_walked():
    assert _url_names() == set(URLS), "add new URLs to the walk with who may use them"


@pytest.fixture
def victim(build: Builder) -> Victim:
    site = build.site(
        name="Victoria Victim",
        email="victoria@victim.example",
        postcode="EH6 6QU",
        electricity_meter=Meter.Kind.SMART,
        gas_meter=Meter.Kind.CREDIT,
    )
    login = build.activated_login("victoria@victim.example", site.electricity, site.gas)
    case = care_ops.raise_case(
        raised_by=login,
        account=site.electricity,
        description="Victim's private complaint",
        screenshot=None,
        screenshot_content_type="",
        now=build.now(),
    )
    request = LoginDetailsRequest.objects.create(
        account_number=site.electricity.number,
        postcode="EH6 6QU",
        email="victim-other@victim.example",
        account=site.electricity,
        received_at=build.now(),
    )
    return Victim(site, login, AccountLink.objects.get(user=login, account=site.electricity), case, request)


def _secrets_of(victim: Victim) -> list[bytes]:
    """What must never appear in a refused response."""
    return [
        victim.site.customer.name.encode(),
        victim.site.electricity.number.encode(),
        victim.site.gas.number.encode(),
        victim.login.email.encode(),
        b"private complaint",
    ]


def _assert_refused(client: Client, url: str, victim: Victim, allowed_redirect: str) -> None:
    """GET and POST are refused (403/404/405 or a redirect to a sign-in page), leak nothing, change nothing."""
    events_before = AuditEvent.objects.count()
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code in {302, 403, 404, 405}, f"{method.__name__.upper()} {url}: {response.status_code}"
        if response.status_code == 302:
            assert response["Location"].startswith(allowed_redirect), f"{url} redirected to {response['Location']}"
        body = response.content
        for secret in _secrets_of(victim):
            assert secret not in body, f"{url} leaked {secret!r}"
    assert AuditEvent.objects.count() == events_before, f"{url} changed something"
    victim.link.refresh_from_db()
    assert AccountLink.objects.filter(pk=victim.link.pk).exists()
    assert Case.objects.get(pk=victim.case.pk).status == Case.Status.OPEN
    assert not Complaint.objects.exclude(status=Complaint.Status.OPEN).exists()
    assert not InboundMail.objects.exclude(status=InboundMail.Status.UNMATCHED).exists()


def _walk(kinds: set[str]) -> list[str]:
    return sorted(name for name, (kind, _) in URLS.items() if kind in kinds)


def _url(name: str, victim: Victim) -> str:
    url = reverse(name, kwargs=URLS[name][1](victim))
    return f"{url}?{urlencode(QUERIES[name](victim))}" if name in QUERIES else url


def test_anonymous_visitors_are_sent_to_a_sign_in_page(client, victim):
    for name in _walk({SIGNED_IN, ACCOUNT, HOLDERS}):
        _assert_refused(client, _url(name, victim), victim, "/login/")
    for name in _walk({STAFF}):
        _assert_refused(client, _url(name, victim), victim, "/care/login/")


def test_a_signed_in_customer_cannot_use_the_care_console(client, build, victim):
    other = build.site(
        name="Oscar Other",
        email="oscar@other.example",
        postcode="LS1 4AP",
        electricity_meter=Meter.Kind.CREDIT,
        gas_meter=Meter.Kind.CREDIT,
    )
    build.activated_login("oscar@other.example", other.electricity)
    assert sign_in(client, "oscar@other.example", PASSWORD).status_code == 302
    for name in _walk({STAFF}):
        _assert_refused(client, _url(name, victim), victim, "/care/login/")


def test_staff_without_their_second_factor_cannot_use_the_care_console(client, build, victim):
    staff = build.staff_login("agent@supplier.example", "Agent4Console7")
    client.force_login(staff)  # password accepted, no TOTP verification in this session
    for name in _walk({STAFF}):
        _assert_refused(client, _url(name, victim), victim, "/care/login/")


def test_another_customer_sees_nothing_of_the_victim_on_any_portal_page(client, build, victim):
    other = build.site(
        name="Oscar Other",
        email="oscar@other.example",
        postcode="LS1 4AP",
        electricity_meter=Meter.Kind.SMART,
        gas_meter=Meter.Kind.CREDIT,
    )
    build.amr_device(other.electricity_meter)
    build.activated_login("oscar@other.example", other.electricity, other.gas)
    assert sign_in(client, "oscar@other.example", PASSWORD).status_code == 302
    for name in _walk({SIGNED_IN, ACCOUNT, HOLDERS, PUBLIC}):
        if name in {"portal:logout", "care:logout"}:
            continue  # signing out is allowed to anyone, and would end this walk
        url = _url(name, victim)
        for method in (client.get, client.post):
            response = method(url, {"account": victim.site.electricity.pk})
            assert response.status_code != 500, url
            for secret in _secrets_of(victim):
                assert secret not in response.content, f"{url} leaked {secret!r}"
        assert client.session.get("hearth_account_id") != victim.site.electricity.pk, url


def test_a_viewer_cannot_use_pages_for_holders(client, build, victim):
    build.activated_login("viewer@victim.example", victim.site.electricity, role=AccountLink.Role.VIEWER)
    assert sign_in(client, "viewer@victim.example", PASSWORD).status_code == 302
    for name in _walk({HOLDERS}):
        for method in (client.get, client.post):
            assert method(_url(name, victim)).status_code == 403, name


def test_a_holder_and_an_authorised_person_can_use_pages_for_holders(client, build, victim):
    build.activated_login("deputy@victim.example", victim.site.electricity, role=AccountLink.Role.AUTHORISED)
    for email in (victim.login.email, "deputy@victim.example"):
        client.logout()
        assert sign_in(client, email, PASSWORD).status_code == 302
        for name in _walk({HOLDERS}):
            assert client.get(_url(name, victim)).status_code == 200, (email, name)


# An object of each kind that does not exist: a key must not tell it apart from one it may not read.
_UNKNOWN = {"mpan": "1200023305967", "mprn": "3938424403", "serial": "NO-SUCH-METER", "number": "1999999999"}


def _basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


def test_every_api_operation_refuses_anonymous_callers_with_401(client, victim):
    events_before = AuditEvent.objects.count()
    for name in _walk({API}):
        url = _url(name, victim)
        for headers in ({}, {"HTTP_AUTHORIZATION": _basic("not-a-key")}, {"HTTP_AUTHORIZATION": "Bearer x"}):
            response = client.get(url, **headers)
            assert response.status_code == 401, (url, headers)
            assert response["WWW-Authenticate"].startswith("Basic "), url
            for secret in _secrets_of(victim):
                assert secret not in response.content, f"{url} leaked {secret!r}"
    assert AuditEvent.objects.count() == events_before


def test_another_customers_key_gets_the_same_404_as_for_an_unknown_object_on_every_api_operation(client, build, victim):
    other = build.site(
        name="Oscar Other",
        email="oscar@other.example",
        postcode="LS1 4AP",
        electricity_meter=Meter.Kind.SMART,
        gas_meter=Meter.Kind.SMART,
    )
    oscar = build.activated_login("oscar@other.example", other.electricity, other.gas)
    _key, plaintext = api_keys.create_api_key(user=oscar, name="Oscar's app", now=build.now())
    victim_key = _victim_api_key(victim)
    events_before = AuditEvent.objects.count()
    for name in _walk({API}):
        kwargs = URLS[name][1](victim)
        assert kwargs, f"{name}: every API operation is about an object"
        response = client.get(_url(name, victim), HTTP_AUTHORIZATION=_basic(plaintext))
        unknown = client.get(
            reverse(name, kwargs={key: _UNKNOWN[key] for key in kwargs}), HTTP_AUTHORIZATION=_basic(plaintext)
        )
        assert response.status_code == 404, name
        assert (unknown.status_code, unknown.content) == (404, response.content), name
        for secret in _secrets_of(victim):
            assert secret not in response.content, f"{name} leaked {secret!r}"
        assert client.post(_url(name, victim), HTTP_AUTHORIZATION=_basic(plaintext)).status_code == 405, name
    assert AuditEvent.objects.count() == events_before
    victim_key.refresh_from_db()
    assert victim_key.revoked_at is None
