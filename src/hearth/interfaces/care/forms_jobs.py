"""The care console's form to run a daily job now: the day to run it for (whether it may run is the scheduler's
decision, shown beside the day)."""

from datetime import date
from typing import Any

from django import forms

from hearth.interfaces.web import plain_forms


class RunJobForm(plain_forms.PlainForm):
    """The (UK) day a job is run for; its field ids start with the job's name, so a page can show one per job."""

    day = forms.DateField(
        label="Run it for the day",
        help_text="Today, or a day gone by to run again: what was already done is not done twice.",
        error_messages={
            "required": "Enter the day to run the job for.",
            "invalid": "Enter a real date, like 2026-11-30.",
        },
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, job_name: str, today: date, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{job_name.replace('.', '-')}-%s")
        kwargs.setdefault("initial", {"day": today})
        super().__init__(*args, **kwargs)
