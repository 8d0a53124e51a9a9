"""What the program view shows: the roll-ups of the last complete months, suppressed and
rounded, as tables (the page and the CSV both print exactly these) and chart series.

Rules (README "The program view"): no figure from fewer than `MIN_GROUP` distinct people; the
outcome only from at least `MIN_PAIRS` complete before/after pairs; complementary suppression
over every sum a reader could form (`suppress.py`); counts rounded to the nearest 5; fixed
periods only (`periods.py`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from ..store import Store, program_rollups
from .periods import Month, week_label
from .rollup import BLOCKS, CHANGES, CHANNELS, DAYTYPES, LEVELS
from .stats import t_interval
from .suppress import Equation, suppress

MONTHS_SHOWN = 3
MIN_PAIRS = 10
TOP_PRACTICES = 5
HIDDEN = "hidden"
SPLITS = {"channel": CHANNELS, "block": BLOCKS, "daytype": DAYTYPES}
LABELS = {"alexa": "Alexa", "phone": "Phone", "web": "Web", "0": "00:00–06:00",
          "1": "06:00–12:00", "2": "12:00–18:00", "3": "18:00–24:00", "weekday": "Weekdays",
          "weekend": "Weekends", "better": "Better", "same": "Same", "worse": "Worse"}

Period = tuple[str, date]


@dataclass(frozen=True)
class Table:
    id: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]
    """(row heading, cells as shown)."""


@dataclass(frozen=True)
class View:
    months: tuple[Month, ...]
    weeks: tuple[date, ...]
    tables: dict[str, Table]
    """In the page's order (the CSV follows it)."""
    series: dict[str, Any]
    """Chart data: what the charts draw (hidden points are None)."""
    min_group: int


def round5(value: float) -> int:
    return 5 * math.floor(value / 5 + 0.5)


def load(store: Store, months: list[Month]) -> dict[Period, dict[tuple[str, str], dict]]:
    starts = [m.first for m in months]
    weeks = [w for m in months for w in m.weeks]
    table = program_rollups
    statement = sa.select(table).where(sa.or_(
        sa.and_(table.c.period_kind == "month", table.c.period_start.in_(starts)),
        sa.and_(table.c.period_kind == "week", table.c.period_start.in_(weeks))))
    rows = store._run(lambda conn: conn.execute(statement).mappings().all()) if months else []
    found: dict[Period, dict[tuple[str, str], dict]] = defaultdict(dict)
    for row in rows:
        found[(row["period_kind"], row["period_start"])][(row["dimension"],
                                                          row["category"])] = dict(row)
    return found


def shown_months(store: Store) -> list[Month]:
    """The last MONTHS_SHOWN rolled-up months, oldest first."""
    starts = store._run(lambda conn: conn.execute(
        sa.select(program_rollups.c.period_start).where(
            program_rollups.c.period_kind == "month", program_rollups.c.dimension == "all")
        .order_by(program_rollups.c.period_start.desc()).limit(MONTHS_SHOWN)).scalars().all())
    return [Month(s.year, s.month) for s in sorted(starts)]


class Cells:
    """Every figure of one month group (a month and its weeks) as a cell, the equations
    between them, and which are hidden."""

    def __init__(self, data: dict, month: Month, min_group: int) -> None:
        self.data, self.min_group = data, min_group
        self.values: dict[Any, int] = {}
        self.people: dict[Any, int] = {}
        primary: list[Any] = []
        equations: list[Equation] = []
        ties: list[list[Any]] = []
        periods: list[Period] = [("month", month.first)] + [("week", w) for w in month.weeks]
        for p in periods:
            head = self.add(("head", p), self.get(p, "all", "all"), primary)
            for dim, cats in SPLITS.items():
                parts = tuple(self.add((dim, p, c), self.get(p, dim, c), primary) for c in cats)
                equations.append(Equation(head, parts))
            result = self.get(p, "outcome", "all")
            pairs = self.add(("pairs", p), result, primary, value=result["pairs"],
                             small=result["pairs"] < MIN_PAIRS)
            people = self.add(("paired_people", p), result, primary,
                              value=result["people"])
            ties.append([pairs, people])
            changes = tuple(self.add(("change", p, c), self.get(p, "change", c), primary)
                            for c in CHANGES)
            equations.append(Equation(people, changes))
        m, weeks = periods[0], periods[1:]
        for name in ("head", "pairs"):
            equations.append(Equation((name, m), tuple((name, w) for w in weeks)))
        for dim, cats in SPLITS.items():
            for c in cats:
                equations.append(Equation((dim, m, c), tuple((dim, w, c) for w in weeks)))
        for side in ("before", "after"):
            levels = tuple(self.add((side, m, lvl), self.get(m, side, lvl), primary)
                           for lvl in LEVELS)
            equations.append(Equation(("pairs", m), levels))
        # the month's practices add up to its sessions too (the top ones are named)
        practices = tuple(self.add(("practice", m, c), row, primary)
                          for (d, c), row in sorted(data.get(m, {}).items()) if d == "practice")
        equations.append(Equation(("head", m), practices))
        self.equations = equations
        self.hidden = suppress(self.values, primary, equations, ties, self.people, min_group)

    def get(self, p: Period, dim: str, cat: str) -> dict[str, Any]:
        return self.data.get(p, {}).get((dim, cat)) or {
            "people": 0, "sessions": 0, "minutes": 0, "completed": 0, "asked": 0,
            "answered_before": 0, "pairs": 0, "mean_before": None, "mean_after": None,
            "mean_change": None, "sd_change": None}

    def add(self, key: Any, row: dict[str, Any], primary: list[Any], *,
            value: int | None = None, small: bool = False) -> Any:
        self.values[key] = row["sessions"] if value is None else value
        self.people[key] = row["people"]
        if row["people"] < self.min_group or small:
            primary.append(key)
        return key

    def shows(self, key: Any) -> bool:
        return key not in self.hidden


def build(store: Store, min_group: int, titles: dict[str, str] | None = None) -> View:
    """The view of the last complete months; `titles` names practices (their ids otherwise)."""
    months = shown_months(store)
    data = load(store, months)
    groups = {m: Cells(data, m, min_group) for m in months}
    periods: list[tuple[str, Period, Cells]] = []
    for m in months:
        periods += [(f"Week {week_label(w)}", ("week", w), groups[m]) for w in m.weeks]
    month_rows = [(m.label(), ("month", m.first), groups[m]) for m in months]
    scopes = {"weeks": periods, "months": month_rows}
    tables = {f"use-{scope}": use_table(scope, scopes[scope]) for scope in ("weeks", "months")}
    for dim, caption in (("channel", "Channel mix"), ("block", "Time of day"),
                         ("daytype", "Weekdays and weekends")):
        for scope in ("months", "weeks"):
            tables[f"{dim}-{scope}"] = split_table(f"{dim}-{scope}", f"{caption}, {scope}",
                                                   dim, scopes[scope])
    tables["practices"] = practices_table(month_rows, titles or {})
    for scope in ("months", "weeks"):
        tables[f"outcome-{scope}"] = outcome_table(scope, scopes[scope])
    tables["distribution"] = distribution_table(month_rows)
    return View(tuple(months), tuple(w for m in months for w in m.weeks), tables,
                series(periods), min_group)


def count(cells: Cells, key: Any) -> str:
    return str(round5(cells.values[key])) if cells.shows(key) else HIDDEN


def percent(part: float, whole: float) -> str:
    """A share of two counts, computed from the counts rounded to 5 as the page shows them: a
    share of the exact counts would give back what the rounding hides (several shares of one
    row pin its exact total, and a hidden neighbour then follows by subtraction)."""
    whole = round5(whole)
    return f"{100 * round5(part) / whole:.0f}%" if whole else "0%"


def use_table(scope: str, rows: list[tuple[str, Period, Cells]]) -> Table:
    out = []
    for label, p, cells in rows:
        r = cells.get(p, "all", "all")
        if cells.shows(("head", p)):
            out.append((label, (str(round5(r["people"])), str(round5(r["sessions"])),
                                str(round5(r["minutes"])), percent(r["completed"], r["sessions"]),
                                percent(r["answered_before"], r["asked"]),
                                percent(r["pairs"], r["answered_before"]))))
        else:
            out.append((label, (HIDDEN,) * 6))
    return Table(f"use-{scope}", f"Use, {scope}",
                 ("People active", "Sessions", "Minutes completed", "Completion rate",
                  "Answered before", "Answered after too"), tuple(out))


def split_table(table_id: str, caption: str, dim: str,
                rows: list[tuple[str, Period, Cells]]) -> Table:
    out = []
    for label, p, cells in rows:
        total = cells.values[("head", p)]
        if not cells.shows(("head", p)):  # its parts would tell the hidden total
            out.append((label, (HIDDEN,) * len(SPLITS[dim])))
            continue
        out.append((label, tuple(
            f"{round5(cells.values[(dim, p, c)])} ({percent(cells.values[(dim, p, c)], total)})"
            if cells.shows((dim, p, c)) else HIDDEN for c in SPLITS[dim])))
    return Table(table_id, f"{caption}: sessions (share)",
                 tuple(LABELS[c] for c in SPLITS[dim]), tuple(out))


def outcome_table(scope: str, rows: list[tuple[str, Period, Cells]]) -> Table:
    out = []
    for label, p, cells in rows:
        r = cells.get(p, "outcome", "all")
        if not cells.shows(("pairs", p)):
            out.append((label, (HIDDEN,) * 9))
            continue
        low_high = t_interval(r["mean_change"], r["sd_change"], r["people"])
        interval = f"{low_high[0]:+.2f} to {low_high[1]:+.2f}" if low_high else HIDDEN
        moved = tuple(percent(cells.values[("change", p, c)], r["people"])
                      if cells.shows(("change", p, c)) else HIDDEN for c in CHANGES)
        out.append((label, (str(round5(r["people"])), str(round5(r["pairs"])),
                            f"{r['mean_before']:.2f}", f"{r['mean_after']:.2f}",
                            f"{r['mean_change']:+.2f}", interval, *moved)))
    return Table(f"outcome-{scope}", f"Stress before and after, {scope}",
                 ("People", "Pairs", "Mean before", "Mean after", "Mean change",
                  "95% CI of change", "Better", "Same", "Worse"), tuple(out))


def practices_table(rows: list[tuple[str, Period, Cells]], titles: dict[str, str]) -> Table:
    out = []
    for label, p, cells in rows:
        total = cells.values[("head", p)]
        if not cells.shows(("head", p)):
            out.append((label, ("",) * TOP_PRACTICES))
            continue
        found = sorted(((r["sessions"], c) for (d, c), r in cells.data.get(p, {}).items()
                        if d == "practice" and cells.shows(("practice", p, c))), reverse=True)
        named = [f"{titles.get(c, c)}: {round5(n)} ({percent(n, total)})"
                 for n, c in found[:TOP_PRACTICES]]
        out.append((label, tuple(named + [""] * (TOP_PRACTICES - len(named)))))
    return Table("practices", "Top practices by sessions, months (practices used by fewer "
                 "people than the minimum group are not named)",
                 tuple(f"{n}." for n in range(1, TOP_PRACTICES + 1)), tuple(out))


def distribution_table(rows: list[tuple[str, Period, Cells]]) -> Table:
    """The latest month with an outcome: the share of before and after answers at each level
    (pairs only)."""
    shown = [(label, p, c) for label, p, c in rows if c.shows(("pairs", p))]
    if not shown:
        return Table("distribution", "Answers before and after", ("Level",), ())
    label, p, cells = shown[-1]
    total = cells.values[("pairs", p)]
    out = []
    for side in ("before", "after"):
        out.append((f"{side.capitalize()}, {label}", tuple(
            percent(cells.values[(side, p, lvl)], total)
            if cells.shows((side, p, lvl)) else HIDDEN for lvl in LEVELS)))
    return Table("distribution", f"Answers before and after a practice, {label}: share of "
                 "answers at each level (1 not at all stressed … 5 extremely)",
                 tuple(f"{lvl}" for lvl in LEVELS), tuple(out))


def series(periods: list[tuple[str, Period, Cells]]) -> dict[str, Any]:
    weeks, people, sessions, before, after = [], [], [], [], []
    for _label, p, cells in periods:
        weeks.append(p[1])
        r, o = cells.get(p, "all", "all"), cells.get(p, "outcome", "all")
        head, pairs = cells.shows(("head", p)), cells.shows(("pairs", p))
        people.append(round5(r["people"]) if head else None)
        sessions.append(round5(r["sessions"]) if head else None)
        before.append(round(o["mean_before"], 2) if pairs else None)
        after.append(round(o["mean_after"], 2) if pairs else None)
    return {"weeks": weeks, "people": people, "sessions": sessions, "before": before,
            "after": after}
