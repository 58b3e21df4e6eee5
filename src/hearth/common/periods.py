"""Half-open date periods, ``[start, end)``, for agreements, tariffs, occupancies and billing periods.

Half-open periods tile without gaps or double counting: one agreement's end is the next one's start, and the number
of days charged is simply ``end - start``. ``end`` is ``None`` for an open-ended period (an agreement with no end yet).
"""

from dataclasses import dataclass
from datetime import date, datetime

__all__ = ["Period"]


@dataclass(frozen=True, slots=True)
class Period:
    """The dates from ``start`` (included) up to ``end`` (excluded); ``end`` is ``None`` when open-ended."""

    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        # A datetime is a date subclass, but comparing it with a date raises TypeError later, far from the mistake.
        if isinstance(self.start, datetime) or isinstance(self.end, datetime):
            raise TypeError("A Period holds dates, not datetimes.")
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"A period must end after it starts; {self.start} to {self.end} does not.")

    @property
    def is_open(self) -> bool:
        """Whether the period has no end yet."""
        return self.end is None

    def contains(self, day: date) -> bool:
        """Say whether ``day`` falls in the period (the start day is in it, the end day is not)."""
        return self.start <= day and (self.end is None or day < self.end)

    def overlaps(self, other: "Period") -> bool:
        """Say whether the two periods share at least one day; periods that only touch (end == start) do not."""
        starts_before_other_ends = other.end is None or self.start < other.end
        other_starts_before_self_ends = self.end is None or other.start < self.end
        return starts_before_other_ends and other_starts_before_self_ends

    def days(self) -> int:
        """Return the number of days in the period (``end - start``), e.g. for daily standing charges.

        :raises ValueError: if the period is open-ended, because it has no length.
        """
        if self.end is None:
            raise ValueError(f"The period starting {self.start} is open-ended, so it has no number of days.")
        return (self.end - self.start).days
