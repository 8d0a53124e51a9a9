"""Roll-ups: each complete month's and week's aggregates of `sessions`, computed once and kept.

The program view reads only these rows. They are computed when a month's figures become final
(`periods.is_complete`), by the first program view or prune after that, and never change again:
"forget me" and the expiry of raw check-ins after `CHECKIN_RETENTION_DAYS` leave them as they
were, so two views of one period can never be subtracted to find what one person did. Counts are
exact here; the view suppresses and rounds them (`figures.py`). Nothing here names a listener.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from ..store import PRUNE_BATCH, Store, _batch_delete, now, program_rollups, sessions
from .periods import Month, complete_months, month_of_instant, to_utc

logger = logging.getLogger(__name__)

CHANNELS = ("alexa", "phone", "web")
BLOCKS = ("0", "1", "2", "3")
"""Six-hour blocks of local time: 00-06, 06-12, 12-18, 18-24."""
DAYTYPES = ("weekday", "weekend")
LEVELS = ("1", "2", "3", "4", "5")
CHANGES = ("better", "same", "worse")
COLUMNS = ("listener_key", "channel", "practice_id", "minutes", "started_at", "finished_at",
           "asked", "before", "after")


@dataclass
class Tally:
    """Counts for one category of one period."""

    people: set[str] = field(default_factory=set)
    sessions: int = 0
    minutes: int = 0
    completed: int = 0
    asked: int = 0
    answered_before: int = 0
    pairs: int = 0


class Aggregate:
    """The aggregates of one period, built one row at a time (rows are streamed, never held).

    Speed matters (a month of a large deployment is a few hundred thousand rows): each row's
    contribution is worked out once (`Contribution`) and counted per category as one tuple, so
    a category costs two set/dict operations per row, not seven."""

    def __init__(self) -> None:
        self.people: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.counts: dict[tuple[tuple[str, str], tuple[int, ...]], int] = defaultdict(int)
        self.paired: dict[str, list[tuple[int, int]]] = defaultdict(list)

    def add(self, c: Contribution) -> None:
        for category in c.categories:
            self.people[category].add(c.key)
            self.counts[(category, c.values)] += 1
        if c.pair is not None:
            self.paired[c.key].append(c.pair)
            for side, value in zip(("before", "after"), c.pair, strict=True):
                self.people[(side, str(value))].add(c.key)
                self.counts[((side, str(value)), (0, 0, 0, 0, 0))] += 1

    def result(self) -> dict[tuple[str, str], dict[str, Any]]:
        """(dimension, category) -> column values."""
        tallies: dict[tuple[str, str], Tally] = {("all", "all"): Tally()}
        for (category, (minutes, done, asked, answered, paired)), n in self.counts.items():
            tally = tallies.setdefault(category, Tally())
            tally.sessions += n
            tally.minutes += n * minutes
            tally.completed += n * done
            tally.asked += n * asked
            tally.answered_before += n * answered
            tally.pairs += n * paired
        for category, people in self.people.items():
            tallies[category].people = people
        found = {key: _columns(t) for key, t in tallies.items()}
        found.update(outcome(self.paired))
        return found


@dataclass(frozen=True)
class Contribution:
    """What one session adds to its period's aggregates."""

    key: str
    categories: tuple[tuple[str, str], ...]
    values: tuple[int, int, int, int, int]
    """Minutes completed, completed, asked, answered before, paired."""
    pair: tuple[int, int] | None


def contribution(row: Any, zone: ZoneInfo) -> tuple[date, Contribution]:
    """The local Monday of the session's week, and what it adds."""
    local = _aware(row.started_at).astimezone(zone)
    done = row.finished_at is not None
    answered = row.before is not None
    pair = (row.before, row.after) if answered and row.after is not None else None
    categories = (("all", "all"), ("channel", row.channel), ("practice", row.practice_id),
                  ("block", str(local.hour // 6)),
                  ("daytype", "weekend" if local.weekday() >= 5 else "weekday"))
    day = local.date()
    return day - timedelta(days=day.weekday()), Contribution(
        row.listener_key, categories,
        (row.minutes if done else 0, int(done), int(bool(row.asked)), int(answered),
         int(pair is not None)), pair)


def aggregate(rows: Iterable[Any], zone: ZoneInfo) -> dict[tuple[str, str], dict[str, Any]]:
    """(dimension, category) -> column values, for the rows of one period."""
    found = Aggregate()
    for row in rows:
        found.add(contribution(row, zone)[1])
    return found.result()


def outcome(paired: dict[str, list[tuple[int, int]]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Each person's pairs averaged first, so frequent users count once; then the mean of those
    means, their sample standard deviation, and how many people got better, same, worse."""
    befores, afters, changes = [], [], []
    moved = {name: 0 for name in CHANGES}
    for pairs in paired.values():
        n = len(pairs)
        total = sum(after - before for before, after in pairs)
        befores.append(sum(before for before, _ in pairs) / n)
        afters.append(sum(after for _, after in pairs) / n)
        changes.append(total / n)
        moved["better" if total < 0 else "same" if total == 0 else "worse"] += 1
    people = len(changes)
    pairs = sum(len(p) for p in paired.values())
    row = _columns(Tally(), people=people, pairs=pairs, sessions=pairs)
    if people:
        mean = sum(changes) / people
        row.update(mean_before=sum(befores) / people, mean_after=sum(afters) / people,
                   mean_change=mean,
                   sd_change=math.sqrt(sum((c - mean) ** 2 for c in changes) / (people - 1))
                   if people > 1 else None)
    found = {("outcome", "all"): row}
    for name, count in moved.items():
        found[("change", name)] = _columns(Tally(), people=count, sessions=count)
    return found


def _columns(tally: Tally, **override: Any) -> dict[str, Any]:
    values = {"people": len(tally.people), "sessions": tally.sessions,
              "minutes": tally.minutes, "completed": tally.completed, "asked": tally.asked,
              "answered_before": tally.answered_before, "pairs": tally.pairs,
              "mean_before": None, "mean_after": None, "mean_change": None, "sd_change": None}
    values.update(override)
    return values


def roll_up_due(store: Store, zone: ZoneInfo, at: datetime | None = None) -> list[Month]:
    """Compute and store every complete month (and its weeks) not rolled up yet; the months
    done. Safe to run from several processes at once: the first to insert a period wins."""
    at = at or now()
    first = store._run(lambda conn: conn.execute(
        sa.select(sa.func.min(sessions.c.started_at))).scalar())
    if first is None:
        return []
    done = set(store._run(lambda conn: conn.execute(
        sa.select(program_rollups.c.period_start).where(
            program_rollups.c.period_kind == "month", program_rollups.c.dimension == "all"),
    ).scalars().all()))
    months = [m for m in complete_months(_aware(first), at, zone) if m.first not in done]
    for month in months:
        roll_up_month(store, month, zone, at)
    return months


def roll_up_month(store: Store, month: Month, zone: ZoneInfo, at: datetime) -> None:
    start, end = to_utc(month.start, zone), to_utc(month.end, zone)
    statement = sa.select(*(sessions.c[name] for name in COLUMNS)).where(
        sessions.c.started_at >= start, sessions.c.started_at < end)

    def read(conn: Connection) -> tuple[Aggregate, dict[date, Aggregate], int]:
        whole, weeks, count = Aggregate(), {m: Aggregate() for m in month.weeks}, 0
        for row in conn.execution_options(yield_per=5000).execute(statement):
            monday, adds = contribution(row, zone)
            whole.add(adds)
            weeks[monday].add(adds)
            count += 1
        return whole, weeks, count

    # a transaction of its own: PostgreSQL streams the rows through a server-side cursor
    whole, weeks, count = store._run(read, transaction=True)
    values = _rows("month", month.first, whole.result(), at)
    for monday, found in weeks.items():
        values += _rows("week", monday, found.result(), at)
    insert = (postgresql.insert if store.engine.dialect.name == "postgresql"
              else sqlite.insert)(program_rollups).on_conflict_do_nothing()
    store._run(lambda conn: conn.execute(insert, values), transaction=True)
    logger.info("program view: rolled up %s (%d sessions)", month.label(), count)


def _rows(kind: str, start: date, found: dict[tuple[str, str], dict[str, Any]],
          at: datetime) -> list[dict[str, Any]]:
    return [{"period_kind": kind, "period_start": start, "dimension": dimension,
             "category": category, "computed_at": at, **columns}
            for (dimension, category), columns in found.items()]


@dataclass(frozen=True)
class CheckinsPruned:
    months_rolled_up: int
    sessions: int


def prune_checkins(store: Store, days: int, zone: ZoneInfo,
                   at: datetime | None = None) -> CheckinsPruned:
    """Roll up every complete month first, then delete sessions (with their check-ins) older
    than `days`, but never one from a month not rolled up yet."""
    at = at or now()
    months = roll_up_due(store, zone, at)
    cutoff = min(at - timedelta(days=days), to_utc(month_of_instant(at, zone).start, zone))
    last = store._run(lambda conn: conn.execute(
        sa.select(sa.func.max(program_rollups.c.period_start)).where(
            program_rollups.c.period_kind == "month")).scalar())
    if last is None:
        return CheckinsPruned(len(months), 0)
    rolled_until = to_utc(Month(last.year, last.month).end, zone)
    cutoff = min(cutoff, rolled_until)
    statement = _batch_delete(sessions, sessions.c.id, sessions.c.started_at,
                              sa.bindparam("before"))
    deleted = 0
    while True:
        count = store._run(lambda conn: conn.execute(statement, {"before": cutoff}).rowcount)
        deleted += count
        if count < PRUNE_BATCH:
            break
    if deleted:
        logger.info("deleted %d check-in sessions older than %d days", deleted, days)
    return CheckinsPruned(len(months), deleted)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
