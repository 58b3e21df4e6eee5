"""What browser tests share: the accessibility check, the e-mail inbox, data builders, signing in.

The fixtures that hand these out live in conftest.py; tests import the types and helpers from here.
"""

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from hearth.data.accounts.models import Account, Customer, Fuel, Nation
from hearth.data.identity.models import AccountLink, User
from hearth.data.metering.models import AmrDevice, Meter, Register
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.identity import operations as identity_ops
from hearth.domain.identity import queries as identity_queries
from tests.support import Inbox as Inbox  # re-exported: browser tests take the inbox type from here

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 390, "height": 844}


# --- Accessibility --------------------------------------------------------------------------------


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now."""
    if not AXE_JS.is_file():
        pytest.fail(f"axe-core is not installed ({AXE_JS} is missing): run `npm ci` in {ROOT} (`make test` does it).")
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # The context bypasses the CSP (script-src 'self'), or this injected script would be refused.
        page.add_script_tag(path=str(AXE_JS))
    violations: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return results.violations.map(v => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                targets: v.nodes.map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').replace(/\\s+/g, ' ')),
            }));
        }""",
        WCAG_TAGS,
    )
    return violations


def check_accessibility(page: Page) -> None:
    """No serious or critical WCAG 2.2 AA violation on the page (QUALITY.md, "Pages people use")."""
    violations = [v for v in axe_violations(page) if v["impact"] in {"serious", "critical"}]
    if violations:
        lines = [f"{len(violations)} serious or critical accessibility violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.extend(f"    {target}" for target in violation["targets"])
        pytest.fail("\n".join(lines), pytrace=False)


def focused(page: Page) -> dict[str, str]:
    """What has the keyboard focus: its accessible-ish name, and whether a focus ring is drawn."""
    result: dict[str, str] = page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
            return {
                tag: el.tagName.toLowerCase(),
                id: el.id,
                text: (label || el.innerText || el.value || '').trim(),
                outline: style.outlineStyle === 'none' ? 'none' : style.outlineWidth + ' ' + style.outlineStyle,
            };
        }"""
    )
    return result


def fits_width(page: Page) -> bool:
    """Nothing on the page makes it scroll sideways."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


# --- Pages ----------------------------------------------------------------------------------------


def heading(page: Page, text: str) -> None:
    """Wait until the page's main heading says `text`."""
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def menu_link(page: Page, name: str) -> Locator:
    """The portal menu's link ``name``, with the menu opened first where it is closed (on a phone)."""
    menu = page.get_by_role("navigation", name="Portal menu")
    if menu.get_by_text("Menu", exact=True).is_visible():
        menu.get_by_text("Menu", exact=True).click()
    return menu.get_by_role("link", name=name, exact=True)


def sign_in(page: Page, email: str, password: str) -> None:
    """Open the sign-in page and sign in as a person does: type into the labelled fields, press the button."""
    page.goto("/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")


# --- Data, made through the domain operations as care staff and the demo make it ------------------

# Supply-point identifiers with valid check digits (the demo supplier's).
MPAN_CORES = ["1200023305967", "1030051828896", "1312345678907"]
MPRNS = ["3938424403", "7412345678"]
SECURITY_ANSWER = "Hillside Primary"


class Builder:
    """Customers, accounts, meters and logins for one test."""

    def __init__(self) -> None:
        self._mpans: Iterator[str] = iter(MPAN_CORES)
        self._mprns: Iterator[str] = iter(MPRNS)
        self._serials: Iterator[int] = iter(range(1, 10_000))

    @staticmethod
    def now() -> datetime:
        return timezone.now()

    def customer(self, name: str = "Jo Bloggs", email: str = "jo.bloggs@example.com") -> Customer:
        return accounts_ops.create_customer(kind=Customer.Kind.PERSON, name=name, contact_email=email, now=self.now())

    def account(
        self, customer: Customer | None = None, *, fuel: Fuel = Fuel.ELECTRICITY, meter: Meter.Kind | None = None
    ) -> Account:
        """An account at a new property; with `meter`, a supply point and a meter of that kind."""
        home = accounts_ops.create_property(
            address_line_1="7 Mill Street", town="Leeds", postcode="LS1 4AP", nation=Nation.ENGLAND
        )
        account = accounts_ops.open_account(
            customer=customer or self.customer(), fuel=fuel, billing_property=home, now=self.now()
        )
        if meter is not None:
            self.meter(account, kind=meter)
        return account

    def meter(self, account: Account, *, kind: Meter.Kind) -> Meter:
        gas = account.fuel == Fuel.GAS
        supply_point = accounts_ops.add_supply_point(
            account=account,
            identifier=next(self._mprns) if gas else next(self._mpans),
            supply_property=account.billing_property,
            supply_start_date=self.now().date(),
            profile_class="" if gas else "03",
        )
        return accounts_ops.install_meter(
            supply_point=supply_point,
            serial_number=f"M{next(self._serials):07d}",
            kind=kind,
            installed_at=self.now(),
            registers=[("G" if gas else "S", Register.Rate.STANDARD)],
            gas_units=Meter.GasUnits.METRIC if gas else None,
        )

    def amr_device(self, meter: Meter) -> AmrDevice:
        return accounts_ops.fit_amr_device(
            meter=meter,
            serial_number=f"AMR-{next(self._serials):05d}",
            sim_phone_number="+447700900123",
            pulse_weight=Decimal("0.01"),
            unit=AmrDevice.Unit.KWH,
            installed_at=self.now(),
        )

    def new_login(self, account: Account, email: str, role: AccountLink.Role = AccountLink.Role.HOLDER) -> User:
        """A login as care staff create it: not activated, its login details e-mailed."""
        return identity_ops.create_portal_login(account=account, email=email, role=role, actor=None, now=self.now())

    def activated_login(
        self, account: Account, email: str, password: str, role: AccountLink.Role = AccountLink.Role.HOLDER
    ) -> User:
        """A login that has walked activation and chosen `password`."""
        user = self.new_login(account, email, role)
        now = self.now()
        identity_ops.record_sign_in(user=user, now=now)
        identity_ops.accept_conditions(user=user, version=identity_queries.current_conditions().version, now=now)
        identity_ops.set_security_answer(
            user=user, question=User.SecurityQuestion.FIRST_SCHOOL, answer=SECURITY_ANSWER, now=now
        )
        identity_ops.choose_password(user=user, password=password, now=now)
        return user

    def link(self, user: User, account: Account, role: AccountLink.Role = AccountLink.Role.HOLDER) -> AccountLink:
        return identity_ops.link_account(user=user, account=account, role=role, actor=None, now=self.now())


def walk_activation(page: Page, *, new_password: str, answer: str = SECURITY_ANSWER) -> None:
    """From the first activation step to the dashboard: accept, security question, own password."""
    heading(page, "Conditions of Use")
    page.get_by_label("I have read and accept the Conditions of Use").check()
    page.get_by_role("button", name="Accept and continue").click()
    heading(page, "Set up your security question")
    page.get_by_label("Security question").select_option(label="What was the name of your first school?")
    page.get_by_label("Your answer").fill(answer)
    page.get_by_role("button", name="Save and continue").click()
    heading(page, "Choose your password")
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("New password confirmation").fill(new_password)
    page.get_by_role("button", name="Save and go to my account").click()
    heading(page, "Your services")
