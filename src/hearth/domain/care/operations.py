"""Raise and close cases; onboard customers and add their supply points (care staff)."""

from collections.abc import Sequence
from datetime import date, datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from hearth.data.accounts.models import Account, Customer, Fuel, Nation, SupplyPoint
from hearth.data.care.models import Case
from hearth.data.identity.models import AccountLink, User
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.audit import operations as audit
from hearth.domain.identity import operations as identity_ops


def raise_case(
    *,
    raised_by: User,
    account: Account | None,
    description: str,
    screenshot: UploadedFile | None,
    screenshot_content_type: str,
    now: datetime,
) -> Case:
    """Create a case from the portal's 'Contact customer care'; the screenshot is already validated."""
    case = Case(
        raised_by=raised_by,
        account=account,
        description=description.strip(),
        screenshot_content_type=screenshot_content_type if screenshot else "",
        raised_at=now,
    )
    if screenshot is not None:
        extension = "png" if screenshot_content_type == "image/png" else "jpg"
        case.screenshot.save(f"screenshot.{extension}", screenshot, save=False)
    case.save()
    audit.record(
        actor=raised_by,
        action="case.raised",
        subject=f"case {case.pk}",
        customer=account.customer if account else None,
        at=now,
    )
    return case


def close_case(*, case: Case, actor: User, now: datetime) -> None:
    before = case.status
    case.status = Case.Status.CLOSED
    case.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="case.closed",
        subject=f"case {case.pk}",
        customer=case.account.customer if case.account else None,
        before={"status": before},
        after={"status": case.status},
        at=now,
    )


@transaction.atomic
def onboard_customer(
    *,
    kind: Customer.Kind,
    name: str,
    contact_email: str,
    contact_phone: str,
    address_line_1: str,
    address_line_2: str = "",
    town: str,
    postcode: str,
    nation: Nation,
    fuels: Sequence[Fuel],
    actor: User,
    now: datetime,
) -> Customer:
    """Care staff create a customer at a property with one account per fuel.

    With a contact e-mail address, a portal login for it is linked to every new account as the
    account holder and its login details are e-mailed once (FAQ 2: "log in details are automatically
    sent to the e-mail address provided when you joined").

    :raises hearth.common.identifiers.InvalidIdentifier: the postcode is not a UK postcode.
    :raises hearth.domain.identity.operations.LoginRefused: the address belongs to a staff login.
    """
    if not fuels:
        raise ValueError("A customer needs at least one fuel.")
    billing_property = accounts_ops.create_property(
        address_line_1=address_line_1.strip(),
        address_line_2=address_line_2.strip(),
        town=town.strip(),
        postcode=postcode,
        nation=nation,
    )
    customer = accounts_ops.create_customer(
        kind=kind, name=name, contact_email=contact_email, contact_phone=contact_phone.strip(), now=now
    )
    accounts = [
        accounts_ops.open_account(customer=customer, fuel=fuel, billing_property=billing_property, now=now)
        for fuel in dict.fromkeys(fuels)
    ]
    audit.record(
        actor=actor,
        action="customer.created",
        subject=customer.name,
        customer=customer,
        after={
            "kind": customer.kind,
            "contact_email": customer.contact_email,
            "property": str(billing_property),
            "accounts": [f"{account.number} {account.fuel}" for account in accounts],
        },
        at=now,
    )
    if customer.contact_email:
        first, *others = accounts
        # Link the other accounts to the new login directly: one e-mail, one temporary password.
        login = identity_ops.create_portal_login(
            account=first, email=customer.contact_email, role=AccountLink.Role.HOLDER, actor=actor, now=now
        )
        for account in others:
            identity_ops.link_account(user=login, account=account, role=AccountLink.Role.HOLDER, actor=actor, now=now)
    return customer


def register_supply_point(
    *, account: Account, identifier: str, supply_start_date: date, actor: User, now: datetime
) -> SupplyPoint:
    """Care staff add a supply point (MPAN core or MPRN) at the account's property, audited.

    :raises hearth.domain.accounts.operations.InvalidSupplyPoint: names the failed check (e.g. the check digit).
    """
    supply_point = accounts_ops.add_supply_point(
        account=account,
        identifier=identifier,
        supply_property=account.billing_property,
        supply_start_date=supply_start_date,
    )
    audit.record(
        actor=actor,
        action="supply_point.added",
        subject=f"{supply_point} → {account.number}",
        customer=account.customer,
        after={"identifier": supply_point.identifier, "supply_start_date": supply_start_date.isoformat()},
        at=now,
    )
    return supply_point
