"""The progress store: where each listener is in a practice, what they finished, live calls.

One implementation on SQLAlchemy Core for SQLite (default, a file under var/) and PostgreSQL
(`DATABASE_URL`, shared by any number of app hosts). Listeners are known only by keyed hashes
(see `keys.py`). Events can arrive out of order: a position carries the timestamp of the event
that produced it, and an older event never overwrites a newer position.

The tables below are the schema this code expects; the Alembic migrations in
`voice_app/migrations/` create it (`voice_app.schema`), and a test checks that the two agree.
Changing a table here means adding a migration.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

logger = logging.getLogger(__name__)

metadata = sa.MetaData()

progress = sa.Table(
    "progress", metadata,
    sa.Column("listener_key", sa.String(64), primary_key=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("practice_id", sa.String(100), nullable=False),
    sa.Column("minutes", sa.Integer, nullable=False),
    sa.Column("audio_sha", sa.String(64), nullable=False),
    sa.Column("offset_ms", sa.BigInteger, nullable=False),
    sa.Column("step", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("event_ms", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("language", sa.String(8), nullable=False, server_default="en"),
    sa.Index("ix_progress_updated_at", "updated_at"),
)

history = sa.Table(
    "history", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("listener_key", sa.String(64), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("practice_id", sa.String(100), nullable=False),
    sa.Column("minutes", sa.Integer, nullable=False),
    sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_history_completed_at", "completed_at"),
)

calls = sa.Table(
    "calls", metadata,
    sa.Column("call_key", sa.String(64), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_calls_updated_at", "updated_at"),
)

preferences = sa.Table(
    "preferences", metadata,
    sa.Column("listener_key", sa.String(64), primary_key=True),
    # the language the listener last chose (NULL: the channel's default)
    sa.Column("language", sa.String(8), nullable=True),
    # "on" or "off" once the listener has chosen check-ins; NULL until then
    sa.Column("checkin", sa.String(8), nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_preferences_updated_at", "updated_at"),
)

sessions = sa.Table(
    "sessions", metadata,
    # one row per practice started on any channel, asked or not (voice_app/checkins.py)
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("listener_key", sa.String(64), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("practice_id", sa.String(100), nullable=False),
    sa.Column("minutes", sa.Integer, nullable=False),
    sa.Column("language", sa.String(8), nullable=False, server_default="en"),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    # the before question was put (answered or skipped)
    sa.Column("asked", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("before", sa.SmallInteger, nullable=True),
    # stored only when it counts (within checkins.AFTER_WINDOW of finished_at)
    sa.Column("after", sa.SmallInteger, nullable=True),
    # seconds from finished_at to the after answer, stored whether or not it counts
    sa.Column("after_delay_s", sa.Integer, nullable=True),
    sa.Column("after_declined", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_sessions_listener_key_started_at", "listener_key", "started_at"),
    sa.Index("ix_sessions_started_at", "started_at"),
)

program_rollups = sa.Table(
    "program_rollups", metadata,
    # the program view's aggregates of `sessions`, one row per period, dimension and category,
    # computed once a period's month has ended and kept after the rows expire
    # (voice_app/program/rollup.py); exact counts, suppressed and rounded only when shown
    sa.Column("period_kind", sa.String(8), primary_key=True),
    sa.Column("period_start", sa.Date, primary_key=True),
    sa.Column("dimension", sa.String(16), primary_key=True),
    sa.Column("category", sa.String(100), primary_key=True),
    sa.Column("people", sa.Integer, nullable=False),
    sa.Column("sessions", sa.Integer, nullable=False),
    sa.Column("minutes", sa.Integer, nullable=False),
    sa.Column("completed", sa.Integer, nullable=False),
    sa.Column("asked", sa.Integer, nullable=False),
    sa.Column("answered_before", sa.Integer, nullable=False),
    sa.Column("pairs", sa.Integer, nullable=False),
    sa.Column("mean_before", sa.Float, nullable=True),
    sa.Column("mean_after", sa.Float, nullable=True),
    sa.Column("mean_change", sa.Float, nullable=True),
    sa.Column("sd_change", sa.Float, nullable=True),
    sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
)

STATUSES = ("playing", "paused", "stopped", "finished", "retrying")
"""`retrying`: Alexa's player failed once and is trying the same place again."""

CALL_STATE_DAYS = 1
"""A call's state is needed only while the call lasts; the status callback deletes it, and the
rows of calls whose callback never came are pruned after this many days."""
PRUNE_BATCH = 500
"""Rows deleted per statement when pruning: short statements, so SQLite's write lock is never
held for long and requests keep writing between batches."""

T = TypeVar("T")


class StoreUnavailable(Exception):
    """The database cannot be reached right now; callers answer politely and try later."""


@dataclass(frozen=True)
class Position:
    """Where one listener is in one practice."""

    practice_id: str
    minutes: int
    audio_sha: str
    """sha256 of the audio the offset refers to: a rebuild changes it."""
    offset_ms: int
    step: int
    status: str
    channel: str
    event_ms: int
    """Timestamp (ms since the epoch) of the event that produced this position."""
    language: str = "en"
    """The language of the audio `audio_sha` names (a call-back resumes in it)."""


@dataclass(frozen=True)
class Preferences:
    """What one listener chose; None where they have not."""

    language: str | None = None
    checkin: str | None = None
    """"on" or "off"."""


NO_PREFERENCES = Preferences()


@dataclass(frozen=True)
class Pruned:
    """Rows deleted by one `Store.prune`."""

    completions: int
    calls: int
    positions: int
    preferences: int = 0


@dataclass(frozen=True)
class Completion:
    practice_id: str
    minutes: int
    channel: str
    completed_at: datetime


def now() -> datetime:
    return datetime.now(UTC)


class Store:
    def __init__(self, url: str, *, connect_timeout_s: int = 3) -> None:
        self.url = url
        self.engine = _make_engine(url, connect_timeout_s)
        self._upsert = postgresql.insert if self.engine.dialect.name == "postgresql" \
            else sqlite.insert
        self._save_position = self._position_upsert()
        call = self._upsert(calls).values({c.name: sa.bindparam(c.name) for c in calls.columns})
        self._save_call = call.on_conflict_do_update(
            index_elements=[calls.c.call_key],
            set_={"data": call.excluded.data, "updated_at": call.excluded.updated_at})
        # Every statement is built once, with bound parameters (see _position_upsert).
        key, call_key = sa.bindparam("listener_key"), sa.bindparam("call_key")
        self._get_position = sa.select(progress).where(progress.c.listener_key == key)
        self._clear_position = progress.delete().where(
            progress.c.listener_key == key, progress.c.event_ms <= sa.bindparam("event_ms"))
        self._record_completion = history.insert()
        self._completions_since = sa.select(history).where(
            history.c.listener_key == key, history.c.completed_at >= sa.bindparam("since"),
        ).order_by(history.c.completed_at)
        self._get_call = sa.select(calls.c.data).where(calls.c.call_key == call_key)
        self._delete_call = calls.delete().where(calls.c.call_key == call_key)
        self._forget = (progress.delete().where(progress.c.listener_key == key),
                        history.delete().where(history.c.listener_key == key),
                        preferences.delete().where(preferences.c.listener_key == key),
                        sessions.delete().where(sessions.c.listener_key == key))
        self._get_preferences = sa.select(preferences).where(
            preferences.c.listener_key == key)
        self._schema_revisions = sa.select(sa.column("version_num")).select_from(
            sa.table("alembic_version"))
        before = sa.bindparam("before")
        self._prune = {name: _batch_delete(table, key_column, time_column, before)
                       for name, table, key_column, time_column in (
                           ("completions", history, history.c.id, history.c.completed_at),
                           ("calls", calls, calls.c.call_key, calls.c.updated_at),
                           ("positions", progress, progress.c.listener_key,
                            progress.c.updated_at),
                           ("preferences", preferences, preferences.c.listener_key,
                            preferences.c.updated_at))}

    def _position_upsert(self) -> sa.Insert:
        """Built once: an upsert that only a newer (or same-time) event may win.

        Building the statement per request cost more than running it."""
        columns = [c.name for c in progress.columns]
        statement = self._upsert(progress).values({c: sa.bindparam(c) for c in columns})
        return statement.on_conflict_do_update(
            index_elements=[progress.c.listener_key],
            set_={c: statement.excluded[c] for c in columns if c != "listener_key"},
            where=progress.c.event_ms <= statement.excluded.event_ms,
        ).returning(progress.c.listener_key)

    def schema_revisions(self) -> tuple[str, ...]:
        """The revisions recorded in `alembic_version`; () when the table is missing."""
        def read(conn: Connection) -> tuple[str, ...]:
            if not conn.dialect.has_table(conn, "alembic_version"):
                return ()
            return tuple(conn.execute(self._schema_revisions).scalars())

        return self._run(read)

    def ping(self) -> bool:
        try:
            self._run(lambda conn: conn.execute(sa.text("SELECT 1")))
            return True
        except StoreUnavailable:
            return False

    def dispose(self) -> None:
        self.engine.dispose()

    def _run(self, work: Callable[[Connection], T], *, retry: bool = True,
             transaction: bool = False) -> T:
        """`work` on a pooled connection, as one transaction (on PostgreSQL each statement
        commits by itself: every operation here is one statement, so there is no BEGIN or
        COMMIT round trip).

        Connections are not pinged before use (a round trip per operation). When the server
        has dropped a pooled connection (a restart, a network cut), its first use fails as a
        disconnect, SQLAlchemy discards the pool's older connections, and the work runs once
        more on a fresh one; `retry=False` for work that must not run twice. `transaction=True`
        for work of several statements that must all happen or none (a real BEGIN and COMMIT
        on PostgreSQL too)."""
        for attempt in (1, 2):
            try:
                with self._begin(transaction) as conn:
                    return work(conn)
            except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
                if attempt == 1 and retry and error.connection_invalidated:
                    logger.info("database connection was dropped; trying a fresh one")
                    continue
                logger.warning("database unavailable: %s", type(error.orig or error).__name__)
                raise StoreUnavailable(str(error).splitlines()[0]) from None
        raise AssertionError("unreachable")

    @contextlib.contextmanager
    def _begin(self, transaction: bool) -> Iterator[Connection]:
        if not transaction or self.engine.dialect.name != "postgresql":
            with self.engine.begin() as conn:
                yield conn
            return
        with self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="READ COMMITTED")
            with conn.begin():
                yield conn

    # --- positions -------------------------------------------------------------------------

    def save_position(self, listener_key: str, position: Position) -> bool:
        """Store `position` unless a newer event already did; True if it was stored."""
        if position.status not in STATUSES:
            raise ValueError(f"unknown status {position.status!r}")
        values = {"listener_key": listener_key, **_position_values(position),
                  "updated_at": now()}
        return self._run(
            lambda conn: conn.execute(self._save_position, values).first() is not None)

    def get_position(self, listener_key: str) -> Position | None:
        row = self._run(lambda conn: conn.execute(
            self._get_position, {"listener_key": listener_key}).mappings().first())
        if row is None:
            return None
        return Position(**{k: row[k] for k in Position.__dataclass_fields__})

    def clear_position(self, listener_key: str, event_ms: int) -> bool:
        """Forget the position (practice finished or abandoned) unless a newer event set it."""
        return self._run(lambda conn: conn.execute(self._clear_position, {
            "listener_key": listener_key, "event_ms": event_ms}).rowcount > 0)

    # --- history ---------------------------------------------------------------------------

    def record_completion(self, listener_key: str, practice_id: str, minutes: int, channel: str,
                          at: datetime | None = None) -> None:
        values = {"listener_key": listener_key, "practice_id": practice_id, "minutes": minutes,
                  "channel": channel, "completed_at": at or now()}
        # not retried: a drop after the insert landed would record the practice twice
        self._run(lambda conn: conn.execute(self._record_completion, values), retry=False)

    def completions_since(self, listener_key: str, since: datetime) -> list[Completion]:
        rows = self._run(lambda conn: conn.execute(self._completions_since, {
            "listener_key": listener_key, "since": since}).mappings().all())
        return [Completion(r["practice_id"], r["minutes"], r["channel"],
                           _aware(r["completed_at"])) for r in rows]

    # --- preferences ------------------------------------------------------------------------

    def get_preferences(self, listener_key: str) -> Preferences:
        row = self._run(lambda conn: conn.execute(
            self._get_preferences, {"listener_key": listener_key}).mappings().first())
        if row is None:
            return NO_PREFERENCES
        return Preferences(language=row["language"], checkin=row["checkin"])

    def set_preferences(self, listener_key: str, **chosen: str | None) -> Preferences:
        """Record the listener's choices (`language=`, `checkin=`); the others stay as they
        were. Returns what is stored now."""
        unknown = set(chosen) - set(Preferences.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown preference {', '.join(sorted(unknown))}")
        if chosen.get("checkin") not in (None, "on", "off"):
            raise ValueError(f"checkin must be 'on' or 'off', not {chosen['checkin']!r}")
        values = {"listener_key": listener_key, **chosen, "updated_at": now()}
        statement = self._upsert(preferences).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[preferences.c.listener_key],
            set_={name: statement.excluded[name] for name in (*chosen, "updated_at")})
        self._run(lambda conn: conn.execute(statement))
        return self.get_preferences(listener_key)

    # --- forgetting ------------------------------------------------------------------------

    def forget(self, listener_key: str) -> int:
        """Delete every row kept under `listener_key` (place, history, preferences, sessions
        and their check-ins) in one transaction; the number of rows deleted.

        Live call state is filed under the call, not the listener, and holds the listener key
        only while that call lasts (the hotline deletes it when the call ends)."""
        def work(conn: Connection) -> int:
            values = {"listener_key": listener_key}
            return sum(conn.execute(statement, values).rowcount for statement in self._forget)
        # not retried: the deletes are safe to repeat, but a second run would count zero rows
        return self._run(work, retry=False, transaction=True)

    # --- live phone calls -------------------------------------------------------------------

    def save_call(self, call_key: str, data: dict[str, Any]) -> None:
        values = {"call_key": call_key, "data": json.dumps(data, sort_keys=True),
                  "updated_at": now()}
        self._run(lambda conn: conn.execute(self._save_call, values))

    def get_call(self, call_key: str) -> dict[str, Any] | None:
        text = self._run(lambda conn: conn.execute(
            self._get_call, {"call_key": call_key}).scalar_one_or_none())
        return None if text is None else json.loads(text)

    def delete_call(self, call_key: str) -> None:
        self._run(lambda conn: conn.execute(self._delete_call, {"call_key": call_key}))

    # --- retention --------------------------------------------------------------------------

    def prune(self, retention_days: int, *, at: datetime | None = None) -> Pruned:
        """Delete completions and positions older than `retention_days` and call state older
        than `CALL_STATE_DAYS`, `PRUNE_BATCH` rows per statement.

        A position is kept while it is younger than the retention however long it stays paused:
        a listener may come back to it. On PostgreSQL each batch locks its rows with SKIP LOCKED,
        so pruners on several hosts at once take different rows and never wait for each other."""
        if retention_days < 1:
            raise ValueError(f"retention_days must be at least 1, not {retention_days}")
        at = at or now()
        cutoffs = {"completions": at - timedelta(days=retention_days),
                   "calls": at - timedelta(days=CALL_STATE_DAYS),
                   "positions": at - timedelta(days=retention_days),
                   "preferences": at - timedelta(days=retention_days)}
        counts = {}
        for name, statement in self._prune.items():
            counts[name] = 0
            while True:
                deleted = self._run(lambda conn, s=statement, name=name: conn.execute(
                    s, {"before": cutoffs[name]}).rowcount)
                counts[name] += deleted
                if deleted < PRUNE_BATCH:
                    break
        return Pruned(**counts)


def _batch_delete(table: sa.Table, key: sa.Column, time: sa.Column,
                  before: sa.BindParameter) -> sa.Delete:
    """DELETE the first PRUNE_BATCH rows older than `before` (FOR UPDATE SKIP LOCKED on
    PostgreSQL; SQLite has one writer at a time anyway and ignores it)."""
    batch = sa.select(key).where(time < before).limit(PRUNE_BATCH) \
        .with_for_update(skip_locked=True)
    return table.delete().where(key.in_(batch.scalar_subquery()))


def _position_values(position: Position) -> dict[str, Any]:
    return {k: getattr(position, k) for k in Position.__dataclass_fields__}


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def normalise_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here (SQLAlchemy would pick psycopg2)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def prepare_sqlite_file(url: str) -> None:
    """Create the folder of an SQLite file database."""
    database = sa.engine.make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _make_engine(url: str, connect_timeout_s: int) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        prepare_sqlite_file(url)
        engine = sa.create_engine(url, connect_args={"timeout": 10})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Autocommit: every operation is one statement, so there is no transaction to roll back
    # when a connection goes back to the pool (a reset would send a command to a connection
    # that may be broken, and log an error for it).
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None,
                              pool_size=5, max_overflow=5, pool_timeout=connect_timeout_s,
                              connect_args={"connect_timeout": connect_timeout_s})
    sa.event.listen(engine, "handle_error", _connection_errors_end_the_connection)
    return engine


def _connection_errors_end_the_connection(context: Any) -> None:
    """An OperationalError on an open connection (socket closed, a command cut off mid-way)
    leaves that connection unusable, whether or not SQLAlchemy recognises the message: treat it
    as a disconnect, so the connection is discarded (never returned to the pool) and `_run`
    retries once on a fresh one. Errors while connecting are left alone: retrying those would
    only double the wait while the database is down."""
    if context.connection is not None and isinstance(context.sqlalchemy_exception,
                                                      sa.exc.OperationalError):
        context.is_disconnect = True


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
