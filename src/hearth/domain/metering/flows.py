"""Industry flows (D0010 meter readings) and smart-meter interval files: import them, keep what cannot be imported,
and let care staff replay it after a fix.

Both imports share these rules:

- **Once per file.** A file is recorded as a :class:`FlowFile` by the SHA-256 of its bytes. The same file again
  changes nothing and its summary says "already imported". An import is one transaction: a run killed half-way
  leaves nothing, and running it again does the whole file.
- **Readings already stored are duplicates**, counted and skipped (a re-sent reading, an overlapping file).
- **Nothing is lost.** A line that cannot be imported is kept as a :class:`RejectedFlowLine` with its line number,
  its text (with the group lines it belongs to) and the reason, for care staff to see, correct and replay with
  :func:`replay_rejected_line`. A file whose structure cannot be read is kept the same way, as one entry holding the
  whole file.

**D0010** (:func:`import_d0010`): each reading goes through :func:`readings.record_register_reading` with source
``INDUSTRY``, so the same rules apply as to a customer's reading. Checked on the way: the MPAN core's check digit,
that the MPAN is one of ours and the meter serial is on it, the register exists, the sender marks the reading valid
(flag T) and the MPAN group is not marked as failed validation (F). Industry flows never confirm a high reading: an
advance far above expected is kept as a rejected line ("advance far above expected ..."), which care staff can
replay with ``confirmed_high=True`` once they have checked it. Files marked as test data (TR01) are never imported.

**Intervals** (:func:`import_intervals`): CSV with the columns :data:`INTERVAL_COLUMNS` (a header row with these
names, in any order, is optional). Each row is checked (the MPAN or MPRN is ours, the meter is on it and was fitted
at that time, the unit is the fuel's: kWh for electricity, m3 for gas, the quantity is a number >= 0, the start has
a UTC offset, falls on a half-hour and the interval has ended by ``now``: one not yet complete is refused) and
stored as an :class:`IntervalConsumption` row with its kWh (gas through :mod:`conversion`, the default calorific
value). The fast path (ADR 0009, measured by bench/ingest.py): meters resolved together a read-ahead batch at a
time, starts and quantities parsed once per distinct text; on PostgreSQL rows that cannot be duplicates are streamed
into the table with ``COPY`` (the others go through a temporary table and ``INSERT ... ON CONFLICT DO NOTHING``, see
:class:`_PostgresWriter`); on SQLite ``executemany`` of ``INSERT ... ON CONFLICT DO NOTHING`` in batches of 5,000.

Half-hourly consent (T&C 7.7, :mod:`consent`): for a household without consent at that time only **daily totals**
are stored (a :class:`DailyConsumption` row per local day), and only for whole local days present in the file (46,
48 or 50 half-hours): a daily total cannot be topped up later without double counting, so a part day is kept as a
rejected entry instead. For meters kept within the day, each whole local day in the file also gets its daily total,
so daily figures exist for every meter.
"""

import contextlib
import csv
import gc
import hashlib
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import IO, Any, Final

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, QuerySet

from hearth.common import d0010, identifiers
from hearth.common import text as text_rules
from hearth.common.calendar import LONDON, day_starts_at
from hearth.data.accounts.models import Fuel, SupplyPoint
from hearth.data.identity.models import User
from hearth.data.metering.models import (
    AmrDevice,
    DailyConsumption,
    FlowFile,
    IntervalConsumption,
    Meter,
    ReadingSource,
    Register,
    RegisterReading,
    RejectedFlowLine,
)
from hearth.domain.audit import operations as audit
from hearth.domain.metering import consent, conversion
from hearth.domain.metering import readings as metering_readings

__all__ = [
    "INTERVAL_COLUMNS",
    "KIND_BY_READING_TYPE",
    "ImportSummary",
    "RejectedEntry",
    "ReplayOutcome",
    "ReplayRefused",
    "dismiss_rejected_line",
    "flow_file_by_id",
    "flow_files",
    "import_d0010",
    "import_intervals",
    "rejected_line_by_id",
    "rejected_lines",
    "replay_rejected_line",
]

Progress = Callable[[int], None]

BATCH_SIZE: Final = 5000
"""Rows written to the database at a time (executemany, bulk_create)."""

COPY_BATCH_SIZE: Final = 50_000
"""Rows written at a time with PostgreSQL's COPY: one round trip, one savepoint and one duplicate check each."""

READ_AHEAD: Final = 50_000
"""Rows read before their meters are resolved together (a handful of queries for all the meters they name)."""

REASON_LENGTH: Final = 300
"""RejectedFlowLine.reason's length."""

MAX_LINES_PER_ENTRY: Final = 5000
"""Consecutive rejected rows with the same reason for the same meter share one entry, up to this many."""

KIND_BY_READING_TYPE: Final = {
    "A": RegisterReading.Kind.OPENING,
    "C": RegisterReading.Kind.CUSTOMER,
    "D": RegisterReading.Kind.DEEMED,
    "F": RegisterReading.Kind.FINAL,
    "I": RegisterReading.Kind.OPENING,
    "M": RegisterReading.Kind.ACTUAL,
    "O": RegisterReading.Kind.DEEMED,
    "P": RegisterReading.Kind.ACTUAL,
    "Q": RegisterReading.Kind.ACTUAL,
    "R": RegisterReading.Kind.ACTUAL,
    "S": RegisterReading.Kind.ACTUAL,
    "T": RegisterReading.Kind.ACTUAL,
    "Z": RegisterReading.Kind.ACTUAL,
}
"""D0010 reading type (J0171) to the kind of reading stored. A change-of-supplier reading (A) for one of our MPANs
is our opening reading; an old supplier's estimate (O) is deemed. Withdrawn readings (W) are not imported."""

INTERVAL_COLUMNS: Final = ("mpan_or_mprn", "meter_serial", "interval_start", "quantity", "unit")
_COLUMN_LIST: Final = ", ".join(INTERVAL_COLUMNS)

INTERVAL_MINUTES: Final = 30
_HALF_HOUR: Final = timedelta(minutes=INTERVAL_MINUTES)
_UNITS: Final[dict[str, str]] = {
    "kwh": AmrDevice.Unit.KWH,
    "kWh": AmrDevice.Unit.KWH,
    "KWH": AmrDevice.Unit.KWH,
    "m3": AmrDevice.Unit.CUBIC_METRES,
    "M3": AmrDevice.Unit.CUBIC_METRES,
    "m³": AmrDevice.Unit.CUBIC_METRES,
}
"""Units as files write them; anything else is looked up trimmed and in lower case."""
_UNIT_WORDS: Final[dict[str, str]] = {AmrDevice.Unit.KWH: "kWh", AmrDevice.Unit.CUBIC_METRES: "m3"}
_QUANTITY: Final = re.compile(r"[0-9]{1,8}(?:\.[0-9]{1,4})?")
_STORED_LIMIT: Final = Decimal(10) ** 8
"""Quantities and kWh are stored as up to 8 digits and 4 decimal places."""

_START_CACHE_LIMIT: Final = 200_000
"""Distinct starts (and quantities) remembered per file; the memory is cleared when it fills."""


# --- What an import reports ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RejectedEntry:
    """A rejected line (or run of ``lines`` consecutive lines sharing a reason) of an imported file."""

    line_number: int
    reason: str
    lines: int = 1

    @property
    def where(self) -> str:
        if self.lines == 1:
            return f"line {self.line_number}"
        return f"lines {self.line_number}-{self.line_number + self.lines - 1}"


@dataclass(frozen=True)
class ImportSummary:
    """What an import did, for the command line and the care console."""

    name: str
    kind: str
    flow_file_id: int
    already_imported: bool = False
    accepted: int = 0
    duplicates: int = 0
    rejected: tuple[RejectedEntry, ...] = ()
    kept_daily: int = 0
    """Interval rows folded into daily totals (households without half-hourly consent)."""
    unreadable: str = ""
    """Why the file as a whole could not be read, if it could not."""

    @property
    def text(self) -> str:
        if self.already_imported:
            return f"{self.name}: already imported; nothing changed."
        if self.unreadable:
            return f"{self.name}: not imported: {self.unreadable}"
        what = "readings" if self.kind == FlowFile.Kind.D0010 else "interval rows"
        daily = f" ({self.kept_daily} kept as daily totals: no half-hourly consent)" if self.kept_daily else ""
        return (
            f"{self.name}: {self.accepted} {what} accepted{daily}, {len(self.rejected)} rejected, "
            f"{self.duplicates} duplicates skipped."
        )


class ReplayRefused(Exception):
    """The rejected line cannot be replayed (it was already replayed or dismissed); the message says why."""


@dataclass(frozen=True)
class ReplayOutcome:
    """What a replay did: ``replayed`` if everything in the line is now stored, else the reasons left."""

    replayed: bool
    accepted: int
    duplicates: int
    reason: str = ""


@dataclass
class _Rejection:
    line_number: int
    lines: list[str]
    reason: str
    key: object = None

    @property
    def last_line(self) -> int:
        return self.line_number + len(self.lines) - 1


class _Rejections:
    """Rejected lines in file order; consecutive rows with the same key and reason share one entry."""

    def __init__(self) -> None:
        self.entries: list[_Rejection] = []

    def add(self, line_number: int, text: str, reason: str, key: object = None) -> None:
        reason = _reason(reason)
        last = self.entries[-1] if self.entries else None
        if (
            last is not None
            and key is not None
            and last.key == key
            and last.reason == reason
            and last.last_line + 1 == line_number
            and len(last.lines) < MAX_LINES_PER_ENTRY
        ):
            last.lines.append(text)
            return
        self.entries.append(_Rejection(line_number, [text], reason, key))

    def summary(self) -> tuple[RejectedEntry, ...]:
        return tuple(RejectedEntry(entry.line_number, entry.reason, len(entry.lines)) for entry in self.entries)

    def save(self, flow: FlowFile) -> None:
        RejectedFlowLine.objects.bulk_create([_rejected_line(flow, entry) for entry in self.entries], batch_size=1000)


def _rejected_line(flow: FlowFile, entry: _Rejection) -> RejectedFlowLine:
    """The entry as a row; a line with a character no text column holds (NUL) is escaped, its bytes kept in ``raw``."""
    content = "\n".join(entry.lines)
    return RejectedFlowLine(
        flow_file=flow,
        line_number=entry.line_number,
        content=text_rules.storable(content),
        raw=text_rules.raw_bytes(content),
        reason=entry.reason,
    )


def _reason(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= REASON_LENGTH else text[: REASON_LENGTH - 1] + "…"


def _decode(content: bytes) -> str:
    """D0010 and CSV files are ASCII or UTF-8; a stray byte from another encoding is kept, not fatal."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def _already_imported(kind: FlowFile.Kind, name: str, digest: str) -> ImportSummary | None:
    existing = FlowFile.objects.filter(kind=kind, sha256=digest).first()
    if existing is None:
        return None
    return ImportSummary(name=name, kind=kind, flow_file_id=existing.pk, already_imported=True)


def _finish(
    flow: FlowFile, rejections: _Rejections, *, accepted: int, duplicates: int, actor: User | None, now: datetime
) -> None:
    rejections.save(flow)
    flow.accepted = accepted
    flow.duplicates = duplicates
    flow.rejected = len(rejections.entries)
    flow.save(update_fields=["accepted", "duplicates", "rejected"])
    audit.record(
        actor=actor,
        action=f"{flow.get_kind_display()} file imported",
        subject=f"{flow.name} (file {flow.pk})",
        at=now,
        after={"accepted": accepted, "rejected": flow.rejected, "duplicates": duplicates},
    )


# --- D0010 ---------------------------------------------------------------------------------------------------------


@dataclass
class _D0010Counts:
    accepted: int = 0
    duplicates: int = 0


def _match_meter(meters: Iterable[Meter], serial: str) -> Meter | None:
    """The meter with this serial: exactly, else ignoring spaces and case (flows pad and case serials freely)."""
    meters = list(meters)
    for meter in meters:
        if meter.serial_number == serial:
            return meter
    squashed = "".join(serial.split()).upper()
    for meter in meters:
        if "".join(meter.serial_number.split()).upper() == squashed:
            return meter
    return None


def _meter_on(supply_point: SupplyPoint, serial: str) -> Meter | None:
    """The meter with this serial on the supply point (see :func:`_match_meter`)."""
    return _match_meter(Meter.objects.filter(supply_point=supply_point).order_by("installed_at", "id"), serial)


def _register_on(meter: Meter, register_id: str) -> Register | None:
    registers = list(Register.objects.filter(meter=meter).order_by("id"))
    for register in registers:
        if register.identifier == register_id:
            return register
    for register in registers:
        if register.identifier.upper() == register_id.upper():
            return register
    return None


class _D0010Importer:
    """Imports the groups of one D0010 file (or of a replayed entry) into a flow file's record."""

    def __init__(
        self, *, flow: FlowFile, now: datetime, confirmed_high: bool = False, progress: Progress | None = None
    ) -> None:
        self.flow = flow
        self.now = now
        self.confirmed_high = confirmed_high
        self.progress = progress
        self.counts = _D0010Counts()
        self.rejections = _Rejections()

    def parser_rejected(self, entries: Iterable[d0010.Rejected]) -> None:
        for entry in entries:
            self.rejections.add(entry.line_number, entry.content, entry.reason)

    def group(self, group: d0010.MpanGroup) -> None:
        lines = 1 + sum(1 + len(meter.readings) for meter in group.meters)
        try:
            self._group(group)
        finally:
            if self.progress is not None:
                self.progress(lines)

    def _reject_group(self, group: d0010.MpanGroup, reason: str) -> None:
        content = [group.text]
        for meter in group.meters:
            content.append(meter.text)
            content.extend(reading.text for reading in meter.readings)
        self.rejections.add(group.line_number, "\n".join(content), reason)

    def _group(self, group: d0010.MpanGroup) -> None:
        if group.validation_status == "F":
            self._reject_group(group, "the sender marks this MPAN's readings as having failed validation (F)")
            return
        try:
            core = identifiers.normalise_mpan_core(group.mpan_core)
        except identifiers.InvalidIdentifier as exc:
            self._reject_group(group, str(exc))
            return
        supply_point = SupplyPoint.objects.filter(fuel=Fuel.ELECTRICITY, identifier=core).first()
        if supply_point is None:
            self._reject_group(group, f"MPAN {core} is not one of ours")
            return
        for meter_group in group.meters:
            self._meter_group(group, meter_group, supply_point)

    def _meter_group(self, group: d0010.MpanGroup, meter_group: d0010.MeterGroup, supply_point: SupplyPoint) -> None:
        def reject(reason: str) -> None:
            content = [group.text, meter_group.text, *(reading.text for reading in meter_group.readings)]
            self.rejections.add(meter_group.line_number, "\n".join(content), reason)

        meter = _meter_on(supply_point, meter_group.serial)
        if meter is None:
            reject(f"meter {meter_group.serial} is not on MPAN {supply_point.identifier}")
            return
        kind = KIND_BY_READING_TYPE.get(meter_group.reading_type)
        if kind is None:
            described = d0010.READING_TYPES.get(meter_group.reading_type, meter_group.reading_type)
            reject(f"reading type {meter_group.reading_type} ({described}) is not imported")
            return
        for reading in meter_group.readings:
            self._reading(group, meter_group, meter, kind, reading)

    def _reading(
        self,
        group: d0010.MpanGroup,
        meter_group: d0010.MeterGroup,
        meter: Meter,
        kind: RegisterReading.Kind,
        reading: d0010.Reading,
    ) -> None:
        def reject(reason: str) -> None:
            content = "\n".join([group.text, meter_group.text, reading.text])
            self.rejections.add(reading.line_number, content, reason)

        register = _register_on(meter, reading.register_id)
        if register is None:
            reject(f"register {reading.register_id} is not on meter {meter.serial_number}")
            return
        if not reading.is_valid_reading:
            reject("the sender marks this reading as not valid (reading flag F)")
            return
        existing = metering_readings.existing_reading(
            register=register, read_at=reading.read_at, source=ReadingSource.INDUSTRY
        )
        if existing is not None and existing.value == reading.value:
            self.counts.duplicates += 1
            return
        try:
            metering_readings.record_register_reading(
                register=register,
                read_at=reading.read_at,
                value=reading.value,
                source=ReadingSource.INDUSTRY,
                kind=kind,
                received_at=self.now,
                confirmed_high=self.confirmed_high,
                reference=f"{self.flow.name} line {reading.line_number}",
            )
        except metering_readings.ReadingNeedsConfirmation as exc:
            reject(f"advance far above expected: {exc}")
        except metering_readings.ReadingRejected as exc:
            reject(str(exc))
        else:
            self.counts.accepted += 1


def _d0010_refusal(text: str) -> tuple[int, str, d0010.D0010File | None]:
    """Parse a whole file; on a structural problem (or test data) the line and reason it is refused for."""
    try:
        parsed = d0010.parse(text)
    except d0010.D0010Error as exc:
        return exc.line_number, f"The file could not be read: line {exc.line_number}: {exc.reason}.", None
    if parsed.header.is_test_data:
        return 1, f"The file is marked as test data ({parsed.header.test_flag}): nothing in it was imported.", None
    return 0, "", parsed


def import_d0010(
    *, name: str, content: bytes, now: datetime, actor: User | None = None, progress: Progress | None = None
) -> ImportSummary:
    """Import a D0010 meter-readings file (rules in the module docstring).

    Never raises for bad content: a file whose structure cannot be read is kept whole as one rejected entry and the
    summary's ``unreadable`` says why.
    """
    digest = hashlib.sha256(content).hexdigest()
    seen = _already_imported(FlowFile.Kind.D0010, name, digest)
    if seen is not None:
        return seen
    text = _decode(content)
    line_number, refusal, parsed = _d0010_refusal(text)
    with transaction.atomic():
        flow = FlowFile.objects.create(
            kind=FlowFile.Kind.D0010,
            name=text_rules.storable(name)[:255],
            sha256=digest,
            flow_reference=text_rules.storable(parsed.header.file_id)[:64] if parsed is not None else "",
            imported_at=now,
        )
        importer = _D0010Importer(flow=flow, now=now, progress=progress)
        if parsed is None:
            importer.rejections.add(line_number, text, refusal)
        else:
            importer.parser_rejected(parsed.rejected)
            for group in parsed.groups:
                importer.group(group)
            importer.rejections.entries.sort(key=lambda entry: entry.line_number)
        _finish(
            flow,
            importer.rejections,
            accepted=importer.counts.accepted,
            duplicates=importer.counts.duplicates,
            actor=actor,
            now=now,
        )
    return ImportSummary(
        name=name,
        kind=FlowFile.Kind.D0010,
        flow_file_id=flow.pk,
        accepted=importer.counts.accepted,
        duplicates=importer.counts.duplicates,
        rejected=importer.rejections.summary(),
        unreadable=refusal,
    )


# --- Interval CSV --------------------------------------------------------------------------------------------------


@dataclass
class _Target:
    """A meter an interval file names, resolved once per file."""

    meter_id: int
    label: str
    unit: str
    installed_at: datetime
    removed_at: datetime | None
    policy: consent.WithinDayPolicy | None
    """None: always kept within the day (a business)."""


@dataclass(slots=True)
class _Day:
    """A local day's rows for one meter, gathered to store its daily total."""

    unit: str
    count: int = 0
    quantity: Decimal = Decimal(0)
    kwh: Decimal = Decimal(0)
    held: list[tuple[int, str]] = field(default_factory=list)
    """The rows of a day kept as a daily total only, to be rejected if the day is not whole."""


def _half_hours_in(day: date) -> int:
    """46, 48 or 50: the half-hours in a London day (the clock changes in March and October)."""
    # In UTC: subtracting two times of the same zone compares wall clocks and would always give 24 hours.
    return int((day_starts_at(day + timedelta(days=1)) - day_starts_at(day)) / _HALF_HOUR)


def _csv_text(row: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(row)
    return buffer.getvalue()


_INSERT_COLUMNS: Final = "meter_id, interval_start, interval_minutes, quantity, unit, kwh, quality, source, received_at"


_ACTUAL: Final = IntervalConsumption.Quality.ACTUAL.value
_SMART: Final = ReadingSource.SMART.value


class _IntervalWriter:
    """Writes interval rows and says how many were new (rows already stored are left as they are).

    The importer calls :meth:`prepare` with the meters it has just resolved, then processes rows a read-ahead
    batch at a time inside :meth:`chunk`, during which it makes no other database query.
    """

    def __init__(self, *, now: datetime) -> None:
        self.now = now
        self.inserted = 0

    def start_value(self, start: datetime) -> Any:
        """The interval start as this writer passes it to the database (worked out once per distinct start)."""
        return start

    def prepare(self, meter_ids: list[int]) -> None:
        """Learn what is needed about newly resolved meters (nothing, unless the writer says otherwise)."""

    @contextlib.contextmanager
    def chunk(self) -> Iterator[None]:
        yield

    def add(self, meter_id: int, start: Any, quantity: str, unit: str, kwh: str) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError


class _PostgresWriter(_IntervalWriter):
    """``COPY`` straight into the table, streamed while the rows are being read, for rows that cannot be there yet.

    For each meter the writer knows the span of starts already stored (first and last, two index look-ups). A row
    outside it cannot be a duplicate and is streamed into a ``COPY`` that stays open for the whole read-ahead batch,
    so PostgreSQL stores rows while Python reads the next ones. A row inside it might be: it waits, and after the
    ``COPY`` goes through a temporary table and ``INSERT ... ON CONFLICT DO NOTHING``, whose row count says how many
    were new. If the ``COPY`` meets a duplicate all the same (a row repeated in the file, or another import writing
    the same meter at that moment), the batch's savepoint is rolled back and its rows take the second way too.
    """

    TEMP: Final = "hearth_interval_load"
    WRITE_EVERY: Final = 2000
    """Lines handed to the COPY at a time."""

    def __init__(self, *, now: datetime) -> None:
        super().__init__(now=now)
        self.table = IntervalConsumption._meta.db_table
        self.middle = f"\t{INTERVAL_MINUTES}\t"
        self.tail = f"\t{_ACTUAL}\t{_SMART}\t{now.isoformat()}\n"
        self.stored: dict[int, tuple[datetime, datetime]] = {}
        """Each meter's first and last stored start (meters with nothing stored are absent)."""
        self.copy: Any = None
        self.direct: list[str] = []
        self.pending: list[str] = []
        self.maybe: list[str] = []
        self.spans: dict[int, list[datetime]] = {}
        self.temp_ready = False

    def start_value(self, start: datetime) -> Any:
        return (start.isoformat(), start)

    def prepare(self, meter_ids: list[int]) -> None:
        # Two index look-ups per meter (the primary key starts with the meter); the table name is the model's.
        first = f"(SELECT min(interval_start) FROM {self.table} WHERE meter_id = m)"  # noqa: S608
        last = f"(SELECT max(interval_start) FROM {self.table} WHERE meter_id = m)"  # noqa: S608
        sql = f"SELECT m, {first}, {last} FROM unnest(%s::bigint[]) AS m"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [meter_ids])
            for meter_id, stored_first, stored_last in cursor.fetchall():
                if stored_first is not None:
                    self.stored[meter_id] = (stored_first, stored_last)

    @contextlib.contextmanager
    def chunk(self) -> Iterator[None]:
        self.direct, self.pending, self.maybe, self.spans = [], [], [], {}
        sql = f"COPY {self.table} ({_INSERT_COLUMNS}) FROM STDIN"
        try:
            with (
                transaction.atomic(),
                connection.cursor() as cursor,
                connection.wrap_database_errors,
                cursor.cursor.copy(sql) as copy,
            ):
                self.copy = copy
                yield
                copy.write("".join(self.pending))
            self.inserted += len(self.direct)
        except IntegrityError:
            self.maybe[:0] = self.direct
        finally:
            self.copy = None
        for meter_id, (first, last) in self.spans.items():
            known = self.stored.get(meter_id)
            self.stored[meter_id] = (min(first, known[0]), max(last, known[1])) if known else (first, last)
        if self.maybe:
            self._through_temporary_table("".join(self.maybe))

    def add(self, meter_id: int, start: Any, quantity: str, unit: str, kwh: str) -> None:
        text, at = start
        line = f"{meter_id}\t{text}{self.middle}{quantity}\t{unit}\t{kwh}{self.tail}"
        known = self.stored.get(meter_id)
        if known is not None and known[0] <= at <= known[1]:
            self.maybe.append(line)
            return
        span = self.spans.get(meter_id)
        if span is None:
            self.spans[meter_id] = [at, at]
        elif at < span[0]:
            span[0] = at
        elif at > span[1]:
            span[1] = at
        self.direct.append(line)
        self.pending.append(line)
        if len(self.pending) >= self.WRITE_EVERY:
            self.copy.write("".join(self.pending))
            self.pending = []

    def _through_temporary_table(self, payload: str) -> None:
        with connection.cursor() as cursor:
            if not self.temp_ready:
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {self.TEMP} (LIKE {self.table} INCLUDING DEFAULTS) ON COMMIT DROP"
                )
                self.temp_ready = True
            cursor.execute(f"TRUNCATE {self.TEMP}")
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {self.TEMP} ({_INSERT_COLUMNS}) FROM STDIN") as copy,
            ):
                copy.write(payload)
            cursor.execute(
                f"INSERT INTO {self.table} ({_INSERT_COLUMNS}) SELECT {_INSERT_COLUMNS} FROM {self.TEMP} "  # noqa: S608
                "ON CONFLICT DO NOTHING"
            )
            self.inserted += cursor.rowcount

    def finish(self) -> None:
        """Every batch was written when its chunk ended."""


class _SqliteWriter(_IntervalWriter):
    """INSERT ... ON CONFLICT DO NOTHING through executemany, with values in the form Django stores them; SQLite's
    change counter says how many rows were new.

    ``bulk_create`` would do the same inserts but builds SQL for at most 999 parameters at a time (111 rows here)
    and made the whole import about three times slower (bench/ingest.py).
    """

    def __init__(self, *, now: datetime) -> None:
        super().__init__(now=now)
        self.batch: list[tuple[Any, ...]] = []
        self.received_at = connection.ops.adapt_datetimefield_value(now)
        table = IntervalConsumption._meta.db_table
        values = ", ".join(["%s"] * 9)
        self.sql = f"INSERT INTO {table} ({_INSERT_COLUMNS}) VALUES ({values}) ON CONFLICT DO NOTHING"  # noqa: S608

    def start_value(self, start: datetime) -> Any:
        return connection.ops.adapt_datetimefield_value(start)

    def add(self, meter_id: int, start: Any, quantity: str, unit: str, kwh: str) -> None:
        self.batch.append((meter_id, start, INTERVAL_MINUTES, quantity, unit, kwh, _ACTUAL, _SMART, self.received_at))
        if len(self.batch) >= BATCH_SIZE:
            self._flush()

    def _flush(self) -> None:
        if not self.batch:
            return
        with connection.cursor() as cursor:
            before = connection.connection.total_changes
            cursor.executemany(self.sql, self.batch)
            self.inserted += connection.connection.total_changes - before
        self.batch = []

    def finish(self) -> None:
        self._flush()


class _DjangoWriter(_IntervalWriter):
    """Any other database: bulk_create(ignore_conflicts=True), counting new rows by the table's count."""

    def __init__(self, *, now: datetime) -> None:
        super().__init__(now=now)
        self.batch: list[IntervalConsumption] = []

    def add(self, meter_id: int, start: Any, quantity: str, unit: str, kwh: str) -> None:
        assert isinstance(start, datetime)
        self.batch.append(
            IntervalConsumption(
                meter_id=meter_id,
                interval_start=start,
                interval_minutes=INTERVAL_MINUTES,
                quantity=Decimal(quantity),
                unit=unit,
                kwh=Decimal(kwh),
                quality=IntervalConsumption.Quality.ACTUAL,
                source=ReadingSource.SMART,
                received_at=self.now,
            )
        )
        if len(self.batch) >= BATCH_SIZE:
            self._flush()

    def _flush(self) -> None:
        if not self.batch:
            return
        before = IntervalConsumption.objects.count()
        IntervalConsumption.objects.bulk_create(self.batch, batch_size=BATCH_SIZE, ignore_conflicts=True)
        self.inserted += IntervalConsumption.objects.count() - before
        self.batch = []

    def finish(self) -> None:
        self._flush()


def _writer(now: datetime) -> _IntervalWriter:
    if connection.vendor == "postgresql":
        return _PostgresWriter(now=now)
    if connection.vendor == "sqlite":
        return _SqliteWriter(now=now)
    return _DjangoWriter(now=now)


@dataclass(frozen=True)
class _Amount:
    """A quantity as read and stored, with its kWh, worked out once per distinct text and unit."""

    quantity: Decimal
    kwh: Decimal
    quantity_text: str
    kwh_text: str


class _IntervalImporter:
    """Validates interval rows and stores them (or their daily totals) for one flow file.

    The hot path meets the same text again and again (every meter has the same interval starts; quantities repeat),
    so meters, starts and quantities are each worked out once and looked up by their text after that.
    """

    def __init__(self, *, flow: FlowFile, now: datetime, progress: Progress | None = None) -> None:
        self.flow = flow
        self.now = now
        self.progress = progress
        self.rejections = _Rejections()
        self.targets: dict[tuple[str, str], _Target | str] = {}
        self.starts: dict[str, tuple[datetime, date, Any] | str] = {}
        self.amounts: dict[str, dict[str, _Amount | str]] = {unit: {} for unit in _UNIT_WORDS}
        self.days: dict[tuple[int, date], _Day] = {}
        self.writer = _writer(now)
        self.calorific_value = conversion.default_calorific_value()
        self.accepted = 0
        self.duplicates = 0
        self.kept_daily = 0
        self.valid_interval_rows = 0

    # Resolving names, times and amounts, once each.

    def _resolve(self, keys: Iterable[tuple[str, str]]) -> None:
        """Work out the meters the rows name, a few queries for all of them (not a few per meter)."""
        wanted: dict[tuple[str, str], tuple[str, str, str]] = {}
        for key in keys:
            identifier, serial = key[0].strip(), key[1].strip()
            try:
                if len(identifier) == identifiers.MPAN_CORE_LENGTH:
                    wanted[key] = (Fuel.ELECTRICITY, identifiers.normalise_mpan_core(identifier), serial)
                else:
                    wanted[key] = (Fuel.GAS, identifiers.normalise_mprn(identifier), serial)
            except identifiers.InvalidIdentifier as exc:
                self.targets[key] = f"{exc} (an MPAN core has 13 digits, an MPRN 6 to 11)"
        if not wanted:
            return
        condition = Q()
        for each_fuel in (Fuel.ELECTRICITY, Fuel.GAS):
            numbers = {normalised for f, normalised, _ in wanted.values() if f == each_fuel}
            if numbers:
                condition |= Q(fuel=each_fuel, identifier__in=numbers)
        supply_points = {(sp.fuel, sp.identifier): sp for sp in SupplyPoint.objects.filter(condition)}
        meters: dict[int, list[Meter]] = {}
        for fitted in Meter.objects.filter(supply_point__in=supply_points.values()).order_by("installed_at", "id"):
            meters.setdefault(fitted.supply_point_id, []).append(fitted)
        policies = consent.within_day_policies(supply_points=supply_points.values())
        resolved: list[int] = []
        for key, (fuel, normalised, serial) in wanted.items():
            label = "MPAN" if fuel == Fuel.ELECTRICITY else "MPRN"
            supply_point = supply_points.get((fuel, normalised))
            if supply_point is None:
                self.targets[key] = f"{label} {normalised} is not one of ours"
                continue
            meter = _match_meter(meters.get(supply_point.pk, []), serial)
            if meter is None:
                self.targets[key] = f"meter {serial or '(empty)'} is not on {label} {normalised}"
                continue
            policy = policies[supply_point.pk]
            resolved.append(meter.pk)
            self.targets[key] = _Target(
                meter_id=meter.pk,
                label=f"{label} {normalised} meter {meter.serial_number}",
                unit=AmrDevice.Unit.KWH if fuel == Fuel.ELECTRICITY else AmrDevice.Unit.CUBIC_METRES,
                installed_at=meter.installed_at,
                removed_at=meter.removed_at,
                policy=None if policy.always else policy,
            )
        if resolved:
            self.writer.prepare(resolved)

    def _start(self, raw: str) -> tuple[datetime, date, Any] | str:
        if len(self.starts) >= _START_CACHE_LIMIT:
            self.starts.clear()
        text = raw.strip()
        result: tuple[datetime, date, Any] | str
        try:
            at = datetime.fromisoformat(text)
        except ValueError:
            result = f"interval start {text[:40]!r} is not a date and time in ISO 8601 form"
        else:
            if at.tzinfo is None or at.utcoffset() is None:
                result = f"interval start {text[:40]!r} has no UTC offset: write it like 2026-10-25T01:00:00+01:00"
            else:
                try:
                    utc = at.astimezone(UTC)
                    local_day = utc.astimezone(LONDON).date()
                except (OverflowError, ValueError):
                    result = f"interval start {text[:40]!r} is out of range"
                else:
                    if utc.minute % INTERVAL_MINUTES or utc.second or utc.microsecond:
                        result = f"interval start {text[:40]!r} is not on the hour or half-hour"
                    elif utc + _HALF_HOUR > self.now:
                        ends = f"{(utc + _HALF_HOUR).astimezone(LONDON):%d %b %Y %H:%M}"
                        result = f"interval start {text[:40]!r}: interval has not ended yet (it ends {ends} UK time)"
                    else:
                        result = (utc, local_day, self.writer.start_value(utc))
        self.starts[raw] = result
        return result

    def _amount(self, raw: str, unit: str) -> _Amount | str:
        amounts = self.amounts[unit]
        if len(amounts) >= _START_CACHE_LIMIT:
            amounts.clear()
        text = raw.strip()
        result: _Amount | str
        if not _QUANTITY.fullmatch(text):
            problem = (
                "is negative" if text.startswith("-") else "is not a number of up to 8 digits and 4 decimal places"
            )
            result = f"quantity {text[:20]!r} {problem}"
        else:
            quantity = Decimal(text)
            if unit == AmrDevice.Unit.KWH:
                kwh = quantity
            else:
                kwh = conversion.stored(conversion.gas_kwh(cubic_metres=quantity, calorific_value=self.calorific_value))
            if kwh >= _STORED_LIMIT:
                result = f"quantity {text} {_UNIT_WORDS[unit]} is too large to store"
            else:
                result = _Amount(quantity, kwh, str(quantity), str(kwh))
        amounts[raw] = result
        return result

    # Rows.

    def rows(self, numbered_rows: Iterable[tuple[int, list[str]]], *, header_allowed: bool) -> None:
        """Check and store the rows; ``header_allowed``: the first row may be the column names.

        Rows are taken a batch at a time so the meters a batch names can be resolved together first.
        """
        order: tuple[int, ...] | None = None
        numbered = iter(numbered_rows)
        if header_allowed:
            first = next(numbered, None)
            if first is None:
                return
            names = tuple(cell.strip().lower() for cell in first[1])
            if sorted(names) == sorted(INTERVAL_COLUMNS):
                order = tuple(names.index(column) for column in INTERVAL_COLUMNS)
                if order == tuple(range(len(INTERVAL_COLUMNS))):
                    order = None
            else:
                numbered = itertools.chain([first], numbered)
        columns = len(INTERVAL_COLUMNS)
        while batch := list(itertools.islice(numbered, READ_AHEAD)):
            if order is not None:
                batch = [(n, [row[i] for i in order] if len(row) == columns else row) for n, row in batch]
            unknown = {(row[0], row[1]) for _, row in batch if len(row) == columns} - self.targets.keys()
            if unknown:
                self._resolve(unknown)
            with self.writer.chunk():
                self._rows(batch)
            if self.progress is not None:
                self.progress(len(batch))

    def _rows(self, batch: list[tuple[int, list[str]]]) -> None:
        """Check each row and store it (or add it to its day's total), or reject it with the first fault found.

        The loop is written for speed (names bound once, the common case first); the rare cases go to
        :meth:`_reject`. The checks, in order: column count, meter, start, unit, quantity, meter fitted then.
        """
        targets, starts, amounts, days = self.targets, self.starts, self.amounts, self.days
        units, add, reject = _UNITS, self.writer.add, self._reject
        columns = len(INTERVAL_COLUMNS)
        written = 0
        for line_number, row in batch:
            if len(row) != columns:
                if any(cell.strip() for cell in row):  # a blank line is skipped
                    reject(line_number, row, f"{len(row)} columns where {columns} are expected: {_COLUMN_LIST}")
                continue
            identifier, serial, start_text, quantity_text, unit_text = row
            target = targets[(identifier, serial)]
            if isinstance(target, str):
                reject(line_number, row, target, (identifier, serial))
                continue
            start = starts.get(start_text) or self._start(start_text)
            if isinstance(start, str):
                reject(line_number, row, start)
                continue
            utc, local_day, stored_start = start
            unit = units.get(unit_text) or units.get(unit_text.strip().lower())
            if unit != target.unit:
                fuel = "electricity" if target.unit == AmrDevice.Unit.KWH else "gas"
                reason = f"unit {unit_text.strip()!r}: {target.label} is {fuel}, measured in {_UNIT_WORDS[target.unit]}"
                reject(line_number, row, reason, (identifier, serial, "unit", unit_text))
                continue
            amount = amounts[unit].get(quantity_text) or self._amount(quantity_text, unit)
            if isinstance(amount, str):
                reject(line_number, row, amount)
                continue
            if utc < target.installed_at or (target.removed_at is not None and utc >= target.removed_at):
                when = f"{utc.astimezone(LONDON):%d %b %Y %H:%M}"
                reject(line_number, row, f"{target.label} was not fitted at {when} (UK time)", (identifier, serial))
                continue
            day = days.get((target.meter_id, local_day))
            if day is None:
                day = days[(target.meter_id, local_day)] = _Day(unit)
            day.count += 1
            day.quantity += amount.quantity
            day.kwh += amount.kwh
            if target.policy is not None and not target.policy.allows(utc):
                day.held.append((line_number, _csv_text(row)))
                continue
            written += 1
            add(target.meter_id, stored_start, amount.quantity_text, unit, amount.kwh_text)
        self.valid_interval_rows += written

    def _reject(self, line_number: int, row: list[str], reason: str, key: object = None) -> None:
        self.rejections.add(line_number, _csv_text(row), reason, key)

    # The end of the file: intervals written, then daily totals.

    def finish(self) -> None:
        self.writer.finish()
        self.accepted += self.writer.inserted
        self.duplicates += self.valid_interval_rows - self.writer.inserted
        self._store_days()

    def _store_days(self) -> None:
        whole: list[tuple[tuple[int, date], _Day]] = []
        for key, day in self.days.items():
            meter_id, local_day = key
            expected = _half_hours_in(local_day)
            if day.count == expected:
                whole.append((key, day))
            elif day.held:
                for line_number, text in sorted(day.held):
                    self.rejections.add(
                        line_number,
                        text,
                        f"no half-hourly consent, so only whole days are kept: this file has {day.count} of "
                        f"the {expected} half-hours of {local_day:%d %b %Y} for this meter",
                        ("part-day", meter_id, local_day),
                    )
        if not whole:
            return
        existing = set(
            DailyConsumption.objects.filter(
                meter_id__in={key[0] for key, _ in whole},
                day_date__range=(min(key[1] for key, _ in whole), max(key[1] for key, _ in whole)),
            ).values_list("meter_id", "day_date")
        )
        new_days = []
        for (meter_id, local_day), day in whole:
            stored = (meter_id, local_day) in existing
            if day.held:
                if stored:
                    self.duplicates += len(day.held)
                else:
                    self.accepted += len(day.held)
                    self.kept_daily += len(day.held)
            if not stored:
                new_days.append(
                    (meter_id, local_day, conversion.stored(day.quantity), day.unit, conversion.stored(day.kwh))
                )
        _insert_days(new_days, now=self.now)


def _insert_days(days: list[tuple[int, date, Decimal, str, Decimal]], *, now: datetime) -> None:
    """Store daily totals (meter, day, quantity, unit, kWh) in one statement; a day already stored is left."""
    if not days:
        return
    table = DailyConsumption._meta.db_table
    columns = "meter_id, day_date, quantity, unit, kwh, quality, source, received_at"
    if connection.vendor == "postgresql":
        arrays = "unnest(%s::bigint[], %s::date[], %s::numeric[], %s::varchar[], %s::numeric[])"
        # The constants come first in the SQL, so first among the parameters.
        sql = f"INSERT INTO {table} ({columns}) SELECT *, %s, %s, %s FROM {arrays} ON CONFLICT DO NOTHING"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [_ACTUAL, _SMART, now, *(list(column) for column in zip(*days, strict=True))])
        return
    ops = connection.ops
    received_at = ops.adapt_datetimefield_value(now)
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                (
                    meter_id,
                    ops.adapt_datefield_value(day),
                    ops.adapt_decimalfield_value(quantity),
                    unit,
                    ops.adapt_decimalfield_value(kwh),
                    _ACTUAL,
                    _SMART,
                    received_at,
                )
                for meter_id, day, quantity, unit, kwh in days
            ],
        )


def _numbered_csv(text_stream: Iterable[str], first_line_number: int = 1) -> Iterator[tuple[int, list[str]]]:
    """CSV rows with their line numbers (a row spanning lines, inside quotes, is numbered by its first line)."""
    reader = csv.reader(text_stream)
    start = 1
    for row in reader:
        yield start + first_line_number - 1, row
        start = reader.line_num + 1


def _hash_source(source: bytes | IO[bytes]) -> tuple[str, IO[bytes]]:
    if isinstance(source, bytes | bytearray):
        return hashlib.sha256(source).hexdigest(), io.BytesIO(source)
    digest = hashlib.sha256()
    for chunk in iter(lambda: source.read(1 << 20), b""):
        digest.update(chunk)
    source.seek(0)
    return digest.hexdigest(), source


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a file is imported, and restore it after.

    The import makes millions of short-lived lists and tuples (CSV rows) and holds a read-ahead batch of them; the
    cyclic collector keeps rescanning that batch, which cost about a third of the import's time (bench/ingest.py).
    None of these objects form cycles, so reference counting still frees every one of them at once.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_intervals(
    *,
    name: str,
    source: bytes | IO[bytes],
    now: datetime,
    actor: User | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import a CSV of half-hourly consumption (rules in the module docstring).

    :param source: the file's bytes, or a seekable binary file (read twice: once for its hash, once to import).
    """
    digest, stream = _hash_source(source)
    seen = _already_imported(FlowFile.Kind.INTERVALS, name, digest)
    if seen is not None:
        return seen
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    try:
        with _cyclic_gc_paused(), transaction.atomic():
            flow = FlowFile.objects.create(
                kind=FlowFile.Kind.INTERVALS, name=text_rules.storable(name)[:255], sha256=digest, imported_at=now
            )
            importer = _IntervalImporter(flow=flow, now=now, progress=progress)
            try:
                importer.rows(_numbered_csv(text), header_allowed=True)
            except csv.Error as exc:
                importer.rejections.add(0, "", f"the file is not readable CSV: {exc}")
            importer.finish()
            importer.rejections.entries.sort(key=lambda entry: entry.line_number)
            _finish(
                flow,
                importer.rejections,
                accepted=importer.accepted,
                duplicates=importer.duplicates,
                actor=actor,
                now=now,
            )
    finally:
        text.detach()
    return ImportSummary(
        name=name,
        kind=FlowFile.Kind.INTERVALS,
        flow_file_id=flow.pk,
        accepted=importer.accepted,
        duplicates=importer.duplicates,
        rejected=importer.rejections.summary(),
        kept_daily=importer.kept_daily,
    )


# --- Replaying and dismissing rejected lines -----------------------------------------------------------------------


def _replay_d0010(line: RejectedFlowLine, content: str, *, now: datetime, confirmed_high: bool) -> _D0010Importer:
    importer = _D0010Importer(flow=line.flow_file, now=now, confirmed_high=confirmed_high)
    if content.lstrip().startswith("ZHV"):
        line_number, refusal, parsed = _d0010_refusal(content)
        if parsed is None:
            importer.rejections.add(line_number, content, refusal)
            return importer
        rejected, groups = parsed.rejected, parsed.groups
    else:
        groups, rejected = d0010.parse_fragment(content, first_line_number=line.line_number)
    importer.parser_rejected(rejected)
    for group in groups:
        importer.group(group)
    return importer


def replay_rejected_line(
    *,
    line: RejectedFlowLine,
    now: datetime,
    actor: User | None = None,
    content: str | None = None,
    confirmed_high: bool = False,
) -> ReplayOutcome:
    """Import a rejected line again, after a fix to Hearth's records or to the line itself (``content``).

    Whatever in it can now be stored is stored (what was stored already counts as a duplicate). If everything is
    stored the line is marked replayed; otherwise it stays open with the reasons that are left.

    :param confirmed_high: staff have checked a reading "far above expected" and accept it.
    :raises ReplayRefused: the line is not open (already replayed or dismissed).
    """
    with transaction.atomic():
        line = RejectedFlowLine.objects.select_for_update().select_related("flow_file").get(pk=line.pk)
        if line.status != RejectedFlowLine.Status.OPEN:
            raise ReplayRefused(
                f"Line {line.line_number} of {line.flow_file.name} was already {line.get_status_display().lower()}."
            )
        before = {"content": line.content, "reason": line.reason}
        if content is not None:
            content = content.replace("\r\n", "\n").strip("\n")
            if content.strip():
                line.content = content
        flow = line.flow_file
        if flow.kind == FlowFile.Kind.D0010:
            importer = _replay_d0010(line, line.content, now=now, confirmed_high=confirmed_high)
            accepted, duplicates = importer.counts.accepted, importer.counts.duplicates
            rejections = importer.rejections
        else:
            intervals = _IntervalImporter(flow=flow, now=now)
            try:
                intervals.rows(
                    _numbered_csv(io.StringIO(line.content), first_line_number=line.line_number), header_allowed=False
                )
            except csv.Error as exc:
                intervals.rejections.add(line.line_number, line.content, f"not readable CSV: {exc}")
            intervals.finish()
            accepted, duplicates, rejections = intervals.accepted, intervals.duplicates, intervals.rejections
        reasons = "; ".join(
            f"{RejectedEntry(entry.line_number, entry.reason, len(entry.lines)).where}: {entry.reason}"
            for entry in rejections.entries
        )
        replayed = not rejections.entries
        if replayed:
            line.status = RejectedFlowLine.Status.REPLAYED
            flow.rejected = max(0, flow.rejected - 1)
        else:
            line.reason = _reason(reasons)
        line.save(update_fields=["status", "reason", "content"])
        flow.accepted += accepted
        flow.duplicates += duplicates
        flow.save(update_fields=["accepted", "duplicates", "rejected"])
        audit.record(
            actor=actor,
            action="rejected flow line replayed" if replayed else "rejected flow line replay failed",
            subject=f"{flow.name} line {line.line_number}",
            at=now,
            before=before,
            after={
                "content": line.content,
                "reason": line.reason,
                "status": line.status,
                "accepted": accepted,
                "confirmed_high": confirmed_high,
            },
        )
    return ReplayOutcome(
        replayed=replayed, accepted=accepted, duplicates=duplicates, reason="" if replayed else line.reason
    )


def dismiss_rejected_line(*, line: RejectedFlowLine, actor: User | None, now: datetime) -> RejectedFlowLine:
    """Mark an open rejected line as dismissed: looked at, and nothing in it is to be imported (audited).

    :raises ReplayRefused: the line is not open.
    """
    with transaction.atomic():
        line = RejectedFlowLine.objects.select_for_update().select_related("flow_file").get(pk=line.pk)
        if line.status != RejectedFlowLine.Status.OPEN:
            raise ReplayRefused(
                f"Line {line.line_number} of {line.flow_file.name} was already {line.get_status_display().lower()}."
            )
        line.status = RejectedFlowLine.Status.DISMISSED
        line.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="rejected flow line dismissed",
            subject=f"{line.flow_file.name} line {line.line_number}",
            at=now,
            before={"status": RejectedFlowLine.Status.OPEN},
            after={"status": RejectedFlowLine.Status.DISMISSED, "reason": line.reason},
        )
    return line


# --- Queries -------------------------------------------------------------------------------------------------------


def flow_files() -> QuerySet[FlowFile]:
    """Imported files, newest first, each with ``open_count``: its rejected lines still waiting for staff."""
    return FlowFile.objects.annotate(
        open_count=Count("rejected_lines", filter=Q(rejected_lines__status=RejectedFlowLine.Status.OPEN))
    ).order_by("-imported_at", "-id")


def flow_file_by_id(*, flow_file_id: int) -> FlowFile | None:
    return FlowFile.objects.filter(pk=flow_file_id).first()


def rejected_lines(
    *, flow_file: FlowFile | None = None, status: RejectedFlowLine.Status | None = RejectedFlowLine.Status.OPEN
) -> QuerySet[RejectedFlowLine]:
    """Rejected lines (open ones unless ``status`` says otherwise; ``None``: all), by file and line."""
    lines = RejectedFlowLine.objects.select_related("flow_file")
    if flow_file is not None:
        lines = lines.filter(flow_file=flow_file)
    if status is not None:
        lines = lines.filter(status=status)
    return lines.order_by("-flow_file__imported_at", "flow_file_id", "line_number", "id")


def rejected_line_by_id(*, line_id: int) -> RejectedFlowLine | None:
    return RejectedFlowLine.objects.select_related("flow_file").filter(pk=line_id).first()
