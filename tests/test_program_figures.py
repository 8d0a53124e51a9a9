"""The program view's figures against an independent computation, on SQLite and PostgreSQL.

A realistic data set: 420 keyed listeners over 12 weeks (skewed use: a few use it daily, most a
few times; a small web group; missing after-answers; night shifts), written to `sessions`,
rolled up, and every figure the view shows compared with one computed here from the rows with
nothing but the standard library (and scipy's t distribution for the interval)."""

from __future__ import annotations

import math
import random
import statistics
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from scipy import stats

from voice_app.program.figures import HIDDEN, build
from voice_app.program.rollup import prune_checkins, roll_up_due
from voice_app.store import program_rollups, sessions

ZONE = ZoneInfo("America/Chicago")
FIRST_MONDAY = date(2026, 8, 3)
AT = datetime(2026, 11, 10, 12, tzinfo=UTC)
PRACTICES = {"the-pause": 1, "breathing-space": 3, "loving-kindness": 10, "body-scan": 5,
             "grounding": 3, "self-compassion-break": 5, "rest-after-shift": 10,
             "kindness-to-others": 5}
MONTHS = {"August 2026": [date(2026, 8, 3) + timedelta(weeks=i) for i in range(4)],
          "September 2026": [date(2026, 8, 31) + timedelta(weeks=i) for i in range(4)],
          "October 2026": [date(2026, 9, 28) + timedelta(weeks=i) for i in range(5)]}


def seed_rows(listeners: int = 420, weeks: int = 12, seed: int = 14) -> list[dict]:
    rng = random.Random(seed)
    names = list(PRACTICES)
    rows = []
    for n in range(listeners):
        channel = "web" if n < 12 else rng.choices(("alexa", "phone"), (0.6, 0.4))[0]
        key = f"{n:04d}" + "ab" * 30
        rate = min(7.0, rng.lognormvariate(-0.3, 1.1))  # sessions a week, skewed
        night = rng.random() < 0.3
        joined = rng.randrange(weeks)
        answers = rng.random()
        for week in range(joined, weeks):
            for _ in range(_poisson(rng, rate)):
                day = FIRST_MONDAY + timedelta(weeks=week, days=rng.randrange(7))
                hour = rng.choice((23, 1, 3, 4, 20)) if night else rng.randrange(7, 19)
                local = datetime(day.year, day.month, day.day, hour, rng.randrange(60),
                                 tzinfo=ZONE)
                practice = rng.choices(names, (1, 2, 8, 3, 2, 4, 1, 1))[0]
                finished = rng.random() < 0.75
                asked = rng.random() < 0.7
                before = rng.choices((1, 2, 3, 4, 5), (1, 3, 4, 3, 1))[0] \
                    if asked and rng.random() < answers + 0.2 else None
                after = None
                if finished and before is not None and rng.random() < 0.55:
                    after = max(1, min(5, before + rng.choices((-2, -1, 0, 1), (1, 4, 4, 1))[0]))
                started = local.astimezone(UTC)
                rows.append({
                    "listener_key": key, "channel": channel, "practice_id": practice,
                    "minutes": PRACTICES[practice], "language": "en", "started_at": started,
                    "finished_at": started + timedelta(minutes=PRACTICES[practice])
                    if finished else None, "asked": asked, "before": before, "after": after,
                    "after_delay_s": 30 if after is not None else None,
                    "after_declined": False})
    return rows


def _poisson(rng: random.Random, rate: float) -> int:
    limit, k, p = math.exp(-rate), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def insert(store, rows: list[dict]) -> None:
    with store.engine.begin() as conn:
        for start in range(0, len(rows), 2000):
            conn.execute(sessions.insert(), rows[start:start + 2000])


@pytest.fixture
def seeded(store):
    rows = seed_rows()
    insert(store, rows)
    roll_up_due(store, ZONE, AT)
    return store, rows


# --- the independent computation -------------------------------------------------------------

def local_monday(row: dict) -> date:
    day = row["started_at"].astimezone(ZONE).date()
    return day - timedelta(days=day.weekday())


def periods() -> dict[str, list[date]]:
    """Row heading -> the Mondays it covers."""
    found = {}
    for label, mondays in MONTHS.items():
        for monday in mondays:
            year, week, _ = monday.isocalendar()
            found[f"Week {year}-W{week:02d} ({monday.day} {monday.strftime('%b')})"] = [monday]
        found[label] = mondays
    return found


def rows_in(rows: list[dict], mondays: list[date]) -> list[dict]:
    wanted = set(mondays)
    return [r for r in rows if local_monday(r) in wanted]


def r5(value: float) -> str:
    return str(int(math.floor(value / 5 + 0.5) * 5))


def pct(part: float, whole: float) -> str:
    """A share as the page shows it: of the two counts rounded to 5, never of the exact ones."""
    part, whole = int(r5(part)), int(r5(whole))
    return f"{100 * part / whole:.0f}%" if whole else "0%"


def expected_use(chosen: list[dict]) -> tuple[str, ...]:
    done = [r for r in chosen if r["finished_at"] is not None]
    asked = [r for r in chosen if r["asked"]]
    answered = [r for r in chosen if r["before"] is not None]
    pairs = [r for r in answered if r["after"] is not None]
    return (r5(len({r["listener_key"] for r in chosen})), r5(len(chosen)),
            r5(sum(r["minutes"] for r in done)), pct(len(done), len(chosen)),
            pct(len(answered), len(asked)), pct(len(pairs), len(answered)))


def expected_outcome(chosen: list[dict]) -> dict[str, object]:
    by_person = defaultdict(list)
    for r in chosen:
        if r["before"] is not None and r["after"] is not None:
            by_person[r["listener_key"]].append((r["before"], r["after"]))
    changes = [statistics.fmean(a - b for b, a in p) for p in by_person.values()]
    n = len(changes)
    if n < 2:
        return {"people": n, "pairs": sum(map(len, by_person.values()))}
    low, high = stats.t.interval(0.95, n - 1, loc=statistics.fmean(changes),
                                 scale=statistics.stdev(changes) / math.sqrt(n))
    return {"people": n, "pairs": sum(map(len, by_person.values())),
            "before": statistics.fmean(statistics.fmean(b for b, _ in p)
                                       for p in by_person.values()),
            "after": statistics.fmean(statistics.fmean(a for _, a in p)
                                      for p in by_person.values()),
            "change": statistics.fmean(changes), "ci": (low, high),
            "better": sum(c < 0 for c in changes), "same": sum(c == 0 for c in changes),
            "worse": sum(c > 0 for c in changes)}


# --- the tests ---------------------------------------------------------------------------------

def test_the_data_set_is_realistic():
    rows = seed_rows()
    per_person = defaultdict(int)
    for r in rows:
        per_person[r["listener_key"]] += 1
    counts = sorted(per_person.values())
    assert len(per_person) >= 300 and len(rows) > 3000
    assert counts[-1] > 10 * statistics.median(counts)  # skewed: heavy users and light ones
    answered = [r for r in rows if r["before"] is not None]
    assert 0.2 < sum(r["after"] is None for r in answered) / len(answered) < 0.8


def test_every_figure_shown_matches_an_independent_computation(seeded):
    store, rows = seeded
    view = build(store, 10)
    assert [m.label() for m in view.months] == list(MONTHS)
    shown = 0
    for scope in ("weeks", "months"):
        table = view.tables[f"use-{scope}"]
        for heading, cells in table.rows:
            chosen = rows_in(rows, periods()[heading])
            people = len({r["listener_key"] for r in chosen})
            if people < 10:
                assert cells == (HIDDEN,) * 6, heading
            elif cells[0] != HIDDEN:
                assert cells == expected_use(chosen), heading
                shown += 1
        for dim in ("channel", "block", "daytype"):
            table = view.tables[f"{dim}-{scope}"]
            for heading, cells in table.rows:
                chosen = rows_in(rows, periods()[heading])
                for column, cell in zip(table.columns, cells, strict=True):
                    part = [r for r in chosen if category(dim, r) == column]
                    if len({r["listener_key"] for r in part}) < 10:
                        assert cell == HIDDEN, (heading, column)
                    elif cell != HIDDEN:
                        assert cell == f"{r5(len(part))} ({pct(len(part), len(chosen))})"
                        shown += 1
    assert shown > 40


def category(dim: str, row: dict) -> str:
    local = row["started_at"].astimezone(ZONE)
    if dim == "channel":
        return {"alexa": "Alexa", "phone": "Phone", "web": "Web"}[row["channel"]]
    if dim == "daytype":
        return "Weekends" if local.weekday() >= 5 else "Weekdays"
    return f"{local.hour // 6 * 6:02d}:00–{local.hour // 6 * 6 + 6:02d}:00"


def test_the_outcome_matches_an_independent_computation(seeded):
    store, rows = seeded
    view = build(store, 10)
    checked = 0
    for scope in ("weeks", "months"):
        for heading, cells in view.tables[f"outcome-{scope}"].rows:
            want = expected_outcome(rows_in(rows, periods()[heading]))
            if want["people"] < 10 or want["pairs"] < 10:
                assert cells == (HIDDEN,) * 9, heading
                continue
            if cells[0] == HIDDEN:
                continue
            assert cells[:6] == (r5(want["people"]), r5(want["pairs"]),
                                 f"{want['before']:.2f}", f"{want['after']:.2f}",
                                 f"{want['change']:+.2f}",
                                 f"{want['ci'][0]:+.2f} to {want['ci'][1]:+.2f}"), heading
            for name, cell in zip(("better", "same", "worse"), cells[6:], strict=True):
                if want[name] < 10:
                    assert cell == HIDDEN
                elif cell != HIDDEN:
                    assert cell == pct(want[name], want["people"])
            checked += 1
    assert checked >= 3  # every month at least


def test_top_practices_and_the_distribution(seeded):
    store, rows = seeded
    view = build(store, 10)
    for heading, cells in view.tables["practices"].rows:
        chosen = rows_in(rows, periods()[heading])
        users, count = defaultdict(set), defaultdict(int)
        for r in chosen:
            users[r["practice_id"]].add(r["listener_key"])
            count[r["practice_id"]] += 1
        eligible = sorted(((count[p], p) for p in users if len(users[p]) >= 10), reverse=True)
        formatted = [f"{p}: {r5(n)} ({pct(n, len(chosen))})" for n, p in eligible]
        named = [c for c in cells if c]
        # named in order of use, from 10 people or more; one may give way as a complement
        assert named and all(c in formatted for c in named)
        assert named == sorted(named, key=formatted.index)
        assert len(named) >= min(5, len(eligible) - 1)
    label = "October 2026"
    pairs = [r for r in rows_in(rows, MONTHS[label]) if r["before"] and r["after"]]
    table = view.tables["distribution"]
    assert label in table.caption
    for (heading, cells), side in zip(table.rows, ("before", "after"), strict=True):
        for level, cell in zip(range(1, 6), cells, strict=True):
            given = [r for r in pairs if r[side] == level]
            if len({r["listener_key"] for r in given}) < 10:
                assert cell == HIDDEN, (heading, level)
            elif cell != HIDDEN:
                assert cell == pct(len(given), len(pairs))


def test_roll_ups_wait_for_the_month_and_survive_the_rows(store):
    rows = seed_rows(listeners=60, weeks=12)
    insert(store, rows)
    early = datetime(2026, 10, 31, tzinfo=UTC)  # October's last week has not ended
    assert [m.label() for m in roll_up_due(store, ZONE, early)] == ["August 2026",
                                                                     "September 2026"]
    before = build(store, 5)
    kept = rollups(store)
    # prune at 90 days, long after: October is rolled up first, then every row goes
    later = AT + timedelta(days=120)
    pruned = prune_checkins(store, 90, ZONE, later)
    assert pruned.months_rolled_up >= 1 and pruned.sessions == len(rows)
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sessions)).scalar() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(
            program_rollups)).scalar() > 0
    # counts and means only: no key, of anyone, in the roll-ups
    keys = {r["listener_key"] for r in rows}
    assert not keys & {category for (_, _, _, category) in rollups(store)}
    # August and September exactly as they were before the rows went
    assert {k: v for k, v in rollups(store).items() if k in kept} == kept
    assert [label for label, _ in before.tables["use-months"].rows] == ["August 2026",
                                                                        "September 2026"]


def rollups(store) -> dict:
    with store.engine.connect() as conn:
        return {tuple(r[:4]): tuple(r[4:-1]) for r in conn.execute(
            sa.select(program_rollups).order_by(*program_rollups.primary_key.columns))}


def test_prune_never_deletes_rows_of_a_month_not_rolled_up(store):
    rows = seed_rows(listeners=30, weeks=12)
    insert(store, rows)
    # 42 days after the data began, but no month has ended by then: nothing may go
    at = datetime(2026, 8, 20, tzinfo=UTC)
    assert prune_checkins(store, 42, ZONE, at).sessions == 0


def test_db_prune_rolls_up_then_deletes_old_check_ins(tmp_path):
    """`python -m voice_app db prune` from cron: every complete month is rolled up before any
    check-in older than CHECKIN_RETENTION_DAYS is deleted."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from voice_app.schema import upgrade
    from voice_app.store import Store, now

    url = f"sqlite:///{tmp_path / 'prune.sqlite3'}"
    upgrade(url)
    store = Store(url)
    old = [dict(r, started_at=r["started_at"] + (now() - AT) - timedelta(days=60),
                finished_at=None) for r in seed_rows(listeners=40)]
    insert(store, old)
    oldest = min(r["started_at"] for r in old)
    env = {**os.environ, "DATABASE_URL": url, "CHECKIN_RETENTION_DAYS": "60",
           "APP_ENV": "production"}
    done = subprocess.run([sys.executable, "-m", "voice_app", "db", "prune"], env=env,
                          cwd=Path(__file__).resolve().parent.parent, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with store.engine.connect() as conn:
        left = conn.execute(sa.select(sa.func.min(sessions.c.started_at))).scalar()
        months = conn.execute(sa.select(sa.func.count()).select_from(program_rollups).where(
            program_rollups.c.period_kind == "month",
            program_rollups.c.dimension == "all")).scalar()
    store.dispose()
    assert months >= 3 and f"rolled up {months} months" in done.stdout
    deleted = int(done.stdout.split("then pruned ")[1].split()[0])
    assert deleted > 0 and (left is None or left.replace(tzinfo=UTC) > oldest)


def test_the_retention_sweep_rolls_up_then_prunes_check_ins(app_config):
    from voice_app import create_app
    from voice_app.store import now

    app = create_app({**app_config, "CHECKIN_RETENTION_DAYS": "90"})
    store = app.extensions["store"]
    rows = [dict(r, started_at=r["started_at"] + (now() - AT) - timedelta(days=60),
                 finished_at=None) for r in seed_rows(listeners=40)]
    insert(store, rows)
    app.extensions["sweeper"].sweep()
    with store.engine.connect() as conn:
        left = conn.execute(sa.select(sa.func.count()).select_from(sessions)).scalar()
        rolled = conn.execute(sa.select(sa.func.count()).select_from(program_rollups)).scalar()
    assert 0 < left < len(rows) and rolled > 0


def test_two_processes_rolling_up_the_same_month_agree(store):
    """The first insert of a period wins; a second (another host, the sweep and a view at
    once) changes nothing and fails nothing."""
    from voice_app.program.periods import Month
    from voice_app.program.rollup import roll_up_month

    insert(store, seed_rows(listeners=50))
    roll_up_month(store, Month(2026, 9), ZONE, AT)
    first = rollups(store)
    roll_up_month(store, Month(2026, 9), ZONE, AT + timedelta(hours=1))
    assert rollups(store) == first and len(first) > 50
