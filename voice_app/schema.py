"""Schema migrations: Alembic, under a lock, adopting databases made before migrations existed.

`upgrade(url)` is the one way the schema changes (`python -m voice_app db upgrade`, gunicorn's
master before it forks, and `create_app` outside production). It runs on a connection of its own,
in one transaction, and takes a lock on that transaction before it reads `alembic_version`, so
processes and hosts upgrading at once run one after the other and the later ones find nothing to
do:

- PostgreSQL: `pg_advisory_xact_lock`, keyed by the schema the connection works in, released
  at COMMIT. The store's engine runs in autocommit; this connection does not. PostgreSQL's DDL
  is transactional, so a failed upgrade leaves nothing half done.
- SQLite: `BEGIN EXCLUSIVE` (pysqlite emits no BEGIN before DDL by itself, so the driver's
  transaction handling is switched off for this connection and the BEGIN sent here).

A database made by the code before migrations (the three tables, no `alembic_version`) is stamped
at revision 0001 after checking the tables are there, then upgraded like any other.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
FIRST = "0001"
"""The revision that describes the tables as they were before migrations."""
ADOPTED_TABLES = ("progress", "history", "calls")
LOCK_TIMEOUT_S = 120
"""How long an upgrade waits for another process's upgrade to finish."""


class SchemaError(Exception):
    """The schema cannot be brought to the code's revision; the message says why."""


@dataclass(frozen=True)
class Upgraded:
    before: str | None
    """The revision found (None: an empty database)."""
    after: str
    adopted: bool
    """The tables predated migrations and were stamped at FIRST first."""

    def describe(self) -> str:
        if self.before == self.after and not self.adopted:
            return f"schema already at {self.after}, nothing to do"
        if self.adopted:
            return f"adopted the existing tables at {FIRST}; schema now at {self.after}"
        return f"schema upgraded from {self.before or 'empty'} to {self.after}"


@dataclass(frozen=True)
class Status:
    """What the database holds against what the code expects."""

    current: str | None
    head: str
    state: str
    """`current`, `behind` (an upgrade is due), `ahead` (a newer release migrated it; this code
    keeps working, since migrations stay backward compatible) or `missing` (no schema)."""

    @property
    def ready(self) -> bool:
        return self.state in ("current", "ahead")

    @property
    def reason(self) -> str:
        if self.state == "missing":
            return "the database has no schema: run `python -m voice_app db upgrade`"
        if self.state == "behind":
            return (f"the database schema {self.current} is behind this code's {self.head}: "
                    "run `python -m voice_app db upgrade`")
        if self.state == "ahead":
            return f"the database schema {self.current} is newer than this code's {self.head}"
        return f"schema at {self.head}"


@functools.cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The revision this code expects."""
    heads = _script().get_heads()
    if len(heads) != 1:
        raise SchemaError(f"{MIGRATIONS}: the migrations have {len(heads)} heads, not one")
    return heads[0]


def status(revisions: tuple[str, ...]) -> Status:
    """Classify what `alembic_version` holds (`Store.schema_revisions`)."""
    expected = head()
    if not revisions:
        return Status(None, expected, "missing")
    current = revisions[0] if len(revisions) == 1 else ",".join(revisions)
    if revisions == (expected,):
        return Status(current, expected, "current")
    known = {script.revision for script in _script().walk_revisions()}
    if all(revision in known for revision in revisions):
        return Status(current, expected, "behind")
    return Status(current, expected, "ahead")


def upgrade(url: str, to: str | None = None) -> Upgraded:
    """Bring the database at `url` to `head()` (or the revision `to`), under the lock (see the
    module docstring)."""
    with _sqlite_file_lock(url):
        return _upgrade(url, to)


@contextlib.contextmanager
def _sqlite_file_lock(url: str) -> Iterator[None]:
    """SQLite: processes upgrading one file take turns on a lock file beside it first. BEGIN
    EXCLUSIVE alone is not enough while the file is new: switching it to WAL can fail at once
    with "database is locked" instead of waiting (seen in 1 of ~30 six-process trials)."""
    database = sa.engine.make_url(url).database if url.startswith("sqlite") else None
    if not database or database == ":memory:":
        yield
        return
    from .store import prepare_sqlite_file

    prepare_sqlite_file(url)
    with open(f"{database}.migrate-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _upgrade(url: str, to: str | None) -> Upgraded:
    engine = migration_engine(url)
    try:
        with engine.connect() as conn, conn.begin():
            _lock(conn)
            context = MigrationContext.configure(conn)
            before = context.get_current_revision()
            adopted = before is None and _adopt(conn)
            if adopted:
                command.stamp(_config(conn), FIRST)
            target = to or head()
            known = {script.revision for script in _script().walk_revisions()}
            if before is not None and before not in known:
                # a newer release migrated this database: leave it to that release
                return Upgraded(before, before, adopted=False)
            command.upgrade(_config(conn), target)
            return Upgraded(before, target, adopted)
    finally:
        engine.dispose()


def current(url: str) -> Status:
    """The database's revision against the code's, read without changing anything."""
    engine = migration_engine(url)
    try:
        with engine.connect() as conn:
            revisions = MigrationContext.configure(conn).get_current_heads()
            return status(tuple(revisions))
    finally:
        engine.dispose()


def migration_engine(url: str) -> Engine:
    """An engine with no pool for one migration connection (transactional, not autocommit)."""
    from .store import normalise_url, prepare_sqlite_file

    url = normalise_url(url)
    if not url.startswith("sqlite"):
        return sa.create_engine(url, poolclass=sa.pool.NullPool,
                                connect_args={"connect_timeout": 10})
    prepare_sqlite_file(url)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool,
                              connect_args={"timeout": LOCK_TIMEOUT_S})
    sa.event.listen(engine, "connect", _sqlite_manual_transactions)
    sa.event.listen(engine, "begin", _sqlite_begin_exclusive)
    return engine


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_S}s'"))
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext("
                             "'compassion-break schema ' || coalesce(current_schema(), '')))"))
    # SQLite: the transaction began with BEGIN EXCLUSIVE (_sqlite_begin_exclusive)


def _adopt(conn: Connection) -> bool:
    """True when the tables of the code before migrations are all there (stamp them at FIRST);
    False for an empty database. Some but not all of them: refuse, it is not ours to guess."""
    present = set(sa.inspect(conn).get_table_names())
    found = [name for name in ADOPTED_TABLES if name in present]
    if not found:
        return False
    if len(found) < len(ADOPTED_TABLES):
        missing = ", ".join(name for name in ADOPTED_TABLES if name not in present)
        raise SchemaError(f"the database has {', '.join(found)} but not {missing}, and no "
                          "alembic_version: not a schema this code made; refusing to adopt it")
    logger.info("adopting tables made before migrations at revision %s", FIRST)
    return True


def _sqlite_manual_transactions(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # the driver sends no BEGIN of its own
    dbapi_connection.execute("PRAGMA journal_mode=WAL")


def _sqlite_begin_exclusive(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN EXCLUSIVE")
