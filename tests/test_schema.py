"""Schema migrations on SQLite and the real PostgreSQL: the migrated schema is the code's, a
database made before migrations is adopted with every row, `/healthz` tells behind from ahead,
production never creates tables, and `python -m voice_app db ...` answers in one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alexa_helpers import postgres_schema

from voice_app import create_app
from voice_app.schema import FIRST, SchemaError, head, upgrade
from voice_app.store import Position, Store, metadata

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """An empty database: a fresh SQLite file, or a fresh schema on the session's server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'schema.sqlite3'}"
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        yield url


def engine_for(url: str) -> sa.Engine:
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def test_migrated_schema_is_the_codes_metadata(database_url):
    outcome = upgrade(database_url)
    assert (outcome.before, outcome.after, outcome.adopted) == (None, head(), False)
    engine = engine_for(database_url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        assert MigrationContext.configure(conn).get_current_revision() == head()
    engine.dispose()


# Today's tables, copied from voice_app/store.py as they were before migrations (commit 6779681),
# and created the way that code created them: metadata.create_all.
OLD = sa.MetaData()
sa.Table(
    "progress", OLD,
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
)
sa.Table(
    "history", OLD,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("listener_key", sa.String(64), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("practice_id", sa.String(100), nullable=False),
    sa.Column("minutes", sa.Integer, nullable=False),
    sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
)
sa.Table(
    "calls", OLD,
    sa.Column("call_key", sa.String(64), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)


def old_rows() -> dict[str, list[dict[str, object]]]:
    at = datetime(2026, 11, 1, 12, 30, tzinfo=UTC)
    return {
        "progress": [{"listener_key": f"k{i}", "channel": "alexa", "practice_id": "the-pause",
                      "minutes": 3, "audio_sha": "ab" * 32, "offset_ms": 1000 * i, "step": i,
                      "status": "paused", "event_ms": 10 + i, "updated_at": at}
                     for i in range(5)],
        "history": [{"listener_key": f"k{i % 2}", "channel": "phone", "practice_id": "body-scan",
                     "minutes": 5, "completed_at": at - timedelta(days=i)} for i in range(7)],
        "calls": [{"call_key": f"c{i}", "data": json.dumps({"segment": i}), "updated_at": at}
                  for i in range(3)],
    }


def dump(conn: sa.Connection) -> dict[str, list[tuple[object, ...]]]:
    """The old tables' rows, in the old columns (later migrations add columns beside them)."""
    found = {}
    for name in ("progress", "history", "calls"):
        table = sa.Table(name, sa.MetaData(), autoload_with=conn)
        columns = [table.c[column.name] for column in OLD.tables[name].columns]
        rows = conn.execute(sa.select(*columns).order_by(*table.primary_key.columns)).all()
        found[name] = [tuple(row) for row in rows]
    return found


def test_database_made_before_migrations_is_adopted_without_losing_a_row(database_url):
    engine = engine_for(database_url)
    with engine.begin() as conn:
        OLD.create_all(conn)
        for name, rows in old_rows().items():
            conn.execute(OLD.tables[name].insert(), rows)
    with engine.connect() as conn:
        before = dump(conn)
    assert [len(before[name]) for name in ("progress", "history", "calls")] == [5, 7, 3]

    outcome = upgrade(database_url)
    assert (outcome.before, outcome.after, outcome.adopted) == (None, head(), True)
    assert "adopted" in outcome.describe()
    with engine.connect() as conn:
        assert dump(conn) == before
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    engine.dispose()
    store = Store(database_url)
    assert store.get_position("k3") == Position("the-pause", 3, "ab" * 32, 3000, 3, "paused",
                                                "alexa", 13)
    assert store.get_call("c2") == {"segment": 2}
    assert store.schema_revisions() == (head(),)
    store.dispose()
    assert upgrade(database_url).describe().startswith("schema already at ")


def test_a_stranger_schema_is_refused_and_left_alone(database_url):
    engine = engine_for(database_url)
    with engine.begin() as conn:
        OLD.tables["progress"].create(conn)
    with pytest.raises(SchemaError, match="has progress but not history, calls"):
        upgrade(database_url)
    with engine.connect() as conn:
        assert sorted(sa.inspect(conn).get_table_names()) == ["progress"]
    engine.dispose()


def production(app_config: dict[str, object], url: str) -> dict[str, object]:
    return {**app_config, "APP_ENV": "production", "DATABASE_URL": url}


def test_production_never_creates_tables_and_healthz_says_what_to_run(app_config, tmp_path):
    url = f"sqlite:///{tmp_path / 'prod.sqlite3'}"
    client = create_app(production(app_config, url)).test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json["schema"] == {"current": None, "expected": head(), "state": "missing"}
    assert "python -m voice_app db upgrade" in health.json["reason"]
    engine = engine_for(url)
    with engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == []
    upgrade(url)
    health = client.get("/healthz")  # no restart needed once migrated
    assert health.status_code == 200 and health.json["status"] == "ok"
    assert health.json["schema"] == {"current": head(), "expected": head(), "state": "current"}
    engine.dispose()


def test_healthz_is_503_behind_the_code_and_healthy_ahead_of_it(app_config, database_url):
    upgrade(database_url, to=FIRST)
    app = create_app(production(app_config, database_url))
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["database"] is True
    assert health.json["schema"] == {"current": FIRST, "expected": head(), "state": "behind"}
    assert f"{FIRST} is behind this code's {head()}" in health.json["reason"]

    upgrade(database_url)
    engine = engine_for(database_url)
    with engine.begin() as conn:  # a newer release migrated it further
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9001_from_the_future'"))
    health = client.get("/healthz")
    assert health.status_code == 200 and "reason" not in health.json
    assert health.json["schema"]["state"] == "ahead"
    outcome = upgrade(database_url)  # this release leaves a newer schema alone
    assert (outcome.before, outcome.after) == ("9001_from_the_future",) * 2
    create_app({**app_config, "DATABASE_URL": database_url})  # test env upgrades: no error
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).all() == [
            ("9001_from_the_future",)]
    engine.dispose()
    app.extensions["store"].dispose()


def db_command(*args: str, url: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "APP_ENV")}
    return subprocess.run([sys.executable, "-m", "voice_app", "db", *args], cwd=ROOT,
                          env={**environ, "DATABASE_URL": url, **env}, capture_output=True,
                          text=True, timeout=60)


def test_db_command_upgrades_reports_and_prunes_in_one_line_each(database_url):
    # production settings without the serving secrets: the command needs only the database
    done = db_command("current", url=database_url)
    assert done.returncode == 0 and done.stdout.startswith(f"schema none, code expects {head()}")
    done = db_command("upgrade", url=database_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1 and done.stdout.startswith(
        f"schema upgraded from empty to {head()}")
    done = db_command("upgrade", url=database_url)
    assert done.stdout.startswith(f"schema already at {head()}")
    done = db_command("current", url=database_url)
    assert done.stdout.startswith(f"schema {head()}, code expects {head()}: current")
    store = Store(database_url)
    store.record_completion("k", "the-pause", 1, "phone", datetime.now(UTC) - timedelta(days=41))
    store.record_completion("k", "the-pause", 1, "phone", datetime.now(UTC) - timedelta(days=39))
    store.dispose()
    done = db_command("prune", url=database_url, RETENTION_DAYS="40")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ("pruned 1 completions and 0 positions older than 40 days, 0 call "
                           "states older than a day; rolled up 0 months for the program view, "
                           f"then pruned 0 check-in sessions ({database_url})\n")
    assert "password" not in done.stdout


def test_db_command_errors_are_one_line_and_exit_1(tmp_path):
    done = db_command("upgrade", url="postgresql+psycopg://u:secret@127.0.0.1:1/none")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: database error")
    assert "secret" not in done.stderr and "***" in done.stderr
    done = db_command("prune", url=f"sqlite:///{tmp_path / 'x.sqlite3'}", RETENTION_DAYS="0")
    assert done.returncode == 1 and done.stderr == (
        "error: settings: RETENTION_DAYS must be 1 or more\n")


def test_gunicorns_master_migrates_before_forking_or_refuses_to_start(tmp_path, monkeypatch,
                                                                     caplog):
    import runpy

    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    url = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("APP_ENV", "production")  # the serving secrets are not needed for this
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    with caplog.at_level("INFO", logger="gunicorn.error"):
        hooks["on_starting"](None)
    assert f"schema upgraded from empty to {head()}" in caplog.text
    assert Store(url).schema_revisions() == (head(),)

    engine = engine_for(f"sqlite:///{tmp_path / 'stranger.sqlite3'}")
    with engine.begin() as conn:
        OLD.tables["calls"].create(conn)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'stranger.sqlite3'}")
    caplog.clear()
    with pytest.raises(SystemExit):
        hooks["on_starting"](None)
    assert "database migration failed: the database has calls but not progress" in caplog.text
