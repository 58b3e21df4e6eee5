"""Delivery rules (FAQ 3, 13; issue 5): Your Details -> Delivery Settings -> Set delivery rules -> Apply.

Rules are per login and per account, start from sensible defaults, keep documents the supplier must deliver on at
least one channel, never attach a PDF to an e-mail that is not sent, and every change is audited before -> after and
shown in the care console. Expected channels below are written out by hand from the FAQ and the issue.
"""

import re
from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp

from hearth.data.accounts.models import Account
from hearth.data.audit.models import AuditEvent
from hearth.data.documents.models import Delivery, DeliveryRule, Document, DocumentType
from hearth.data.identity.models import AccountLink, User
from hearth.domain.documents import rules
from hearth.domain.identity import operations as identity_ops
from tests.integration.conftest import PASSWORD, Builder, Site, sign_in

SETTINGS = "/your-details/delivery-settings/"
RULES = "/your-details/delivery-settings/rules/"
CHANNELS = ("email_notification", "email_attachment", "post")
DOCUMENTS_TYPES_IN_MENU_ORDER = ["INVOICE", "CREDIT_NOTE", "STATEMENT", "LETTER", "NOTICE"]
"""The documents area's own types; other areas (payments) add theirs in their migrations, and every test here holds
whatever types there are."""

# (e-mail notification, PDF attached, post) for a login that never changed anything: the issue's "e-mail with PDF
# attached for invoices" (a credit note is an invoice's twin), a plain e-mail for the rest, no paper by default.
DEFAULTS = {
    "INVOICE": (True, True, False),
    "CREDIT_NOTE": (True, True, False),
    "STATEMENT": (True, False, False),
    "LETTER": (True, False, False),
    "NOTICE": (True, False, False),
}
PLAIN_EMAIL = (True, False, False)
"""The default of every type not named in DEFAULTS: "a plain e-mail for the rest"."""


def _defaults() -> dict[str, tuple[bool, bool, bool]]:
    """Every document type there is, as a login that never changed anything gets it."""
    return {code: DEFAULTS.get(code, PLAIN_EMAIL) for code in DocumentType.objects.values_list("code", flat=True)}


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _ticks(**chosen: tuple[bool, bool, bool]) -> dict[str, tuple[bool, bool, bool]]:
    """Every type as it is by default, with the types named here ticked as given."""
    return {**_defaults(), **chosen}


def _form(account: Account, ticks: dict[str, tuple[bool, bool, bool]]) -> dict[str, str]:
    """The rules form as a browser posts it: only ticked boxes are sent."""
    data = {"account": str(account.pk)}
    for code, boxes in ticks.items():
        for channel, ticked in zip(CHANNELS, boxes, strict=True):
            if ticked:
                data[f"{code}__{channel}"] = "on"
    return data


def _as_stored(user: User, account: Account) -> dict[str, tuple[bool, bool, bool]]:
    """The login's rules as the domain answers them, by type code."""
    return {
        row.document_type.code: (
            row.channels.email_notification,
            row.channels.email_attachment,
            row.channels.post,
        )
        for row in rules.rules_of(user=user, account=account)
    }


def _signed_in(email: str) -> Client:
    client = Client()
    assert sign_in(client, email, PASSWORD).status_code == 302
    return client


def _settings_rows(response) -> dict[str, tuple[str, str, str]]:
    """The Delivery Settings table: document type -> (e-mail, PDF, post) as Yes/No."""
    html = response.content.decode()
    table = html.split("Your rules for account", 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]:
        header_cell = re.search(r"<th[^>]*>(.*?)</th>", row, flags=re.S)
        assert header_cell is not None, row
        header = re.sub(r"<[^>]+>|Default", "", header_cell.group(1)).strip()
        cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        rows[header] = (cells[0], cells[1], cells[2])
    return rows


def _yes_no(boxes: tuple[bool, bool, bool]) -> tuple[str, str, str]:
    return tuple("Yes" if box else "No" for box in boxes)  # type: ignore[return-value]


@pytest.fixture
def jo(build: Builder, household: Site) -> User:
    return build.activated_login("jo.bloggs@example.com", household.electricity, household.gas)


def test_a_new_login_gets_invoices_by_email_with_the_pdf_attached_and_nothing_by_post(jo, household):
    types = list(DocumentType.objects.all())
    assert _as_stored(jo, household.electricity) == _defaults()
    in_menu = [row.document_type.code for row in rules.rules_of(user=jo, account=household.electricity)]
    assert in_menu == [t.code for t in sorted(types, key=lambda t: (t.position, t.pk))]
    assert [code for code in in_menu if code in DEFAULTS] == DOCUMENTS_TYPES_IN_MENU_ORDER
    assert all(row.is_default for row in rules.rules_of(user=jo, account=household.electricity))
    notice = DocumentType.objects.get(code=DocumentType.NOTICE)
    assert rules.channels_for(user=jo, account=household.electricity, document_type=notice) == rules.Channels(
        email_notification=True, email_attachment=False, post=False
    )

    page = _signed_in(jo.email).get(SETTINGS)
    assert page.status_code == 200
    shown = _settings_rows(page)
    assert shown == {t.plural_name: _yes_no(_defaults()[t.code]) for t in types}
    documents_own = {
        "Invoices": ("Yes", "Yes", "No"),
        "Credit notes": ("Yes", "Yes", "No"),
        "Statements": ("Yes", "No", "No"),
        "Letters": ("Yes", "No", "No"),
        "Notices": ("Yes", "No", "No"),
    }
    assert {name: shown[name] for name in documents_own} == documents_own


def test_your_details_shows_the_login_and_its_accounts_and_leads_to_delivery_settings(jo, household):
    client = _signed_in(jo.email)
    dashboard = client.get("/")
    assert 'href="/your-details/">Your Details</a>' in dashboard.content.decode()
    page = client.get("/your-details/")
    assert page.status_code == 200
    words = _text(page)
    assert "jo.bloggs@example.com" in words
    assert household.electricity.number in words
    assert household.gas.number in words
    assert 'href="/your-details/delivery-settings/"' in page.content.decode()


def test_apply_saves_the_ticked_boxes_and_returns_to_delivery_settings_with_a_confirmation(jo, household):
    client = _signed_in(jo.email)
    chosen = _ticks(INVOICE=(True, False, True), LETTER=(False, False, False), NOTICE=(False, False, True))
    response = client.post(RULES, _form(household.electricity, chosen))
    assert response.status_code == 302
    assert response["Location"] == f"{SETTINGS}?account={household.electricity.pk}"

    assert _as_stored(jo, household.electricity) == chosen
    page = client.get(response["Location"])
    assert f"Your delivery rules for account {household.electricity.number} are saved." in _text(page)
    assert _settings_rows(page)["Invoices"] == ("Yes", "No", "Yes")
    assert _settings_rows(page)["Letters"] == ("No", "No", "No")
    assert _settings_rows(page)["Notices"] == ("No", "No", "Yes")
    # Only the types that changed are stored; the others keep following the defaults.
    assert set(DeliveryRule.objects.filter(user=jo).values_list("document_type__code", flat=True)) == {
        "INVOICE",
        "LETTER",
        "NOTICE",
    }


def test_the_rules_page_without_javascript_shows_the_boxes_ticked_as_the_rules_are_and_cancel_changes_nothing(
    jo, household
):
    client = _signed_in(jo.email)
    page = client.get(RULES, {"account": household.electricity.pk})
    html = page.content.decode()
    assert page.status_code == 200
    for code, boxes in _defaults().items():
        for channel, ticked in zip(CHANNELS, boxes, strict=True):
            box = re.search(rf'<input[^>]*name="{code}__{channel}"[^>]*>', html)
            assert box is not None, (code, channel)
            assert ("checked" in box.group(0)) == ticked, (code, channel)
    cancel = re.search(r'<a[^>]*href="([^"]+)"[^>]*>Cancel</a>', html)
    assert cancel is not None
    assert cancel.group(1).replace("&amp;", "&") == f"{SETTINGS}?account={household.electricity.pk}"
    assert _as_stored(jo, household.electricity) == _defaults()


def test_a_notice_cannot_be_switched_off_on_every_channel_and_the_page_says_why(jo, household):
    client = _signed_in(jo.email)
    events = AuditEvent.objects.count()
    response = client.post(
        RULES, _form(household.electricity, _ticks(INVOICE=(False, False, True), NOTICE=(False, False, False)))
    )
    assert response.status_code == 400
    html = response.content.decode()
    notices = html.split("<legend>Notices</legend>", 1)[1].split("</fieldset>", 1)[0]
    error = re.search(r'<p class="field-error"[^>]*>(.*?)</p>', notices, re.S)
    assert error is not None, notices
    message = _text_of(error.group(1))
    assert "Notices must reach you by e-mail or by post" in message
    assert "price-change notices, Statements of Renewal and disconnection warnings" in message
    invoices = html.split("<legend>Invoices</legend>", 1)[1].split("</fieldset>", 1)[0]
    assert "field-error" not in invoices
    assert "There is a problem" in html
    # Nothing is stored, not even the allowed invoice change, and nothing is audited.
    assert _as_stored(jo, household.electricity) == _defaults()
    assert AuditEvent.objects.count() == events

    # Post alone, or e-mail alone, is enough.
    assert client.post(RULES, _form(household.electricity, _ticks(NOTICE=(False, False, True)))).status_code == 302
    assert _as_stored(jo, household.electricity)["NOTICE"] == (False, False, True)


def test_a_type_that_need_not_be_delivered_may_have_every_channel_off(jo, household):
    off = rules.Channels(email_notification=False, email_attachment=False, post=False)
    rules.apply_rules(user=jo, account=household.electricity, chosen={"STATEMENT": off}, actor=jo, now=timezone.now())
    assert _as_stored(jo, household.electricity)["STATEMENT"] == (False, False, False)
    with pytest.raises(rules.RulesRefused) as refused:
        rules.apply_rules(user=jo, account=household.electricity, chosen={"NOTICE": off}, actor=jo, now=timezone.now())
    assert set(refused.value.problems) == {"NOTICE"}


def test_every_type_the_supplier_must_deliver_refuses_every_channel_off_and_every_other_type_allows_it(jo, household):
    types = list(DocumentType.objects.all())
    assert DocumentType.objects.get(code=DocumentType.NOTICE).must_be_delivered
    off = rules.Channels(email_notification=False, email_attachment=False, post=False)
    for document_type in types:
        if document_type.must_be_delivered:
            with pytest.raises(rules.RulesRefused) as refused:
                rules.apply_rules(
                    user=jo,
                    account=household.electricity,
                    chosen={document_type.code: off},
                    actor=jo,
                    now=timezone.now(),
                )
            assert set(refused.value.problems) == {document_type.code}
            assert (
                f"{document_type.plural_name} must reach you by e-mail or by post"
                in (refused.value.problems[document_type.code])
            )
        else:
            rules.apply_rules(
                user=jo, account=household.electricity, chosen={document_type.code: off}, actor=jo, now=timezone.now()
            )
    may_be_off = {t.code for t in types if not t.must_be_delivered}
    assert _as_stored(jo, household.electricity) == _ticks(**dict.fromkeys(may_be_off, (False, False, False)))

    # The page says so under each type that must be delivered, and under no other.
    response = _signed_in(jo.email).post(
        RULES, _form(household.electricity, dict.fromkeys(_defaults(), (False, False, False)))
    )
    assert response.status_code == 400
    html = response.content.decode()
    for document_type in types:
        fieldset = html.split(f"<legend>{document_type.plural_name}</legend>", 1)[1].split("</fieldset>", 1)[0]
        assert ("field-error" in fieldset) == document_type.must_be_delivered, document_type.code


def test_a_pdf_cannot_be_attached_to_an_email_that_is_not_sent(jo, household):
    client = _signed_in(jo.email)
    response = client.post(RULES, _form(household.electricity, _ticks(INVOICE=(False, True, False))))
    assert response.status_code == 400
    invoices = response.content.decode().split("<legend>Invoices</legend>", 1)[1].split("</fieldset>", 1)[0]
    assert "a PDF can only be attached to an e-mail" in _text_of(invoices)
    assert _as_stored(jo, household.electricity) == _defaults()

    with pytest.raises(rules.RulesRefused) as refused:
        rules.apply_rules(
            user=jo,
            account=household.electricity,
            chosen={"LETTER": rules.Channels(email_notification=False, email_attachment=True, post=True)},
            actor=jo,
            now=timezone.now(),
        )
    assert set(refused.value.problems) == {"LETTER"}
    # The database refuses it as well, whoever writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        DeliveryRule.objects.create(
            user=jo,
            account=household.electricity,
            document_type=DocumentType.objects.get(code="LETTER"),
            email_notification=False,
            email_attachment=True,
            post=False,
            updated_at=timezone.now(),
        )


def _text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_each_of_three_logins_of_an_organisation_sees_and_saves_only_its_own_rules(build, business):
    emails = ["finance@brightwell.example", "owner@brightwell.example", "office@brightwell.example"]
    logins = [build.activated_login(email, business.electricity) for email in emails]
    chosen = {
        emails[0]: _ticks(INVOICE=(True, True, True)),
        emails[1]: _ticks(INVOICE=(False, False, False), STATEMENT=(False, False, True)),
        emails[2]: _defaults(),  # leaves everything as it is
    }
    for email in emails:
        client = _signed_in(email)
        assert client.post(RULES, _form(business.electricity, chosen[email])).status_code == 302

    for login in logins:
        assert _as_stored(login, business.electricity) == chosen[login.email], login.email
        page = _signed_in(login.email).get(SETTINGS)
        expected = {
            "Invoices": _yes_no(chosen[login.email]["INVOICE"]),
            "Statements": _yes_no(chosen[login.email]["STATEMENT"]),
        }
        shown = _settings_rows(page)
        assert {name: shown[name] for name in expected} == expected, login.email
        # A colleague's address never appears on another login's Delivery Settings.
        for other in emails:
            if other != login.email:
                assert other not in page.content.decode()
    assert DeliveryRule.objects.filter(user=logins[2]).count() == 0


def test_a_login_with_two_accounts_chooses_rules_per_account(jo, household):
    client = _signed_in(jo.email)
    page = client.get(SETTINGS).content.decode()
    # The page has no account box of its own: the portal's one switcher (at the top of every page) chooses.
    assert 'id="rules-account"' not in page
    selector = re.search(r'<select id="switch-account" name="account">(.*?)</select>', page, re.S)
    assert selector is not None
    assert household.electricity.number in selector.group(1)
    assert household.gas.number in selector.group(1)

    gas_rules = _ticks(INVOICE=(True, False, True))
    assert client.post(RULES, _form(household.gas, gas_rules)).status_code == 302
    assert _as_stored(jo, household.gas) == gas_rules
    assert _as_stored(jo, household.electricity) == _defaults()
    assert _settings_rows(client.get(SETTINGS, {"account": household.gas.pk}))["Invoices"] == ("Yes", "No", "Yes")
    assert _settings_rows(client.get(SETTINGS, {"account": household.electricity.pk}))["Invoices"] == (
        "Yes",
        "Yes",
        "No",
    )
    form = client.get(RULES, {"account": household.gas.pk}).content.decode()
    assert f'name="account" value="{household.gas.pk}"' in form

    # Switching on Delivery Settings stays on Delivery Settings, now showing the other account's rules.
    switched = client.post("/accounts/select/", {"account": household.gas.pk, "next": SETTINGS})
    assert switched["Location"] == SETTINGS
    assert _settings_rows(client.get(SETTINGS))["Invoices"] == ("Yes", "No", "Yes")
    # A link with ?account= (Your Details) selects that account, so the switcher and the rules agree.
    page = client.get(SETTINGS, {"account": household.electricity.pk}).content.decode()
    assert f"Account <strong>{household.electricity.number}</strong>" in page


def test_every_change_is_audited_before_and_after_and_shown_in_the_care_console(jo, household):
    client = _signed_in(jo.email)
    client.post(RULES, _form(household.electricity, _ticks(INVOICE=(True, True, True), NOTICE=(False, False, True))))
    event = AuditEvent.objects.get(action="delivery_rules.changed")
    assert event.actor == jo
    assert event.customer == household.customer
    assert household.electricity.number in event.subject
    assert jo.email in event.subject
    assert event.before == {"Invoices": "e-mail with PDF attached", "Notices": "e-mail"}
    assert event.after == {"Invoices": "e-mail with PDF attached and post", "Notices": "post"}
    assert abs((timezone.now() - event.at).total_seconds()) < 60

    # Applying the same rules again changes nothing and records nothing.
    client.post(RULES, _form(household.electricity, _ticks(INVOICE=(True, True, True), NOTICE=(False, False, True))))
    assert AuditEvent.objects.filter(action="delivery_rules.changed").count() == 1

    device = identity_ops.create_staff_login(
        email="agent.smith@hearth.example", full_name="Agent Smith", password="Console4Agent9", now=timezone.now()
    )
    care = Client()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    response = care.post(
        "/care/login/", {"username": device.user.email, "password": "Console4Agent9", "otp_token": code}
    )
    assert response.status_code == 302
    trail = _text(care.get(f"/care/customers/{household.customer.pk}/")).split("Audit trail", 1)[1]
    assert "delivery_rules.changed" in trail
    assert "Invoices: e-mail with PDF attached → e-mail with PDF attached and post" in trail
    assert "Notices: e-mail → post" in trail


def test_another_logins_rules_are_never_reachable_by_address(build, jo, household, business):
    oscar = build.activated_login("oscar@brightwell.example", business.electricity)
    client = _signed_in(oscar.email)
    for account in (household.electricity, household.gas):
        assert client.get(SETTINGS, {"account": account.pk}).status_code == 404
        assert client.get(RULES, {"account": account.pk}).status_code == 404
        response = client.post(RULES, _form(account, _ticks(INVOICE=(False, False, True))))
        assert response.status_code == 404
        assert account.number.encode() not in response.content
    for nonsense in ("abc", "999999", "-1"):
        assert client.get(SETTINGS, {"account": nonsense}).status_code == 404
    assert DeliveryRule.objects.count() == 0
    assert _as_stored(jo, household.electricity) == _defaults()
    with pytest.raises(rules.RulesRefused):
        rules.apply_rules(
            user=oscar,
            account=household.electricity,
            chosen={"INVOICE": rules.Channels(email_notification=True, email_attachment=False, post=True)},
            actor=oscar,
            now=timezone.now(),
        )
    assert DeliveryRule.objects.count() == 0


def test_a_viewer_sets_their_own_rules(build, business):
    viewer = build.activated_login("viewer@brightwell.example", business.electricity, role=AccountLink.Role.VIEWER)
    client = _signed_in(viewer.email)
    assert client.get(SETTINGS).status_code == 200
    chosen = _ticks(INVOICE=(True, False, False))
    assert client.post(RULES, _form(business.electricity, chosen)).status_code == 302
    assert _as_stored(viewer, business.electricity) == chosen


def _document(account: Account, reference: str) -> Document:
    return Document.objects.create(
        account=account,
        document_type=DocumentType.objects.get(code=DocumentType.INVOICE),
        reference=reference,
        issued_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        issue_date=date(2026, 11, 2),
        file=f"{account.pk}/2026/{reference}.pdf",
        sha256="0" * 64,
        size_bytes=1,
        page_count=1,
    )


def _delivery(document: Document, user: User, status: str, error: str = "") -> Delivery:
    return Delivery.objects.create(
        document=document,
        user=user,
        channel=Delivery.Channel.EMAIL,
        address=user.email,
        status=status,
        attempts=1,
        last_error=error,
        created_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
    )


def test_a_permanent_delivery_failure_of_the_login_is_shown_on_its_delivery_settings(build, jo, household):
    colleague = build.activated_login("partner@example.com", household.electricity)
    _delivery(
        _document(household.electricity, "INV-FAILED-1"), jo, Delivery.Status.FAILED, "550 5.1.1 mailbox unavailable"
    )
    _delivery(_document(household.electricity, "INV-SENT-1"), jo, Delivery.Status.SENT)
    _delivery(_document(household.electricity, "INV-COLLEAGUE-1"), colleague, Delivery.Status.FAILED, "550 no")
    _delivery(_document(household.gas, "INV-GAS-1"), jo, Delivery.Status.FAILED, "550 gas")

    words = _text(_signed_in(jo.email).get(SETTINGS, {"account": household.electricity.pk}))
    assert "Documents we could not deliver" in words
    assert "INV-FAILED-1" in words
    assert "550 5.1.1 mailbox unavailable" in words
    assert "2 Nov 2026, 09:00" in words  # 9:00 UTC is 9:00 in London in November (GMT)
    for elsewhere in ("INV-SENT-1", "INV-COLLEAGUE-1", "INV-GAS-1"):
        assert elsewhere not in words
    colleague_words = _text(_signed_in(colleague.email).get(SETTINGS))
    assert "INV-COLLEAGUE-1" in colleague_words
    assert "INV-FAILED-1" not in colleague_words


def test_the_dialog_script_is_a_static_file_under_the_content_security_policy(jo):
    response = _signed_in(jo.email).get(SETTINGS)
    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts, "the page loads its dialog script"
    for attributes, body in scripts:
        assert body.strip() == "", "no inline script"
        assert 'src="/static/portal/delivery-rules.js"' in attributes
    assert re.search(r'<dialog id="delivery-rules-dialog" aria-labelledby="delivery-rules-title">', html)
    assert Client().get("/static/portal/delivery-rules.js").status_code == 200


def test_apply_without_the_forms_csrf_token_is_refused(jo, household):
    client = Client(enforce_csrf_checks=True)
    client.force_login(jo)
    chosen = _ticks(INVOICE=(False, False, True))
    assert client.post(RULES, _form(household.electricity, chosen)).status_code == 403
    assert _as_stored(jo, household.electricity) == _defaults()

    page = client.get(RULES, {"account": household.electricity.pk}).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    data = {**_form(household.electricity, chosen), "csrfmiddlewaretoken": token.group(1)}
    assert client.post(RULES, data).status_code == 302
    assert _as_stored(jo, household.electricity) == chosen
