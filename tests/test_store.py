"""The progress store, on SQLite and on the real PostgreSQL server: one suite for both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from voice_app.schema import upgrade
from voice_app.store import Position, Preferences, Store


def position(offset_ms: int, event_ms: int, status: str = "paused") -> Position:
    return Position("loving-kindness", 5, "ab" * 32, offset_ms, 1, status, "alexa", event_ms)


def test_upgrade_is_idempotent(store):
    assert upgrade(store.url).describe().startswith("schema already at ")
    assert store.ping()


def test_save_and_get_position(store):
    assert store.get_position("k") is None
    assert store.save_position("k", position(72_000, 1000))
    assert store.get_position("k") == position(72_000, 1000)


def test_stale_event_never_overwrites_newer_progress(store):
    store.save_position("k", position(90_000, 2000))
    assert not store.save_position("k", position(10_000, 1000))
    assert store.get_position("k").offset_ms == 90_000
    assert store.save_position("k", position(95_000, 3000, "playing"))
    assert store.get_position("k").status == "playing"


def test_clear_position_respects_newer_events(store):
    store.save_position("k", position(90_000, 2000))
    assert not store.clear_position("k", 1000)
    assert store.clear_position("k", 2000)
    assert store.get_position("k") is None


def test_history(store):
    start = datetime.now(UTC)
    store.record_completion("k", "loving-kindness", 5, "alexa", start - timedelta(days=8))
    store.record_completion("k", "the-pause", 1, "phone", start)
    store.record_completion("other", "the-pause", 1, "phone", start)
    week = store.completions_since("k", start - timedelta(days=7))
    assert [(c.practice_id, c.minutes, c.channel) for c in week] == [("the-pause", 1, "phone")]
    assert week[0].completed_at.tzinfo is not None


def test_calls(store):
    assert store.get_call("c") is None
    store.save_call("c", {"practice_id": "x", "segment": 3})
    store.save_call("c", {"practice_id": "x", "segment": 4})
    assert store.get_call("c") == {"practice_id": "x", "segment": 4}
    store.delete_call("c")
    assert store.get_call("c") is None


def test_unreachable_database_raises_store_unavailable():
    from voice_app.store import StoreUnavailable

    store = Store("postgresql+psycopg://postgres@127.0.0.1:1/test", connect_timeout_s=1)
    assert not store.ping()
    with pytest.raises(StoreUnavailable):
        store.get_position("k")



def _end_pooled_sessions(store: Store, count: int = 3) -> None:
    """What a database restart or failover does to the pool: its sessions end server-side."""
    held = [store.engine.connect() for _ in range(count)]
    pids = [c.connection.dbapi_connection.info.backend_pid for c in held]
    for connection in held:
        connection.close()
    admin = sa.create_engine(store.server_url)
    with admin.begin() as conn:
        ended = conn.execute(sa.text("SELECT count(*) FROM unnest(CAST(:pids AS int[])) AS p "
                                     "WHERE pg_terminate_backend(p)"), {"pids": pids})
        assert ended.scalar_one() == count
    admin.dispose()


@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
def test_pooled_connections_dropped_by_the_server_are_replaced_without_an_error(store):
    assert store.save_position("k", position(1_000, 1))
    _end_pooled_sessions(store)
    # the first use of a dead pooled connection is retried once on a fresh one
    assert store.get_position("k") == position(1_000, 1)
    assert store.save_position("k", position(2_000, 2))
    assert store.get_position("k") == position(2_000, 2)
    _end_pooled_sessions(store)
    assert store.ping()  # /healthz does not report a restart that is already over


def test_position_keeps_its_language(store):
    spanish = Position("loving-kindness", 5, "ab" * 32, 1000, 1, "paused", "phone", 10, "es")
    store.save_position("k", spanish)
    assert store.get_position("k").language == "es"
    store.save_position("j", position(1000, 10))
    assert store.get_position("j").language == "en"


def test_preferences_are_set_one_at_a_time_and_forgotten(store):
    assert store.get_preferences("k") == Preferences()
    assert store.set_preferences("k", language="es") == Preferences("es", None)
    assert store.set_preferences("k", checkin="off") == Preferences("es", "off")
    assert store.set_preferences("k", checkin="on").language == "es"
    assert store.get_preferences("other") == Preferences()
    with pytest.raises(ValueError, match="checkin"):
        store.set_preferences("k", checkin="maybe")
    with pytest.raises(ValueError, match="unknown preference"):
        store.set_preferences("k", colour="blue")
    assert store.get_preferences("k") == Preferences("es", "on")
    assert store.forget("k") == 1
    assert store.get_preferences("k") == Preferences()


def test_preferences_expire_with_the_retention(store):
    store.set_preferences("k", language="es")
    assert store.prune(400, at=datetime.now(UTC) + timedelta(days=401)).preferences == 1
    assert store.get_preferences("k") == Preferences()
