"""Portal pages benchmark (issue 13's budget, issue 14's "signed-in pages within 3x the cheapest").

Loads the demo supplier into a scratch database, signs the dual-fuel household (alex.morgan@example.com: two accounts,
bills and their PDFs) in through the sign-in form, then requests every signed-in portal page --requests times
(default 30) through Django's test client: the full request path in this process (middleware, session, access
checks, the view's queries, the template), without a socket or a WSGI server. Pages are requested round-robin so
every page sees the same state of the machine. For each page it prints the median server time, its ratio to the
cheapest signed-in page of the same run (limit 3x), its queries, and its HTML plus the CSS the page links
(limit 100 KB); then one JSON line with every figure.

    .venv/bin/python bench/portal_pages.py                     # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hearth_bench .venv/bin/python bench/portal_pages.py

The benchmark empties its database, so it refuses one whose name does not contain "bench". It exits 1 when a page
is over either limit.
"""

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import support

HOUSEHOLD = "alex.morgan@example.com"
PASSWORD = "HearthDemo2026"  # noqa: S105 - the demo's published password (README)
RATIO_LIMIT = 3.0
SIZE_LIMIT_BYTES = 100 * 1024
NOT_PAGES = {
    # Public pages (no sign-in), POST-only actions, downloads and one-off links: not signed-in HTML pages.
    "login",
    "logout",
    "login_details",
    "login_details_sent",
    "forgot_password",
    "forgot_password_sent",
    "reset_password",
    "reset_password_done",
    "conditions_of_use",
    "join",
    "join_details",
    "join_done",
    "select_account",
    "no_accounts",
    "revoke_api_key",
    "document_email",
    "document_pdf",
    "document_view",
    "consumption_daily_csv",
    "consumption_day_csv",
    "confirm_email",
    "subject_access_download",
    "activate_conditions",
    "activate_security_question",
    "activate_password",
    "pay_by_card_done",
    "payment_simulator",
    "prepayment_emergency",
}
STYLESHEET = re.compile(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"')


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="requests of each page (default 30)")
    return parser.parse_args()


def _pages() -> dict[str, str]:
    """Every signed-in portal page of the household's first account, by URL name, with its parameters filled."""
    from django.urls import get_resolver, reverse

    from hearth.data.billing.models import Bill
    from hearth.data.complaints.models import Complaint
    from hearth.data.identity.models import User
    from hearth.data.meter_services.models import Appointment
    from hearth.data.metering.models import Meter
    from hearth.domain.identity import queries as identity_queries

    user = User.objects.get(email=HOUSEHOLD)
    account = identity_queries.linked_accounts(user=user).first()
    assert account is not None
    meter = Meter.objects.filter(supply_point__supplies__account=account).order_by("id").first()
    bill = Bill.objects.filter(account=account).order_by("-id").first()
    complaint = Complaint.objects.filter(account=account).order_by("id").first()
    visit = Appointment.objects.filter(account=account).order_by("id").first()
    parameters: dict[str, dict[str, Any] | None] = {
        "bill": {"bill_id": bill.pk} if bill else None,
        "consumption_daily": {"meter_id": meter.pk} if meter else None,
        "consumption_day": {"meter_id": meter.pk} if meter else None,
        "complaint": {"complaint_id": complaint.pk} if complaint else None,
        "meter_help_visit": {"appointment_id": visit.pk} if visit else None,
        "pay_by_card": {"number": account.number},
    }
    pages = {}
    portal = get_resolver().namespace_dict["portal"][1]
    for name in sorted({key for key in portal.reverse_dict if isinstance(key, str)}):
        if name in NOT_PAGES:
            continue
        if name in parameters:
            kwargs = parameters[name]
            if kwargs is None:
                print(f"  (no {name} for the household: skipped)", file=sys.stderr)
                continue
            pages[name] = reverse(f"portal:{name}", kwargs=kwargs)
        else:
            pages[name] = reverse(f"portal:{name}")
    return pages


def _stylesheet_bytes(client: Any, html: str, cache: dict[str, int]) -> int:
    """The CSS a page links, in bytes (each stylesheet fetched once per run)."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    total = 0
    for href in STYLESHEET.findall(html):
        if href not in cache:
            if href.startswith(settings.STATIC_URL):
                found = finders.find(href.removeprefix(settings.STATIC_URL))
                cache[href] = Path(found).stat().st_size if found else 0
            else:
                response = client.get(href)
                cache[href] = len(response.content) if response.status_code == 200 else 0
        total += cache[href]
    return total


def main() -> None:
    arguments = _arguments()
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as scratch:
        support.fresh_database(Path(scratch), script="portal_pages.py")
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        began = time.perf_counter()
        call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
        load_seconds = time.perf_counter() - began
        client = Client()
        signed_in = client.post("/login/", {"username": HOUSEHOLD, "password": PASSWORD})
        if signed_in.status_code != 302 or signed_in["Location"].startswith("/login/"):
            sys.exit(f"signing {HOUSEHOLD} in answered {signed_in.status_code}")
        pages = _pages()
        counter = support.QueryCounter()
        queries: dict[str, int] = {}
        sizes: dict[str, dict[str, int]] = {}
        css_cache: dict[str, int] = {}
        for name, path in list(pages.items()):
            with connection.execute_wrapper(counter):
                counter.count = 0
                response = client.get(path)
            if response.status_code != 200:
                print(f"  {name} {path} answered {response.status_code}: left out", file=sys.stderr)
                del pages[name]
                continue
            queries[name] = counter.count
            html = response.content.decode()
            sizes[name] = {"html_bytes": len(response.content), "css_bytes": _stylesheet_bytes(client, html, css_cache)}
        seconds: dict[str, list[float]] = {name: [] for name in pages}
        for _ in range(arguments.requests):
            for name, path in pages.items():
                start = time.perf_counter()
                client.get(path)
                seconds[name].append(time.perf_counter() - start)
        medians = {name: statistics.median(times) * 1000 for name, times in seconds.items()}
        cheapest = min(medians, key=lambda name: medians[name])
        results: dict[str, Any] = {
            "benchmark": "portal_pages",
            "database": connection.vendor,
            "transport": "django.test.Client (in process)",
            "household": HOUSEHOLD,
            "requests": arguments.requests,
            "demo_load_s": round(load_seconds, 1),
            "cheapest": cheapest,
            "cheapest_median_ms": round(medians[cheapest], 2),
            "ratio_limit": RATIO_LIMIT,
            "size_limit_bytes": SIZE_LIMIT_BYTES,
            "pages": {},
        }
        over = []
        print(f"{'page':<26}{'median ms':>10}{'ratio':>7}{'queries':>8}{'HTML+CSS KB':>13}", file=sys.stderr)
        for name in sorted(pages, key=lambda name: medians[name]):
            ratio = medians[name] / medians[cheapest]
            size = sizes[name]["html_bytes"] + sizes[name]["css_bytes"]
            results["pages"][name] = {
                "path": pages[name],
                "median_ms": round(medians[name], 2),
                "ratio": round(ratio, 2),
                "queries": queries[name],
                **sizes[name],
            }
            flag = ""
            if ratio > RATIO_LIMIT or size > SIZE_LIMIT_BYTES:
                flag = " OVER"
                over.append(name)
            print(
                f"{name:<26}{medians[name]:>10.2f}{ratio:>7.2f}{queries[name]:>8}{size / 1024:>13.1f}{flag}",
                file=sys.stderr,
            )
        results["over_limits"] = over
        print(json.dumps(results))
        sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()
