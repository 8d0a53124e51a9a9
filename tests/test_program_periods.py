"""The program view's pure parts, as tables: its fixed periods, the t interval, the throttle."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from voice_app.program.auth import FAILURES_PER_ADDRESS, WINDOW_S, Throttle
from voice_app.program.periods import Month, complete_months, is_complete, month_of_day
from voice_app.program.stats import t_interval


@pytest.mark.parametrize(("month", "mondays"), [
    # a month is the ISO weeks whose Thursday falls in it: four or five whole weeks
    (Month(2026, 10), ["2026-09-28", "2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26"]),
    (Month(2026, 11), ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]),
    # 2026 has 53 ISO weeks; week 53 (Thursday 31 December) belongs to December
    (Month(2026, 12), ["2026-11-30", "2026-12-07", "2026-12-14", "2026-12-21", "2026-12-28"]),
    (Month(2027, 1), ["2027-01-04", "2027-01-11", "2027-01-18", "2027-01-25"]),
    # so did 2020: January 2021 begins on the 4th
    (Month(2021, 1), ["2021-01-04", "2021-01-11", "2021-01-18", "2021-01-25"]),
])
def test_months_are_whole_iso_weeks(month, mondays):
    assert [str(m) for m in month.weeks] == mondays
    assert all(month_of_day(date.fromisoformat(m)) == month for m in mondays)


def test_every_day_is_in_exactly_one_month_and_months_tile_the_calendar():
    month = Month(2025, 1)
    for _ in range(30):
        following = month.next()
        assert month.end == following.start
        month = following
    assert month_of_day(date(2026, 12, 31)) == Month(2026, 12)  # ISO 2026-W53
    assert month_of_day(date(2027, 1, 3)) == Month(2026, 12)  # a Sunday of that week


@pytest.mark.parametrize(("at", "complete"), [
    ("2026-11-02T05:59:00+00:00", False),  # October's last week ends Sunday night in Chicago
    ("2026-11-03T05:59:00+00:00", False),  # ... and waits a day for late answers
    ("2026-11-03T06:00:00+00:00", True),
])
def test_a_month_is_final_a_day_after_its_last_week(at, complete):
    chicago = ZoneInfo("America/Chicago")
    assert is_complete(Month(2026, 10), datetime.fromisoformat(at), chicago) is complete


def test_complete_months_run_from_the_first_check_in():
    found = complete_months(datetime(2026, 8, 20, tzinfo=UTC),
                            datetime(2026, 12, 1, 3, tzinfo=UTC), ZoneInfo("UTC"))
    # November's last week ended on Sunday 29th: final from Tuesday 1 December
    assert [m.label() for m in found] == ["August 2026", "September 2026", "October 2026",
                                          "November 2026"]


@pytest.mark.parametrize(("n", "t"), [(10, 2.262), (30, 2.045), (101, 1.984)])
def test_the_interval_uses_students_t(n, t):
    low, high = t_interval(-0.5, 1.0, n)
    half = t / n ** 0.5
    assert low == pytest.approx(-0.5 - half, abs=1e-3)
    assert high == pytest.approx(-0.5 + half, abs=1e-3)


def test_no_interval_from_one_person():
    assert t_interval(0.0, None, 1) is None


def test_the_throttle_forgives_after_its_window():
    now = [0.0]
    throttle = Throttle(clock=lambda: now[0])
    for _ in range(FAILURES_PER_ADDRESS):
        assert throttle.retry_after("a") == 0
        throttle.failed("a")
    assert throttle.retry_after("a") == WINDOW_S + 1
    assert throttle.retry_after("b") == 0
    now[0] = WINDOW_S + 1
    assert throttle.retry_after("a") == 0


def test_the_throttle_caps_all_addresses_together():
    throttle = Throttle(clock=lambda: 0.0)
    for n in range(50):
        throttle.failed(f"10.0.0.{n}")
    assert throttle.retry_after("192.0.2.1") > 0
