"""Build progress: a one-line bar on a terminal, one plain line per practice otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .build import BuildSummary, Outcome, PracticeFailure


class ProgressReporter:
    def __init__(self, total: int, stream: TextIO = sys.stderr) -> None:
        self.total = total
        self.stream = stream
        self.done = 0
        self.audio_ms = 0
        self.started = time.monotonic()
        self.tty = stream.isatty()

    def __call__(self, result: Outcome) -> None:
        self.done += 1
        if isinstance(result, PracticeFailure):
            self.stream.write(f"{chr(13) if self.tty else ''}failed {result.practice_id} "
                              f"({self.done}/{self.total}); see below\n")
            self.stream.flush()
            return
        minutes = sum(v.duration_ms for v in result.entry.variants) / 60_000
        self.audio_ms += round(minutes * 60_000)
        elapsed = time.monotonic() - self.started
        left = elapsed / self.done * (self.total - self.done)
        if self.tty:
            filled = round(24 * self.done / max(self.total, 1))
            self.stream.write(f"\r[{'#' * filled}{'.' * (24 - filled)}] {self.done}/{self.total} "
                              f"practices, {self.audio_ms / 60_000:.1f} audio min, "
                              f"about {left:.0f}s left ")
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"built {result.entry.practice_id}: "
                              f"{len(result.entry.variants)} variants, {minutes:.1f} audio min, "
                              f"{result.synthesized} synthesized, {result.cached} cached, "
                              f"{result.written} files written ({self.done}/{self.total})\n")
        self.stream.flush()


def format_summary(summary: BuildSummary) -> str:
    failed = len(summary.failures)
    return (f"{summary.practices} practices"
            f"{f' ({failed} more failed: kept their last build)' if failed else ''}"
            f", {summary.variants} variants, "
            f"{summary.audio_ms / 60_000:.1f} audio minutes, {summary.bytes / 1e6:.1f} MB; "
            f"{summary.synthesized} sentences synthesized, {summary.cached} from cache; "
            f"{summary.written} files written; {summary.wall_s:.1f}s")
