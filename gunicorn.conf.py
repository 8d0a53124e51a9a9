"""Gunicorn settings for production serving (`make serve`), also used by the benchmarks and the
load and fault tests, so what is measured is what is deployed.

Threaded workers (gthread): each request is mostly Python work with short waits on the database,
so one process per core keeps the cores busy and a few threads per process cover the waits.
Override anything with GUNICORN_CMD_ARGS, e.g. GUNICORN_CMD_ARGS="--workers 4 --threads 8".
Logs are JSON lines on stderr (voice_app.logs); the app writes the one access line per request,
so gunicorn's own access log stays off.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger

from voice_app.logs import logging_config

_cores = os.cpu_count() or 1

bind = "127.0.0.1:8000"
worker_class = "gthread"
workers = max(2, _cores)
threads = 4
timeout = 30
"""A worker silent this long is killed and replaced (Alexa gives up after 8 s anyway)."""
graceful_timeout = 20
keepalive = 5
"""Seconds an idle keep-alive connection is kept (a load balancer or TLS proxy reuses them)."""
preload_app = False
"""Each worker builds its own app, so no database connection is shared across a fork."""
accesslog = None
logconfig_dict = logging_config(os.environ.get("LOG_LEVEL", "INFO").upper())


class AppWritesAccessLines(Logger):
    """gunicorn's logger without its access line: the app writes one JSON line per request
    itself, and with `logconfig_dict` set gunicorn would build its own for every request (2% of
    the CPU under load) only to drop it."""

    def access(self, *args: Any, **kwargs: Any) -> None:
        return None


logger_class = AppWritesAccessLines


def on_starting(server: Any) -> None:
    """Before any worker exists: migrate the database, and give the workers one folder to share
    metrics in, emptied of a previous run's numbers."""
    _upgrade_schema()
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        folder = tempfile.mkdtemp(prefix="compassion-break-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    logging.getLogger("gunicorn.error").info("metrics shared through %s", folder)


def _upgrade_schema() -> None:
    """`python -m voice_app db upgrade`, once, in the master: the workers start on a migrated
    database (under the migration lock, so hosts starting together are safe too). A failure
    stops gunicorn here with one line saying why, rather than every worker failing to boot."""
    from voice_app.db_command import outcome_of
    from voice_app.settings import SettingsError, load_settings

    log = logging.getLogger("gunicorn.error")
    try:
        settings = load_settings(serving=False)
    except SettingsError as error:
        log.error("settings: %s", error)
        raise SystemExit(1) from None
    line, ok = outcome_of("upgrade", settings.DATABASE_URL, settings.RETENTION_DAYS)
    if not ok:
        log.error("database migration failed: %s", line)
        raise SystemExit(1)
    log.info(line)


def child_exit(server: Any, worker: Any) -> None:
    """A dead worker's live gauges must not be reported; its counters are kept."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
