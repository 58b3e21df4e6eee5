"""The subject-access export (UK GDPR art. 15): every table naming the person, their PDFs, opened sealed fields;
downloaded only by the login that asked, until it expires; and a walk of Django's models proving none is missed."""

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.db import models

from hearth.common import sealed
from hearth.data.accounts.models import Account, Customer
from hearth.data.audit.models import AuditEvent
from hearth.data.identity.models import User
from hearth.data.priority.models import Registration
from hearth.data.privacy.models import Channel, SubjectAccessRequest
from hearth.domain.documents import letters
from hearth.domain.privacy import export, records, subject_access
from tests.integration.conftest import PASSWORD, sign_in

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def test_every_model_that_names_a_person_is_exported_or_excluded_with_a_reason():
    """Independently of the exporter's walk: any model with a foreign key to a customer, an account or a login."""
    roots = {Customer, Account, User}
    naming = {
        model._meta.label
        for model in apps.get_models()
        if model in roots
        or any(isinstance(f, models.ForeignKey) and f.related_model in roots for f in model._meta.concrete_fields)
    }
    exported = {model._meta.label for model in records.exported_models()}
    missed = naming - exported - set(records.EXCLUDED_MODELS)
    assert not missed, f"these models name a person but are neither exported nor excluded: {sorted(missed)}"
    assert all(reason.strip() for reason in (*records.EXCLUDED_MODELS.values(), *records.EXCLUDED_FIELDS.values()))
    # Reached through another table too: a bill's lines (line -> bill -> account), a collection's Bacs records.
    assert {"billing.BillLine", "payments.SubmissionRecord", "priority.Registration"} <= exported


@pytest.fixture
def person(build, household, customer_login):
    letter = letters.Letter(
        account=household.electricity,
        type_code="LETTER",
        reference="LTR-H6-0001",
        title="About your account",
        paragraphs=("Dear Jo Bloggs, thank you for being with us.",),
    )
    letters.issue_letter(letter=letter, now=NOW, deliver=False)
    Registration.objects.create(
        customer=household.customer, needs=["07"], source="CARE", consent_at=NOW, registered_at=NOW
    )
    return household


def _bank_keys():
    from django.conf import settings

    return settings.HEARTH_BANK_DETAILS_KEYS


def _zip_of(request: SubjectAccessRequest) -> zipfile.ZipFile:
    request.refresh_from_db()
    with request.export.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def _raise_and_make(customer, login) -> SubjectAccessRequest:
    request = subject_access.raise_request(
        customer=customer, channel=Channel.PORTAL, raised_by=login, requester=login, now=NOW
    )
    subject_access.make_export(request=request, now=NOW)
    return request


def test_the_export_holds_every_row_that_points_at_the_person_and_their_pdfs(person, customer_login, build):
    stranger = build.site(
        name="Oscar Other",
        email="oscar@other.example",
        postcode="LS1 4AP",
        electricity_meter="CREDIT",
        gas_meter="CREDIT",
    )
    request = subject_access.raise_request(
        customer=person.customer, channel=Channel.PORTAL, raised_by=customer_login, requester=customer_login, now=NOW
    )
    # Independently of the walk: every row with a direct foreign key to the customer, an account or the login.
    targets = {
        Customer: {person.customer.pk},
        Account: {person.electricity.pk, person.gas.pk},
        User: {customer_login.pk},
    }
    expected: dict[str, set[int]] = {}
    for model in apps.get_models():
        ids_found = set(targets.get(model, set()))
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model in targets:
                rows = model._default_manager.filter(**{f"{field.attname}__in": targets[field.related_model]})
                ids_found |= set(rows.values_list("pk", flat=True))
        if ids_found and model._meta.label not in records.EXCLUDED_MODELS:
            expected[model._meta.label] = ids_found
    assert {"accounts.Customer", "documents.Document", "identity.AccountLink", "priority.Registration"} <= set(expected)
    subject_access.make_export(request=request, now=NOW)
    archive = _zip_of(request)
    names = set(archive.namelist())
    for label, ids_found in expected.items():
        table = json.loads(archive.read(f"tables/{label}.json"))
        assert ids_found <= {row["id"] for row in table["rows"]}, label
    customers = json.loads(archive.read("tables/accounts.Customer.json"))["rows"]
    assert [row["name"] for row in customers] == ["Jo Bloggs"]  # the stranger is not in it
    assert "Oscar Other" not in archive.read("tables/accounts.Customer.json").decode()
    assert stranger.electricity.number not in archive.read("tables/accounts.Account.json").decode()
    pdfs = [name for name in names if name.startswith("files/documents.Document/") and name.endswith(".pdf")]
    assert len(pdfs) == 1
    assert archive.read(pdfs[0]).startswith(b"%PDF")
    logins = json.loads(archive.read("tables/identity.User.json"))["rows"]
    assert "password" not in logins[0]
    assert "security_answer_hash" not in logins[0]
    assert "README.txt" in names


def test_an_export_with_register_data_is_audited_as_an_access_to_it(person, customer_login):
    request = _raise_and_make(person.customer, customer_login)
    assert "tables/priority.Registration.json" in _zip_of(request).namelist()
    assert AuditEvent.objects.filter(action="priority.data_accessed", customer=person.customer).count() == 1


def test_sealed_values_are_opened_for_the_person_and_never_written_to_the_audit(person, customer_login, caplog):
    row = {"account_number_sealed": sealed.seal("55779911", keys=_bank_keys())}
    assert export._opened(row["account_number_sealed"]) == "55779911"
    request = _raise_and_make(person.customer, customer_login)
    assert not any("55779911" in json.dumps([e.before, e.after, e.subject]) for e in AuditEvent.objects.all())
    assert "55779911" not in caplog.text
    assert request.status == SubjectAccessRequest.Status.READY


def test_only_the_login_that_asked_downloads_the_export_until_it_expires(client, build, person, customer_login):
    request = _raise_and_make(person.customer, customer_login)
    url = f"/services/my-data/subject-access/{request.pk}/download/"
    other = build.activated_login("partner@home.example", person.electricity, role="AUTHORISED")
    sign_in(client, other.email, PASSWORD)
    assert client.get(url).status_code == 404
    client.logout()
    sign_in(client, customer_login.email, PASSWORD)
    SubjectAccessRequest.objects.filter(pk=request.pk).update(expires_at=datetime.now(UTC) + timedelta(days=1))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="privacy.subject_access_export_downloaded").count() == 1
    request.refresh_from_db()
    assert request.expires_at is not None
    subject_access.expire_export(request=request, now=request.expires_at)
    request.refresh_from_db()
    assert request.status == SubjectAccessRequest.Status.EXPIRED
    assert not request.export
    assert client.get(url).status_code == 404


def test_a_second_request_while_one_is_being_made_is_refused_in_words(person, customer_login):
    subject_access.raise_request(
        customer=person.customer, channel=Channel.PORTAL, raised_by=customer_login, requester=customer_login, now=NOW
    )
    with pytest.raises(subject_access.RequestRefused, match="already being prepared"):
        subject_access.raise_request(
            customer=person.customer, channel=Channel.CARE, raised_by=customer_login, requester=None, now=NOW
        )


def test_an_authorised_person_cannot_ask_for_the_holders_data(client, build, person):
    build.activated_login("deputy@home.example", person.electricity, role="AUTHORISED")
    sign_in(client, "deputy@home.example", PASSWORD)
    assert client.post("/services/my-data/", {"action": "access"}).status_code == 403
    assert not SubjectAccessRequest.objects.exists()
