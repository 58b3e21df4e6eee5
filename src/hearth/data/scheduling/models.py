"""Runs of the daily jobs (renewals, collections, reminders...) and what each did, for care and operators to read.

A job is run for a day; running it again for the same day does only what is still to do, because every job's
writes are idempotent on their own. ``JobRun`` rows are the record of each attempt, not the guard against doubles;
they only keep two runs of one job for one day from running at the same time (one RUNNING row per job and day).
"""

from django.db import models


class JobRun(models.Model):
    """One run of one daily job for one day: when, how far it got, how many things it did and how many failed."""

    class Status(models.TextChoices):
        RUNNING = "RUNNING", "Running"
        FINISHED = "FINISHED", "Finished"
        FAILED = "FAILED", "Stopped by an error"

    job = models.CharField(max_length=64, help_text="The job's name, e.g. payments.collections")
    run_date = models.DateField(help_text="The (Europe/London) day the job ran for")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    done_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the run stopped, when it did")
    started_by = models.CharField(max_length=150, help_text="beat, a command, or a care user")

    class Meta:
        indexes = [models.Index(fields=["job", "run_date"], name="job_run_by_job_and_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "run_date"],
                condition=models.Q(status="RUNNING"),
                name="job_run_one_running_per_job_and_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.job} for {self.run_date} ({self.status})"


class JobRunItem(models.Model):
    """One thing a run did or failed to do, in words care staff read ("Collection of £52.00 submitted")."""

    class Outcome(models.TextChoices):
        DONE = "DONE", "Done"
        FAILED = "FAILED", "Failed"

    run = models.ForeignKey(JobRun, on_delete=models.CASCADE, related_name="items")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    subject = models.CharField(max_length=120, help_text="What it was done to, e.g. an account number")
    message = models.CharField(max_length=500)
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["run", "outcome"], name="job_run_item_by_outcome")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.outcome} {self.subject}"
