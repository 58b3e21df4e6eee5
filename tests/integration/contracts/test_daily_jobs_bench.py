"""bench/daily_jobs.py runs at a small scale, so it cannot rot: its rows insert, and the ORM and raw SQL select the
same rows (it stops if they differ)."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

BENCH = Path(__file__).resolve().parents[3] / "bench"


def test_the_daily_jobs_bench_runs_at_a_small_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCH))
    import daily_jobs

    results = daily_jobs.run(2000, repeats=1)

    # Of every 20 contracts 16 are live fixed, 2 live variable, 1 ended, 1 pending: 2,000 of them, and a renewal
    # waiting for each live fixed one whose number is a multiple of 40 (50 of them): 2,050 contracts; agreements for
    # all but the pending 100: 1,900.
    assert (results["contracts"], results["agreements"]) == (2050, 1900)
    for selection in ("renewal_statements", "rollovers", "starts_due", "home_moves_due", "slow_switches"):
        assert results[selection]["count"] > 0, selection
        assert results[selection]["ids"]["ratio"] is not None
