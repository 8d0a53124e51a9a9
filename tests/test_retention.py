"""Bounded data, on SQLite and the real PostgreSQL: what `prune` deletes and what it keeps (a
paused position a listener may come back to), batches, pruners on several hosts at once, and the
in-process sweep that runs beside requests, never inside one."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alexa_helpers import postgres_schema

from voice_app import create_app
from voice_app.retention import Sweeper
from voice_app.schema import upgrade
from voice_app.store import PRUNE_BATCH, Position, Pruned, Store, calls, history, progress

NOW = datetime.now(UTC)




def put_position(store: Store, key: str, status: str, age: timedelta) -> None:
    with store.engine.begin() as conn:
        conn.execute(progress.insert(), {
            "listener_key": key, "channel": "alexa", "practice_id": "body-scan", "minutes": 10,
            "audio_sha": "cd" * 32, "offset_ms": 240_000, "step": 4, "status": status,
            "event_ms": 1, "updated_at": NOW - age})


def put_call(store: Store, key: str, age: timedelta) -> None:
    with store.engine.begin() as conn:
        conn.execute(calls.insert(), {"call_key": key, "data": "{}", "updated_at": NOW - age})


def count(store: Store, table: sa.Table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_prune_deletes_what_is_past_retention_and_keeps_a_paused_position(store):
    days = timedelta(days=1)
    for age in (401 * days, 399 * days, timedelta(0)):
        store.record_completion("k", "the-pause", 1, "alexa", NOW - age)
    put_call(store, "call-abandoned", timedelta(hours=25))
    put_call(store, "call-live", timedelta(hours=23))
    put_position(store, "paused-399-days", "paused", 399 * days)
    put_position(store, "paused-30-days", "paused", 30 * days)
    put_position(store, "untouched-401-days", "paused", 401 * days)

    assert store.prune(400) == Pruned(completions=1, calls=1, positions=1)

    ages = sorted(round((NOW - c.completed_at) / days)
                  for c in store.completions_since("k", NOW - 1000 * days))
    assert ages == [0, 399]
    assert store.get_call("call-abandoned") is None and store.get_call("call-live") == {}
    assert store.get_position("untouched-401-days") is None
    assert store.get_position("paused-399-days") == Position(
        "body-scan", 10, "cd" * 32, 240_000, 4, "paused", "alexa", 1)
    assert store.get_position("paused-30-days") is not None
    assert store.prune(400) == Pruned(0, 0, 0)  # nothing left to do
    with pytest.raises(ValueError):
        store.prune(0)


def test_a_position_saved_today_survives_a_short_retention(store):
    store.save_position("k", Position("body-scan", 10, "cd" * 32, 240_000, 4, "paused",
                                      "alexa", 5))
    assert store.prune(1).positions == 0
    assert store.get_position("k") is not None


def test_prune_deletes_in_batches(store):
    old = NOW - timedelta(days=500)
    rows = [{"listener_key": f"k{i}", "channel": "phone", "practice_id": "the-pause",
             "minutes": 1, "completed_at": old} for i in range(2 * PRUNE_BATCH + 203)]
    with store.engine.begin() as conn:
        conn.execute(history.insert(), rows)
    store.record_completion("recent", "the-pause", 1, "phone")
    deletes: list[int] = []

    def watch(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        if statement.startswith("DELETE FROM history"):
            deletes.append(cursor.rowcount)

    sa.event.listen(store.engine, "after_cursor_execute", watch)
    assert store.prune(400).completions == 2 * PRUNE_BATCH + 203
    assert deletes == [PRUNE_BATCH, PRUNE_BATCH, 203]
    assert count(store, history) == 1


def test_pruners_on_several_hosts_at_once_delete_each_row_once(postgres_url):
    total = 3 * PRUNE_BATCH + 17
    with postgres_schema(postgres_url) as url:
        upgrade(url)
        stores = [Store(url) for _ in range(4)]
        rows = [{"listener_key": f"k{i}", "channel": "alexa", "practice_id": "the-pause",
                 "minutes": 1, "completed_at": NOW - timedelta(days=900)} for i in range(total)]
        with stores[0].engine.begin() as conn:
            conn.execute(history.insert(), rows)
        results: list[Pruned] = []
        errors: list[BaseException] = []
        start = threading.Barrier(len(stores))

        def prune(store: Store) -> None:
            try:
                start.wait(timeout=10)
                results.append(store.prune(400))
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=prune, args=(s,)) for s in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert sum(r.completions for r in results) == total
        assert count(stores[0], history) == 0
        for store in stores:
            store.dispose()


def test_the_sweep_runs_beside_a_request_never_inside_it(app_config):
    app = create_app({**app_config, "RETENTION_SWEEP_MINUTES": 60, "RETENTION_DAYS": 30})
    store, sweeper = app.extensions["store"], app.extensions["sweeper"]
    store.record_completion("k", "the-pause", 1, "phone", NOW - timedelta(days=31))
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert sweeper.thread is None  # not due: the first sweep comes an interval after start

    # another writer holds SQLite's write lock: the sweep will wait for it, the request must not
    blocker = sa.create_engine(app_config["DATABASE_URL"], poolclass=sa.pool.NullPool,
                               connect_args={"isolation_level": None})
    conn = blocker.raw_connection()
    conn.execute("BEGIN EXCLUSIVE")
    sweeper.due = sweeper.clock()
    began = time.monotonic()
    assert client.get("/healthz").status_code == 200
    answered = time.monotonic() - began
    thread = sweeper.thread
    assert thread is not None
    time.sleep(0.5)
    assert thread.is_alive(), "the sweep should still be waiting for the write lock"
    assert answered < 0.5, f"the request took {answered:.2f} s"
    assert count(store, history) == 1
    assert client.get("/healthz").status_code == 200 and sweeper.thread is thread  # one at a time
    conn.execute("COMMIT")
    conn.close()
    blocker.dispose()
    thread.join(timeout=15)
    assert not thread.is_alive()
    assert count(store, history) == 0
    assert sweeper.due > sweeper.clock() + 59 * 60  # the next one is an interval away


def test_sweeps_at_most_once_per_interval():
    class Recorder:
        def __init__(self) -> None:
            self.calls = 0

        def prune(self, days: int) -> Pruned:
            self.calls += 1
            return Pruned(0, 0, 0)

    now = [1000.0]
    recorder = Recorder()
    sweeper = Sweeper(recorder, 400, 600.0, clock=lambda: now[0])  # type: ignore[arg-type]
    assert sweeper.maybe_start() is None
    now[0] += 599
    assert sweeper.maybe_start() is None
    now[0] += 1
    sweeper.maybe_start().join(5)
    assert sweeper.maybe_start() is None
    now[0] += 600
    sweeper.maybe_start().join(5)
    assert recorder.calls == 2


def test_sweep_off_when_minutes_is_zero(app_config):
    app = create_app({**app_config, "RETENTION_SWEEP_MINUTES": 0})
    assert "sweeper" not in app.extensions
