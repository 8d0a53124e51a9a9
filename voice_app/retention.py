"""The in-process retention sweep: each process prunes now and then, never inside a request.

After a request, if `RETENTION_SWEEP_MINUTES` have passed since this process last swept (or
started), a daemon thread runs `Store.prune` (small batches, see `store.PRUNE_BATCH`); the
request that noticed it is already answered. One sweep at a time per process. `python -m
voice_app db prune` does the same from cron; both are safe to run on every host at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from flask import Flask

from .settings import Settings
from .store import Store, StoreUnavailable

if TYPE_CHECKING:
    from .program.rollup import CheckinsPruned

logger = logging.getLogger(__name__)


class Sweeper:
    def __init__(self, store: Store, retention_days: int, interval_s: float,
                 clock: Callable[[], float] = time.monotonic,
                 also: Callable[[], object] | None = None) -> None:
        self.store = store
        self.also = also
        """More pruning after the store's own (the program view's roll-up, then check-ins)."""
        self.retention_days = retention_days
        self.interval_s = interval_s
        self.clock = clock
        self.due = clock() + interval_s
        self._lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def maybe_start(self) -> threading.Thread | None:
        """Start a sweep in the background when one is due and none is running; the thread."""
        if self.clock() < self.due:  # the common case: no lock taken
            return None
        with self._lock:
            if self.clock() < self.due or (self.thread and self.thread.is_alive()):
                return None
            self.due = self.clock() + self.interval_s
            self.thread = threading.Thread(target=self.sweep, name="retention-sweep",
                                           daemon=True)
            self.thread.start()
            return self.thread

    def sweep(self) -> None:
        try:
            pruned = self.store.prune(self.retention_days)
            if self.also is not None:
                self.also()
        except StoreUnavailable as error:
            logger.warning("retention sweep skipped, database unavailable: %s", error)
            return
        except Exception:
            logger.exception("retention sweep failed")
            return
        if pruned.completions or pruned.calls or pruned.positions:
            logger.info("retention sweep deleted %d completions, %d call states, %d positions",
                        pruned.completions, pruned.calls, pruned.positions)


def install(app: Flask) -> None:
    settings = app.extensions["settings"]
    if not settings.RETENTION_SWEEP_MINUTES:
        return
    sweeper = Sweeper(app.extensions["store"], settings.RETENTION_DAYS,
                      settings.RETENTION_SWEEP_MINUTES * 60.0,
                      also=lambda: prune_checkins_for(app.extensions["store"], settings))
    app.extensions["sweeper"] = sweeper

    @app.teardown_request
    def _sweep_when_due(_error: BaseException | None) -> None:
        sweeper.maybe_start()


def prune_checkins_for(store: Store, settings: Settings) -> CheckinsPruned:
    """Roll up the program view's complete months, then delete check-ins older than
    CHECKIN_RETENTION_DAYS (voice_app/program/rollup.py)."""
    from zoneinfo import ZoneInfo

    from .program.rollup import prune_checkins

    return prune_checkins(store, settings.CHECKIN_RETENTION_DAYS,
                          ZoneInfo(settings.PROGRAM_TIMEZONE))
