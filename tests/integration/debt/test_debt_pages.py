"""The debt path's pages: care sees the case, its timeline and each next step with why not; a step care takes is
one form; a step the path refuses is shown in its words and changes nothing. The customer sees the plan."""

import html
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.http.response import HttpResponseBase
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp

from hearth.data.debt.models import DebtCase
from hearth.data.identity.models import User
from hearth.domain.debt import operations as debt
from hearth.domain.identity import operations as identity_ops
from tests.integration.conftest import PASSWORD, Builder, sign_in
from tests.integration.debt.support import indebted_account, reminded_case
from tests.integration.payments.account_support import (
    documents_in_tmp_fixture,  # noqa: F401  (a fixture)
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_in_tmp")]

TODAY = datetime(2026, 12, 8, 10, tzinfo=UTC)
State = DebtCase.State


def words(response: HttpResponseBase) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    """Tuesday 8 December 2026, 10:00 UTC, for the sign-in and the pages alike."""
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def care(frozen: None) -> Client:
    device = identity_ops.create_staff_login(
        email="debt.console@hearth.example", full_name="Debt Agent", password="Console4Debt9x", now=timezone.now()
    )
    client = Client()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    response = client.post(
        "/care/login/", {"username": "debt.console@hearth.example", "password": "Console4Debt9x", "otp_token": code}
    )
    assert response.status_code == 302
    return client


def test_care_sees_the_case_and_takes_the_next_step(care: Client) -> None:
    account = indebted_account()
    case = reminded_case(account)
    page = words(care.get(f"/care/accounts/{account.number}/debt/"))
    assert "Reminded (final notice sent)" in page
    assert "On a repayment plan" in page
    assert "Disconnected" not in page.split("Timeline")[0]  # not offered from here

    response = care.post(
        f"/care/accounts/{account.number}/debt/steps/PLAN_NOT_AGREED/",
        {"PLAN_NOT_AGREED-reason": "No reply to two calls"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.PLAN_NOT_AGREED
    assert "No reply to two calls" in words(care.get(f"/care/accounts/{account.number}/debt/"))


def test_a_step_the_path_refuses_is_shown_in_its_words_and_changes_nothing(care: Client) -> None:
    account = indebted_account()
    case = reminded_case(account)
    response = care.post(
        f"/care/accounts/{account.number}/debt/steps/DISCONNECTED/",
        {"DISCONNECTED-reason": "skip", "DISCONNECTED-day": "2026-12-08", "DISCONNECTED-cost": "0"},
    )
    assert response.status_code == 400
    assert "the next steps are" in words(response)
    case.refresh_from_db()
    assert case.state == State.REMINDED


def test_a_plan_care_cannot_afford_is_refused_beside_the_form(care: Client) -> None:
    account = indebted_account()
    reminded_case(account)
    response = care.post(
        f"/care/accounts/{account.number}/debt/steps/ON_PLAN/",
        {
            "ON_PLAN-monthly_income": "900.00",
            "ON_PLAN-monthly_outgoings": "880.00",
            "ON_PLAN-instalment": "50.00",
            "ON_PLAN-first_due_date": "2027-01-01",
        },
    )
    assert response.status_code == 400
    assert "£20.00 is left after essential outgoings" in words(response)


def test_the_customer_sees_the_plan_and_what_happens_next(client: Client, build: Builder) -> None:
    account = indebted_account()
    case = reminded_case(account)
    agent = User.objects.create_user(email="agent@hearth.example", password="x", kind=User.Kind.STAFF)
    debt.agree_plan(
        case=case,
        monthly_income=Decimal("1000.00"),
        monthly_outgoings=Decimal("900.00"),
        instalment=Decimal("50.00"),
        first_due_date=date(2027, 1, 4),
        actor=agent,
        now=TODAY,
    )
    login = build.activated_login("debtor@example.com", account)
    assert sign_in(client, login.email, PASSWORD).status_code == 302
    page = words(client.get("/services/payment-plan/"))
    assert "Your plan: £50.00 a month" in page
    assert "4 January 2027" in page
    assert "4 May 2027" in page  # the fifth and last of £50.00
    assert "Keep paying each instalment by its day" in page
