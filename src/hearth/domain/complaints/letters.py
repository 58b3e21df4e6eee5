"""What the complaint letters say (T&C 20, 21.1). Each is a ``documents.letters.Letter`` delivered by the customer's
delivery rules; the Energy Ombudsman and Citizens Advice come from ``hearth.common.consumer_help``."""

from datetime import date
from typing import Final

from django.conf import settings

from hearth.common import calendar, consumer_help
from hearth.data.complaints.models import Complaint
from hearth.domain.complaints import clocks
from hearth.domain.documents import letters

ACKNOWLEDGEMENT: Final = "COMPLAINT_ACKNOWLEDGEMENT"
RESPONSE: Final = "COMPLAINT_RESPONSE"
FINAL_RESPONSE: Final = "COMPLAINT_FINAL_RESPONSE"
EIGHT_WEEKS: Final = "COMPLAINT_EIGHT_WEEKS"


def _day(day: date) -> str:
    return f"{day:%A %-d %B %Y}"


def ombudsman_paragraph(*, can_go_from: date, last_day: date | None) -> str:
    """The Energy Ombudsman, as every letter that names it says it: free, independent, contact details, the window."""
    ombudsman = consumer_help.ENERGY_OMBUDSMAN
    window = (
        f" You have until {_day(last_day)} to go to them (12 months from our final response)."
        if last_day is not None
        else " You have 12 months from our final response to go to them."
    )
    return (
        f"From {_day(can_go_from)}, if you are not happy with how we have dealt with your complaint, you can ask the "
        f"{ombudsman['name']} to look at it. It is free and independent of us: {ombudsman['website']}, telephone "
        f"{ombudsman['phone']}.{window}"
    )


def advice_paragraph() -> str:
    advice = consumer_help.CITIZENS_ADVICE
    return (
        f"For free, independent advice on your rights you can contact the {advice['name']} on {advice['phone']} or "
        f"visit {advice['website']} (T&C 21.1)."
    )


def _facts(complaint: Complaint) -> tuple[tuple[str, str], ...]:
    return (
        ("Complaint", complaint.reference),
        ("Received", f"{calendar.local_date(complaint.received_at):%-d %B %Y}"),
    )


def acknowledgement(complaint: Complaint) -> letters.Letter:
    brand = settings.HEARTH_BRAND
    return letters.Letter(
        account=complaint.account,
        type_code=ACKNOWLEDGEMENT,
        reference=f"{complaint.reference}-ACK",
        title=f"We have received your complaint: {complaint.summary}",
        paragraphs=(
            f"Thank you for telling us. We have recorded your complaint ({complaint.get_channel_display().lower()}) "
            f"under reference {complaint.reference}, and our complaints team is looking into it.",
            f"We will respond by {_day(complaint.response_due_date)}, 5 working days from the day we received it "
            "(T&C 20.2). If we need longer, we will tell you why.",
            f"If we have not resolved your complaint by {_day(complaint.ombudsman_date)} (8 weeks after we received "
            f"it), we will write to you about the {consumer_help.ENERGY_OMBUDSMAN['name']}.",
            f"You can follow your complaint in your online account, or call us on {brand['care_phone']}.",
            advice_paragraph(),
        ),
        facts=(*_facts(complaint), ("We respond by", f"{complaint.response_due_date:%-d %B %Y}")),
        clause="20",
    )


def response(complaint: Complaint, *, text: str, number: int) -> letters.Letter:
    return letters.Letter(
        account=complaint.account,
        type_code=RESPONSE,
        reference=f"{complaint.reference}-R{number}",
        title=f"Our response to your complaint: {complaint.summary}",
        paragraphs=(
            *text.split("\n\n"),
            "Your complaint stays open until we send you our final response. If you are not happy with this response, "
            "reply to us or call us and we will keep working on it.",
            f"If we have not resolved it by {_day(complaint.ombudsman_date)}, you can ask the "
            f"{consumer_help.ENERGY_OMBUDSMAN['name']} to look at it.",
        ),
        facts=_facts(complaint),
        clause="20.2",
    )


def final_response(complaint: Complaint, *, text: str, resolved: bool, issue_date: date) -> letters.Letter:
    """A resolution or a deadlock letter (20.3): both are final responses, so both name the Ombudsman and its
    12-month window, which starts on the day of the letter."""
    opening = (
        "We believe we have now resolved your complaint. This is our final response."
        if resolved
        else "We have not been able to resolve your complaint to your satisfaction. This is our final response "
        '(sometimes called a "deadlock letter").'
    )
    last_day = clocks.ombudsman_deadline(final_response_date=issue_date, ombudsman_from=complaint.ombudsman_date)
    return letters.Letter(
        account=complaint.account,
        type_code=FINAL_RESPONSE,
        reference=f"{complaint.reference}-FINAL",
        title=f"Our final response to your complaint: {complaint.summary}",
        paragraphs=(opening, *text.split("\n\n"), ombudsman_paragraph(can_go_from=issue_date, last_day=last_day)),
        after_table=(advice_paragraph(),),
        facts=(*_facts(complaint), ("Ombudsman until", f"{last_day:%-d %B %Y}")),
        clause="20.3",
    )


def eight_weeks(complaint: Complaint) -> letters.Letter:
    """8 weeks without a final response: the customer may go to the Ombudsman now."""
    return letters.Letter(
        account=complaint.account,
        type_code=EIGHT_WEEKS,
        reference=f"{complaint.reference}-8WK",
        title=f"Your complaint, 8 weeks on: {complaint.summary}",
        paragraphs=(
            f"It is 8 weeks since we received your complaint {complaint.reference}, and we have not yet sent you our "
            "final response. We are sorry it is taking this long; we are still working on it.",
            ombudsman_paragraph(can_go_from=complaint.ombudsman_date, last_day=None),
            "You do not have to wait for our final response to go to them.",
        ),
        after_table=(advice_paragraph(),),
        facts=(*_facts(complaint), ("Ombudsman from", f"{complaint.ombudsman_date:%-d %B %Y}")),
        clause="20.3",
    )
