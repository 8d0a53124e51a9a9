"""Processes starting at the same instant on an empty database, as gunicorn workers or new hosts
do: every one of them starts, and the schema ends at the code's head.

Each trial is a fresh PostgreSQL database (dropped afterwards), or a fresh SQLite file, and six
processes released by one barrier into `create_app` (test settings, so each upgrades at
start-up); the same six processes run every trial, so Python starts only once per process.

Before migrations, this test failed: `create_all` racing gave DuplicateTable or UniqueViolation on
pg_type_typname_nsp_index in most trials (measured on this machine: see the issue 12 report).
"""

from __future__ import annotations

import multiprocessing
import queue
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

WORKERS = 6
TRIALS = 8
SQLITE_TRIALS = 3


def _start_apps(index: int, urls: list[str], barrier: Any, results: Any) -> None:
    """One process: for each trial, wait at the barrier, then `create_app` on that database."""
    import logging

    from voice_app import create_app

    class Errors(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.ERROR)
            self.messages: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.messages.append(record.getMessage())

    errors = Errors()
    logging.getLogger("voice_app").addHandler(errors)
    for url in urls:
        errors.messages.clear()
        try:
            barrier.wait(timeout=60)
            app = create_app({"APP_ENV": "test", "DATABASE_URL": url, "BUILD_DIR": "/nonexistent",
                              "RETENTION_SWEEP_MINUTES": 0})
            app.extensions["store"].dispose()
            problem = "; ".join(errors.messages) or None
        except Exception as error:  # reported to the parent, which fails the test
            problem = f"{type(error).__name__}: {str(error).splitlines()[0]}"
        results.put((url, index, problem))


@pytest.fixture
def fresh_databases(postgres_url):
    """TRIALS empty databases on the session's server; dropped afterwards."""
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    names = [f"race_{uuid.uuid4().hex[:10]}_{n}" for n in range(TRIALS)]
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f"CREATE DATABASE {name}"))
    base = sa.engine.make_url(postgres_url)
    yield [base.set(database=name).render_as_string(hide_password=False) for name in names]
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_six_processes_starting_together_on_an_empty_database_all_start(fresh_databases,
                                                                        tmp_path):
    sqlite_urls = [f"sqlite:///{tmp_path / f'race-{n}.sqlite3'}" for n in range(SQLITE_TRIALS)]
    urls = fresh_databases + sqlite_urls
    # Forked from a server process that has imported the app once (as gunicorn --preload
    # does), so the six do not each pay Python's imports; create_app runs in each after the
    # barrier, which is the race.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["voice_app", "sqlalchemy", "alembic"])
    barrier = context.Barrier(WORKERS)
    results = context.Queue()
    processes = [context.Process(target=_start_apps, args=(i, urls, barrier, results))
                 for i in range(WORKERS)]
    for process in processes:
        process.start()
    outcomes = []
    try:
        for _ in range(WORKERS * len(urls)):
            outcomes.append(results.get(timeout=120))
    except queue.Empty:
        pass
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    assert len(outcomes) == WORKERS * len(urls), "a process stopped answering"
    failed = {url for url, _, problem in outcomes if problem}
    problems = sorted({problem for _, _, problem in outcomes if problem})
    assert not failed, (f"{len(failed & set(fresh_databases))} of {TRIALS} PostgreSQL trials and "
                        f"{len(failed & set(sqlite_urls))} of {SQLITE_TRIALS} SQLite trials had "
                        f"a process fail to start: {problems}")

    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from voice_app.schema import head
    from voice_app.store import metadata

    for url in urls:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn)
            assert context.get_current_heads() == (head(),)
            assert compare_metadata(context, metadata) == []
        engine.dispose()
