"""The consumption pages' chart bars and table rows are written in Python (ADR 0028), so their escaping and their
marks are checked here: a label or tooltip never reaches the page as markup, and every kind of bar keeps its mark."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hearth.interfaces.portal.views_consumption import Bar, Chart, Shown, Slot, Tick

HOSTILE = '<script>alert("x")</script> & more'


def _bar(kind: str, *, late: bool = False, gap_label: str = "") -> Bar:
    return Bar("1.0", "2.0", "3.0", "4.0", "2.5", kind, late, "9.0", HOSTILE, gap_label)


def _chart(*bars: Bar) -> Chart:
    return Chart("kwh", "T", "A", "Y", "X", list(bars), [Tick("1", "0")], [Tick("2", "1 Nov")])


@pytest.mark.parametrize("kind", ["actual", "estimated", "partial", "missing", "unpriced"])
def test_a_bars_tooltip_reaches_the_page_as_text_never_as_markup(kind: str) -> None:
    (mark,) = _chart(_bar(kind, gap_label=HOSTILE)).bar_marks

    assert "<script>" not in mark
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in mark
    assert f'data-kind="{kind}"' in mark


def test_an_estimated_bar_is_hatched_and_a_late_one_carries_a_dot() -> None:
    estimated, late = _chart(_bar("estimated"), _bar("actual", late=True)).bar_marks

    assert 'fill="url(#chart-hatch-kwh)"' in estimated
    assert 'data-kind="late"' not in estimated
    assert '<circle cx="2.5" cy="9.0" r="3.5" fill="#8a1c14" data-kind="late"/>' in late


def test_a_table_rows_label_and_quality_reach_the_page_as_text() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    slot = Slot(start, start, Decimal("1.5"), "kWh", Decimal("1.5"), "ESTIMATED", True, HOSTILE)
    shown = Shown(meter=None, slots=[slot], gas=True, gas_conversion=None, within_day=False, period_words="")  # type: ignore[arg-type]

    (row,) = shown.table_rows

    assert "<script>" not in row
    assert '<th scope="row">&lt;script&gt;' in row
    assert '<span class="tag tag--warn">Estimated</span> <span class="tag tag--warn">Late</span>' in row
    assert 'data-label="Gas (m³)"' in row
    assert 'data-label="Cost with VAT"' not in row  # no prices: no cost column
