"""The program view's fixed calendar periods: ISO weeks, and months made of whole ISO weeks.

A week runs Monday to Sunday in the organisation's time zone (`PROGRAM_TIMEZONE`). A week
belongs to the month its Thursday falls in (ISO 8601's own rule for which year a week is in),
so a month is exactly four or five whole weeks: a month's figure is the sum of its weeks', never
"its weeks plus a few days" that could be had by subtracting. A period is shown only once its
month has ended (plus `GRACE`, for late after-answers), so a figure never changes once seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEK = timedelta(days=7)
GRACE = timedelta(days=1)
"""After a month ends, its figures wait this long: an after-answer may come up to two hours
after a practice that started late on the last Sunday."""


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @property
    def first(self) -> date:
        """The period's key: the 1st of the month."""
        return date(self.year, self.month, 1)

    @property
    def weeks(self) -> list[date]:
        """The Mondays of its weeks (weeks whose Thursday is in this month)."""
        first = self.first
        thursday = first + timedelta(days=(3 - first.weekday()) % 7)
        mondays = []
        monday = thursday - timedelta(days=3)
        while (monday + timedelta(days=3)).month == self.month:
            mondays.append(monday)
            monday += WEEK
        return mondays

    @property
    def start(self) -> date:
        return self.weeks[0]

    @property
    def end(self) -> date:
        """The Monday after its last week (exclusive)."""
        return self.weeks[-1] + WEEK

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def label(self) -> str:
        return self.first.strftime("%B %Y")


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d} ({monday.day} {monday.strftime('%b')})"


def short_week(monday: date) -> str:
    """A chart's tick: "W32"."""
    return f"W{monday.isocalendar()[1]:02d}"


def month_of_day(day: date) -> Month:
    thursday = day - timedelta(days=day.weekday()) + timedelta(days=3)
    return Month(thursday.year, thursday.month)


def to_utc(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight at the start of `day`, in UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def month_of_instant(at: datetime, zone: ZoneInfo) -> Month:
    return month_of_day(at.astimezone(zone).date())


def is_complete(month: Month, at: datetime, zone: ZoneInfo) -> bool:
    return to_utc(month.end, zone) + GRACE <= at


def complete_months(first: datetime, at: datetime, zone: ZoneInfo) -> list[Month]:
    """Every month from the one holding `first` whose figures are final at `at`."""
    month, found = month_of_instant(first, zone), []
    while is_complete(month, at, zone):
        found.append(month)
        month = month.next()
    return found
