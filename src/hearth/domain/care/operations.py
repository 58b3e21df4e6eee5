"""Raise and close cases."""

from datetime import datetime

from django.core.files.uploadedfile import UploadedFile

from hearth.data.accounts.models import Account
from hearth.data.care.models import Case
from hearth.data.identity.models import User
from hearth.domain.audit import operations as audit


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
