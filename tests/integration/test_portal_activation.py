"""Activating a portal login (FAQ 2, 6, 7): Conditions of Use, security question, own password."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from time_machine import TimeMachineFixture

from hearth.data.audit.models import AuditEvent
from hearth.data.care.models import LoginDetailsRequest
from hearth.data.identity.models import AccountLink, ConditionsAcceptance, User
from hearth.domain.identity import operations as identity_ops

pytestmark = pytest.mark.django_db

NEW_EMAIL = "sam.patel@example.com"
CHOSEN = "Orchard7Lane"
ANSWER = "St Mary's Juniors"


@pytest.fixture
def new_login(build: Any, household: Any) -> User:
    """A login as care staff create it: login details e-mailed, not activated."""
    return build.new_login(household.electricity, NEW_EMAIL)


@pytest.fixture
def temporary(new_login: User, read_mail: Any) -> str:
    return read_mail.temporary_password(new_login.email)


def _accept(client: Client) -> Any:
    return client.post("/activate/conditions/", {"accept": "on"})


def _security(client: Client, answer: str = ANSWER) -> Any:
    return client.post("/activate/security-question/", {"question": "FIRST_SCHOOL", "answer": answer})


def _choose(client: Client, password: str = CHOSEN) -> Any:
    return client.post("/activate/password/", {"new_password1": password, "new_password2": password})


def test_a_login_is_not_activated_until_its_first_sign_in(
    client: Client, new_login: User, temporary: str, sign_in: Any
) -> None:
    new_login.refresh_from_db()
    assert new_login.activated_at is None
    assert new_login.first_login_at is None

    before = timezone.now()
    sign_in(client, NEW_EMAIL, temporary)

    new_login.refresh_from_db()
    assert new_login.first_login_at is not None
    assert new_login.first_login_at >= before
    assert new_login.activated_at is None  # signing in starts activation; the steps finish it


def test_first_sign_in_walks_conditions_then_security_question_then_password_then_dashboard(
    client: Client, new_login: User, temporary: str, sign_in: Any
) -> None:
    response = sign_in(client, NEW_EMAIL, temporary)
    assert response["Location"] == "/activate/conditions/"
    conditions_page = client.get("/activate/conditions/")
    assert conditions_page.status_code == 200
    configured_text = settings.HEARTH_CONDITIONS_OF_USE_FILE.read_text(encoding="utf-8").strip()
    assert configured_text.splitlines()[0] in conditions_page.content.decode()

    assert _accept(client)["Location"] == "/activate/security-question/"
    assert _security(client)["Location"] == "/activate/password/"
    assert _choose(client)["Location"] == "/"

    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert "Bills Online" in dashboard.content.decode()
    new_login.refresh_from_db()
    assert new_login.activated_at is not None
    # The temporary password has been replaced by the chosen one.
    assert sign_in(Client(), NEW_EMAIL, temporary).status_code == 200
    assert sign_in(Client(), NEW_EMAIL, CHOSEN).status_code == 302


def test_leaving_half_way_resumes_where_it_stopped(new_login: User, temporary: str, sign_in: Any) -> None:
    first_visit = Client()
    sign_in(first_visit, NEW_EMAIL, temporary)
    _accept(first_visit)

    second_visit = Client()
    assert sign_in(second_visit, NEW_EMAIL, temporary)["Location"] == "/activate/security-question/"
    _security(second_visit)

    third_visit = Client()
    assert sign_in(third_visit, NEW_EMAIL, temporary)["Location"] == "/activate/password/"
    assert third_visit.get("/")["Location"] == "/activate/password/"
    assert _choose(third_visit)["Location"] == "/"
    assert third_visit.get("/").status_code == 200


@pytest.mark.parametrize(
    "page", ["/", "/services/bills/", "/contact/", "/password/change/", "/activate/security-question/"]
)
def test_pages_before_the_conditions_are_accepted_send_the_customer_to_the_conditions(
    client: Client, new_login: User, temporary: str, sign_in: Any, page: str
) -> None:
    sign_in(client, NEW_EMAIL, temporary)

    response = client.get(page)

    assert response.status_code == 302
    assert response["Location"] == "/activate/conditions/"


def test_the_password_step_cannot_be_taken_before_the_earlier_steps(
    client: Client, new_login: User, temporary: str, sign_in: Any
) -> None:
    sign_in(client, NEW_EMAIL, temporary)

    response = _choose(client)

    assert response["Location"] == "/activate/conditions/"
    assert sign_in(Client(), NEW_EMAIL, CHOSEN).status_code == 200  # not set
    _accept(client)
    assert client.get("/activate/password/")["Location"] == "/activate/security-question/"
    assert client.get("/")["Location"] == "/activate/security-question/"


def test_conditions_version_and_time_of_acceptance_are_recorded(
    client: Client, new_login: User, temporary: str, sign_in: Any, time_machine: TimeMachineFixture
) -> None:
    moment = timezone.now().replace(microsecond=0)
    time_machine.move_to(moment, tick=False)
    sign_in(client, NEW_EMAIL, temporary)

    _accept(client)

    acceptances = list(ConditionsAcceptance.objects.filter(user=new_login).values_list("version", "accepted_at"))
    assert acceptances == [(settings.HEARTH_CONDITIONS_OF_USE_VERSION, moment)]


def test_a_new_conditions_version_is_accepted_at_the_next_request(
    signed_in: Client, customer_login: User, settings: Any, tmp_path: Path, time_machine: TimeMachineFixture
) -> None:
    assert signed_in.get("/").status_code == 200
    published = tmp_path / "conditions-of-use-2027-01.txt"
    published.write_text("Conditions of Use, version 2027-01.\nClause 1: the new wording.\n", encoding="utf-8")
    settings.HEARTH_CONDITIONS_OF_USE_VERSION = "2027-01"
    settings.HEARTH_CONDITIONS_OF_USE_FILE = published

    response = signed_in.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/activate/conditions/"
    page = signed_in.get("/activate/conditions/").content.decode()
    assert "Clause 1: the new wording." in page
    assert "new version" in page

    moment = timezone.now().replace(microsecond=0) + timedelta(minutes=5)
    time_machine.move_to(moment, tick=False)
    assert _accept(signed_in)["Location"] == "/"
    assert signed_in.get("/").status_code == 200
    assert ConditionsAcceptance.objects.get(user=customer_login, version="2027-01").accepted_at == moment
    assert ConditionsAcceptance.objects.filter(user=customer_login).count() == 2  # the old acceptance is kept


def test_security_answer_is_stored_hashed(client: Client, new_login: User, temporary: str, sign_in: Any) -> None:
    sign_in(client, NEW_EMAIL, temporary)
    _accept(client)

    _security(client, answer=ANSWER)

    row = User.objects.filter(pk=new_login.pk).values().get()
    stored = " ".join(str(value) for value in row.values()).casefold()
    for form in (ANSWER, ANSWER.casefold(), "st mary"):
        assert form.casefold() not in stored
    assert row["security_question"] == "FIRST_SCHOOL"
    assert row["security_answer_hash"].startswith("argon2$argon2id$")


def test_security_answer_cannot_be_used_as_a_password(customer_login: User, security_answer: str, sign_in: Any) -> None:
    for attempt in (security_answer, security_answer.casefold()):
        response = sign_in(Client(), customer_login.email, attempt)
        assert response.status_code == 200
        assert "The e-mail address or password is not right" in response.content.decode()


def test_security_answer_check_ignores_case_and_extra_spaces(
    build: Any, customer_login: User, security_answer: str
) -> None:
    staff = build.staff_login("casey@hearth.example", "CareConsole2026")
    now = timezone.now()

    def check(answer: str) -> bool:
        return identity_ops.check_security_answer(user=customer_login, answer=answer, actor=staff, now=now)

    first, second = security_answer.split()  # "Hillside Primary"
    assert check(security_answer)
    assert check(f"  {first.lower()}    {second.upper()} ")
    assert not check(f"{first} Secondary")
    assert not check(f"{first}{second}")
    checks = AuditEvent.objects.filter(action="login.security_answer_checked", actor=staff)
    assert checks.count() == 4  # every check a care agent makes is audited


# --- Get login details (FAQ 2, 8, 10) ------------------------------------------------------------


def _ask_for_login_details(client: Client, *, account_number: str, postcode: str, email: str) -> Any:
    return client.post(
        "/login-details/", {"account_number": account_number, "postcode": postcode, "email": email}, follow=True
    )


def test_get_login_details_answers_the_same_whether_or_not_the_details_match(household: Any, remove_csrf: Any) -> None:
    matching = _ask_for_login_details(
        Client(), account_number=household.electricity.number, postcode="LS1 4AP", email="jo.bloggs@example.com"
    )
    other_address = _ask_for_login_details(
        Client(), account_number=household.electricity.number, postcode="LS1 4AP", email="someone.else@example.com"
    )
    no_such_account = _ask_for_login_details(
        Client(), account_number="9999999999", postcode="ZZ1 1ZZ", email="someone.else@example.com"
    )

    answers = [matching, other_address, no_such_account]
    assert {response.status_code for response in answers} == {200}
    assert matching.redirect_chain == other_address.redirect_chain == no_such_account.redirect_chain
    assert len({remove_csrf(response.content.decode()) for response in answers}) == 1


def test_the_accounts_contact_address_gets_login_details_at_once(
    client: Client, household: Any, mailoutbox: list[mail.EmailMessage], read_mail: Any, sign_in: Any
) -> None:
    _ask_for_login_details(
        client, account_number=household.electricity.number, postcode="ls14ap", email="Jo.Bloggs@Example.com"
    )

    assert [message.to for message in mailoutbox] == [["jo.bloggs@example.com"]]
    login = User.objects.get(email="jo.bloggs@example.com")
    assert list(login.account_links.values_list("account", "role")) == [(household.electricity.pk, "HOLDER")]
    assert login.activated_at is None
    assert not LoginDetailsRequest.objects.exists()
    temporary = read_mail.temporary_password("jo.bloggs@example.com")
    assert sign_in(Client(), "jo.bloggs@example.com", temporary)["Location"] == "/activate/conditions/"


def test_another_address_gets_nothing_and_the_request_waits_for_customer_care(
    client: Client, household: Any, mailoutbox: list[mail.EmailMessage]
) -> None:
    _ask_for_login_details(
        client, account_number=household.electricity.number, postcode="LS1 4AP", email="someone.else@example.com"
    )

    assert mailoutbox == []
    assert not User.objects.filter(email="someone.else@example.com").exists()
    request = LoginDetailsRequest.objects.get()
    assert request.email == "someone.else@example.com"
    assert request.account == household.electricity  # account number and postcode matched: care can send at once
    assert request.status == LoginDetailsRequest.Status.OPEN


def test_a_wrong_postcode_gets_nothing_and_the_request_names_no_account(
    client: Client, household: Any, mailoutbox: list[mail.EmailMessage]
) -> None:
    _ask_for_login_details(
        client, account_number=household.electricity.number, postcode="EH6 6QU", email="jo.bloggs@example.com"
    )

    assert mailoutbox == []
    request = LoginDetailsRequest.objects.get()
    assert request.account is None
    assert request.account_number == household.electricity.number


def test_an_activated_login_is_not_sent_a_new_temporary_password(
    client: Client,
    household: Any,
    customer_login: User,
    password: str,
    mailoutbox: list[mail.EmailMessage],
    sign_in: Any,
) -> None:
    _ask_for_login_details(
        client, account_number=household.electricity.number, postcode="LS1 4AP", email=customer_login.email
    )

    assert mailoutbox == []
    assert LoginDetailsRequest.objects.filter(email=customer_login.email).exists()
    assert sign_in(Client(), customer_login.email, password).status_code == 302


def test_linking_another_account_never_overwrites_a_password_the_customer_chose(build, household, mailoutbox):
    """A login that set its own password by a reset, before finishing activation, keeps it when care link more."""
    login = build.new_login(household.electricity, "chooser@example.com")
    identity_ops.choose_password(user=login, password="Chosen4Myself", now=build.now())
    mailoutbox.clear()

    identity_ops.create_portal_login(
        account=household.gas, email="chooser@example.com", role=AccountLink.Role.HOLDER, actor=None, now=build.now()
    )

    assert mailoutbox == []
    login.refresh_from_db()
    assert login.check_password("Chosen4Myself")
    assert login.account_links.count() == 2
