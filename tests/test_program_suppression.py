"""Suppression: nobody can be singled out by differencing two views of the program view.

The attacker here reads only the tables the page shows (as a wellness lead would) and forms
every sum the page implies: a row and its total (a period's channels, blocks, weekday/weekend
add up to its sessions; better + same + worse is everyone paired), a month and its weeks (a
month is exactly its weeks). If any such equation had exactly one hidden member that is not
zero, that member could be worked out; the tests assert none has, on a data set built so that
the naive rule ("hide cells under 10") gives one person away, and that the same period looks
the same after that person is forgotten."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from test_program_figures import ZONE, category, insert

from voice_app.program.figures import HIDDEN, build
from voice_app.program.rollup import roll_up_due
from voice_app.program.suppress import Equation, derivable, suppress

SEPTEMBER = [date(2026, 8, 31) + timedelta(weeks=i) for i in range(4)]
AT = datetime(2026, 10, 20, tzinfo=UTC)
TARGET = "target" + "0" * 58
SPLIT_COLUMNS = {"channel": ("Alexa", "Phone", "Web"),
                 "block": ("00:00–06:00", "06:00–12:00", "12:00–18:00", "18:00–24:00"),
                 "daytype": ("Weekdays", "Weekends")}


def session(key: str, channel: str, day: date, hour: int, before=None, after=None) -> dict:
    started = datetime(day.year, day.month, day.day, hour, 15, tzinfo=ZONE).astimezone(UTC)
    return {"listener_key": key, "channel": channel, "practice_id": "loving-kindness",
            "minutes": 10, "language": "en", "started_at": started,
            "finished_at": started + timedelta(minutes=10), "asked": before is not None,
            "before": before, "after": after, "after_delay_s": 5 if after else None,
            "after_declined": False}


def september() -> list[dict]:
    """40 Alexa listeners every week; 12 phone listeners in weeks 1-3; in week 4 the phone's
    only caller is the target (twice, at night, the only one to feel worse)."""
    rows = []
    for n in range(40):
        for week, monday in enumerate(SEPTEMBER):
            better = 3 if n % 3 else 4
            rows.append(session(f"a{n:03d}", "alexa", monday + timedelta(days=n % 5),
                                9 + n % 8, better + 1, better - (week % 2)))
    for n in range(12):
        for monday in SEPTEMBER[:3]:
            rows.append(session(f"p{n:03d}", "phone", monday + timedelta(days=1 + n % 4),
                                13 + n % 4, 3, 3 if n % 2 else 2))
    for day in (1, 2):
        rows.append(session(TARGET, "phone", SEPTEMBER[3] + timedelta(days=day), 2, 2, 5))
    return rows


@pytest.fixture
def attacked(store):
    rows = september()
    insert(store, rows)
    roll_up_due(store, ZONE, AT)
    return store, rows


def weeks_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"Week {year}-W{week:02d} ({monday.day} {monday.strftime('%b')})"


def truth(rows: list[dict], dim: str, heading: str, column: str | None) -> int:
    """The true value behind a cell: sessions of that period (and category)."""
    if heading == "September 2026":
        chosen = rows
    else:
        monday = next(m for m in SEPTEMBER if weeks_label(m) == heading)
        chosen = [r for r in rows
                  if monday <= r["started_at"].astimezone(ZONE).date() < monday + timedelta(7)]
    return sum(1 for r in chosen if column is None or category(dim, r) == column)


def equations_a_reader_can_form(view) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(name, members): each member is (table, row, column); the first is the total."""
    found = []
    labels = [weeks_label(m) for m in SEPTEMBER]
    for dim, columns in SPLIT_COLUMNS.items():
        for heading in (*labels, "September 2026"):
            scope = "months" if heading.startswith("Sep") else "weeks"
            found.append((f"{dim} row {heading}",
                          [(f"use-{scope}", heading, "Sessions")]
                          + [(f"{dim}-{scope}", heading, c) for c in columns]))
        for c in columns:
            found.append((f"{dim} column {c}", [(f"{dim}-months", "September 2026", c)]
                          + [(f"{dim}-weeks", w, c) for w in labels]))
    found.append(("sessions column", [("use-months", "September 2026", "Sessions")]
                  + [("use-weeks", w, "Sessions") for w in labels]))
    return found


def cell(view, table: str, row: str, column: str) -> str:
    t = view.tables[table]
    cells = dict(t.rows)[row]
    return cells[t.columns.index(column)]


def test_the_naive_rule_would_give_the_target_away(attacked):
    """The data set does what it is meant to: the target is the only caller of week 4, and the
    month's phone figure minus weeks 1-3 would be exactly their two calls."""
    _, rows = attacked
    phone_weeks = [truth(rows, "channel", weeks_label(m), "Phone") for m in SEPTEMBER]
    assert phone_weeks == [12, 12, 12, 2]
    assert truth(rows, "channel", "September 2026", "Phone") - sum(phone_weeks[:3]) == 2


def test_no_hidden_cell_can_be_worked_out_from_the_page(attacked):
    store, rows = attacked
    view = build(store, 10)
    assert cell(view, "channel-weeks", weeks_label(SEPTEMBER[3]), "Phone") == HIDDEN
    assert cell(view, "channel-months", "September 2026", "Phone") != HIDDEN
    for name, members in equations_a_reader_can_form(view):
        hidden = [m for m in members if cell(view, *m) == HIDDEN]
        nonzero = [m for m in hidden
                   if truth(rows, m[0].split("-")[0], m[1],
                            None if m[2] == "Sessions" else m[2])]
        assert len(nonzero) != 1, f"{name}: {nonzero[0]} could be worked out"
    # and the target's week: neither its phone cell nor its total gives them away
    week4 = weeks_label(SEPTEMBER[3])
    assert cell(view, "channel-weeks", week4, "Alexa") == HIDDEN \
        or cell(view, "use-weeks", week4, "Sessions") == HIDDEN


def test_shares_tell_nothing_the_rounded_counts_do_not(attacked):
    """A share of exact counts pins a row's exact total (several shares of one row leave one
    whole number), and a hidden neighbour then follows by subtraction: every share shown must
    be a share of the rounded counts, and a row whose total is hidden shows no part at all."""
    store, _ = attacked
    view = build(store, 10)
    checked = 0
    for dim in SPLIT_COLUMNS:
        for scope in ("weeks", "months"):
            table = view.tables[f"{dim}-{scope}"]
            for label, cells in table.rows:
                total = cell(view, f"use-{scope}", label, "Sessions")
                if total == HIDDEN:
                    assert set(cells) == {HIDDEN}, (table.id, label, cells)
                    continue
                for text in cells:
                    if text == HIDDEN:
                        continue
                    count, share = text.rstrip("%)").split(" (")
                    assert int(count) % 5 == 0
                    assert share == f"{100 * int(count) / int(total):.0f}", (label, text, total)
                    checked += 1
    assert checked >= 10


def test_the_one_person_who_felt_worse_cannot_be_found(attacked):
    store, rows = attacked
    view = build(store, 10)
    table = view.tables["outcome-months"]
    row = dict(table.rows)["September 2026"]
    assert row[0] != HIDDEN  # the month's outcome is shown ...
    better, same, worse = row[6:]
    assert worse == HIDDEN  # ... the target alone felt worse: hidden, and not alone
    assert [better, same].count(HIDDEN) >= 1


def test_forgetting_the_target_changes_no_figure_already_shown(attacked):
    store, _ = attacked
    first = build(store, 10)
    assert store.forget(TARGET) == 2
    roll_up_due(store, ZONE, AT + timedelta(days=3))
    again = build(store, 10)
    assert again.tables == first.tables


# --- the rule itself ---------------------------------------------------------------------------

def test_a_lone_hidden_cell_takes_the_smallest_shown_part_with_it():
    values = {"total": 60, "a": 30, "b": 20, "c": 3, "d": 7}
    hidden = suppress(values, ["c"], [Equation("total", ("a", "b", "c", "d"))])
    assert hidden == {"c", "d"}
    assert derivable(values, hidden, [Equation("total", ("a", "b", "c", "d"))]) == {}


def test_a_hidden_zero_is_no_protection():
    values = {"total": 40, "alexa": 38, "phone": 2, "web": 0}
    hidden = suppress(values, ["phone", "web"], [Equation("total", ("alexa", "phone", "web"))])
    assert "alexa" in hidden or "total" in hidden


def test_the_hidden_cells_of_a_sum_are_never_all_small_groups():
    """web (2 people) and phone (3 people) hidden together would still give away the sessions
    of five people (total - alexa): one of the hidden must be a group of 10 or more."""
    values = {"total": 60, "alexa": 50, "phone": 6, "web": 4}
    people = {"total": 25, "alexa": 20, "phone": 3, "web": 2}
    equation = Equation("total", ("alexa", "phone", "web"))
    assert suppress(values, ["phone", "web"], [equation]) == {"phone", "web"}
    hidden = suppress(values, ["phone", "web"], [equation], people=people, min_group=10)
    assert hidden == {"phone", "web", "alexa"}


def test_complements_cascade_across_rows_and_columns():
    """A 2x2 table of weeks x channels with its margins: one small cell hides four."""
    values = {("w1", "a"): 30, ("w1", "p"): 3, ("w2", "a"): 25, ("w2", "p"): 20,
              ("w1", "t"): 33, ("w2", "t"): 45, ("m", "a"): 55, ("m", "p"): 23, ("m", "t"): 78}
    equations = [Equation((r, "t"), ((r, "a"), (r, "p"))) for r in ("w1", "w2", "m")]
    equations += [Equation(("m", c), (("w1", c), ("w2", c))) for c in ("a", "p", "t")]
    hidden = suppress(values, [("w1", "p")], equations)
    assert derivable(values, hidden, equations) == {}
    assert {("w1", "p"), ("w1", "a"), ("w2", "p"), ("w2", "a")} <= hidden


@pytest.mark.parametrize("seed", range(30))
def test_random_tables_never_leave_one_unknown(seed):
    import random

    rng = random.Random(seed)
    rows, columns = rng.randrange(2, 6), rng.randrange(2, 5)
    values, primary = {}, []
    for r in range(rows):
        for c in range(columns):
            values[(r, c)] = rng.choice((0, rng.randrange(1, 10), rng.randrange(10, 80)))
            if values[(r, c)] < 10:
                primary.append((r, c))
        values[(r, "t")] = sum(values[(r, c)] for c in range(columns))
    for c in [*range(columns), "t"]:
        values[("m", c)] = sum(values[(r, c)] for r in range(rows))
    equations = [Equation((r, "t"), tuple((r, c) for c in range(columns)))
                 for r in [*range(rows), "m"]]
    equations += [Equation(("m", c), tuple((r, c) for r in range(rows)))
                  for c in [*range(columns), "t"]]
    hidden = suppress(values, primary, equations)
    assert set(primary) <= hidden
    leaked = derivable(values, hidden, equations)
    assert all(values[key] == 0 for key in leaked), leaked
