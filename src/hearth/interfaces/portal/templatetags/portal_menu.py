"""The portal's menu: links grouped under plain headings, the page the customer is on marked."""

from dataclasses import dataclass

from django import template
from django.http import HttpRequest
from django.urls import reverse

from hearth.data.identity.models import AccountLink

register = template.Library()

CHANGES = True
"""Marks a page that changes the account, which a viewer (who may only look) is not offered."""

MENU: tuple[tuple[str, tuple[tuple[str, str, bool], ...]], ...] = (
    (
        "Money",
        (
            ("Bills", "portal:bills", False),
            ("Payments", "portal:payments", False),
            ("Prepayment", "portal:prepayment", False),
            ("Documents", "portal:documents", False),
            ("Search", "portal:document_search", False),
        ),
    ),
    (
        "Energy",
        (
            ("Your energy use", "portal:consumption", False),
            ("Give a meter reading", "portal:meter_reading", CHANGES),
            ("Your contract and tariff", "portal:contract", False),
        ),
    ),
    (
        "Your home",
        (
            ("Moving home", "portal:moving_home", CHANGES),
            ("Priority Services Register", "portal:priority_services", CHANGES),
            ("Meter help", "portal:meter_help", False),
        ),
    ),
    (
        "Help",
        (
            ("Contact customer care", "portal:contact_care", False),
            ("Complaints", "portal:complaints", False),
        ),
    ),
    (
        "Your login",
        (
            ("Your Details", "portal:your_details", False),
            ("Who can use this account", "portal:account_logins", CHANGES),
            ("Change password", "portal:change_password", False),
            ("API keys", "portal:api_keys", False),
        ),
    ),
)
"""Headings a customer scans for, in the order they look: money first (issue 13)."""


@dataclass(frozen=True)
class MenuLink:
    label: str
    url: str
    current: str
    """aria-current: 'page' on the page itself; 'true' on the nearest link above a page not in the menu (a bill
    marks Bills); '' elsewhere."""


@register.simple_tag(takes_context=True)
def portal_menu(context: template.Context) -> list[tuple[str, list[MenuLink]]]:
    """The groups of links this login may use, each link knowing whether it is the page being shown."""
    request: HttpRequest = context["request"]
    link: AccountLink | None = context.get("link")
    viewer = link is None or link.role == AccountLink.Role.VIEWER
    offered = [
        (heading, [(label, reverse(url_name)) for label, url_name, changes in entries if not (changes and viewer)])
        for heading, entries in MENU
    ]
    urls = [url for _, links in offered for _, url in links]
    beneath = max((url for url in urls if request.path.startswith(url)), key=len, default=None)
    return [
        (
            heading,
            [
                MenuLink(label, url, "page" if url == request.path else "true" if url == beneath else "")
                for label, url in links
            ],
        )
        for heading, links in offered
    ]
