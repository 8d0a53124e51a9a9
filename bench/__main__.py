"""`python -m bench [build|serving|program|all|kokoro|voice-quality|asr]` (make bench: all): run
the benchmarks, print the table, write bench/results/bench-<time>.json. The build figures use the
whole library; BENCH_QUICK=1 builds a four-practice subset instead (a few minutes less, and the
edit's share of a smaller cold build is larger). `program`: the program view over 1M check-ins
on PostgreSQL. `kokoro`, `voice-quality` and `asr` are the voice measurements
(bench/kokoro_bench.py, bench/voice_quality.py, bench/asr_check.py; the last two need packages
of their own, named in their docstrings); `all` leaves them out."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from . import build_bench, kokoro_bench, program_bench, serving_bench
from .report import table, write_json

RESULTS = Path(__file__).resolve().parent / "results"
FIXTURE_BUILD = Path(__file__).resolve().parent.parent / "var" / "test-build"


WHICH = ("all", "build", "serving", "program", "kokoro", "voice-quality", "asr")


def main(argv: list[str]) -> int:
    which = argv[0] if argv else "all"
    if which not in WHICH:
        print(f"unknown benchmark {which!r}: choose one of {', '.join(WHICH)}", file=sys.stderr)
        return 2
    began = time.monotonic()
    figures, raw = [], {}
    with tempfile.TemporaryDirectory(prefix="compassion-bench-") as scratch:
        work = Path(scratch)
        library = None
        if which in ("all", "build"):
            print("build benchmarks (a few minutes) ...", flush=True)
            found, raw["build"], library = build_bench.run(work / "build",
                                                           os.environ.get("BENCH_QUICK") != "1")
            figures += found
        if which in ("all", "serving"):
            print("serving benchmarks (about 2 minutes) ...", flush=True)
            found, raw["serving"] = serving_bench.run(work / "serving", library or FIXTURE_BUILD)
            figures += found
        if which in ("all", "program"):
            print("program view benchmark (1M check-ins on PostgreSQL, a minute or two) ...",
                  flush=True)
            found, raw["program"] = program_bench.run(library or FIXTURE_BUILD)
            figures += found
        if which == "kokoro":
            print("Kokoro build benchmark (Spanish, tens of minutes on a busy machine) ...",
                  flush=True)
            found, raw["kokoro"] = kokoro_bench.run(work)
            figures += found
        if which in ("voice-quality", "asr"):
            from . import asr_check, voice_quality

            module = voice_quality if which == "voice-quality" else asr_check
            found, raw[which] = module.run(work)
            figures += found
    raw["total_s"] = round(time.monotonic() - began, 1)
    path = write_json(RESULTS, figures, raw)
    print(table(figures))
    passed = sum(f.passed for f in figures)
    print(f"\n{passed} of {len(figures)} figures meet their target; {raw['total_s']:.0f} s; "
          f"results in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
