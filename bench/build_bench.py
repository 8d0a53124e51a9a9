"""The build benchmarks, each a ratio to a baseline measured in the same run.

- cold: the library (or `--only` subset) from nothing, against Piper synthesizing the same unique
  sentences directly plus one MP3 encode per variant (target ≤ 1.25);
- no-op rebuild (≤ 2 s and ≤ 2% of cold) and a one-sentence edit (≤ 5% of cold);
- one practice (a copy with one length) at 10 and at 60 minutes, each cold in its own process:
  time and peak memory per audio minute of the 60 over the 10 (≤ 1.3), and the 60-minute
  build's peak memory (≤ 400 MB).

Everything runs on a copy of the scripts in a scratch folder; the repository is not touched.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from .report import Figure

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts" / "meditations"
SUBSET = ("between-patients", "grounding-when-overwhelmed", "loving-kindness", "the-pause")
"""The `--only` set with BENCH_QUICK=1: short and long practices, about a quarter of the
library's sentences. By default the whole library is built."""
LONG_PRACTICE = "loving-kindness"


def measure(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "bench.measure", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=1200)
    if done.returncode != 0:
        raise RuntimeError(f"bench.measure {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(work: Path, full: bool) -> tuple[list[Figure], dict[str, Any], Path]:
    scripts = work / "scripts"
    shutil.copytree(SCRIPTS, scripts)
    only = [] if full else list(SUBSET)
    out, cache = work / "library", work / "library" / "cache"
    raw: dict[str, Any] = {"only": only or "whole library"}
    raw["cold"] = measure("build", str(out), str(scripts), str(cache), *only)
    raw["baseline"] = measure("baseline", str(work / "baseline"), str(scripts), *only)
    raw["noop"] = measure("build", str(out), str(scripts), str(cache), *only)
    edit_one_sentence(scripts / f"{LONG_PRACTICE}.md")
    raw["edit"] = measure("build", str(out), str(scripts), str(cache), *only)
    for minutes in (10, 60):
        folder = work / f"long-{minutes}"
        folder.mkdir()
        write_length(SCRIPTS / f"{LONG_PRACTICE}.md", folder / f"{LONG_PRACTICE}.md", minutes)
        write_library(folder, LONG_PRACTICE)
        raw[f"long{minutes}"] = measure("build", str(work / f"long-{minutes}-out"), str(folder),
                                        str(work / f"long-{minutes}-cache"))
    return figures(raw), raw, out


def edit_one_sentence(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    changed = re.sub(r"^(## [^\n]+\n)([^\n\[]+?)\.", r"\1\2, gently.", text, count=1,
                     flags=re.MULTILINE)
    assert changed != text, "no sentence to edit"
    path.write_text(changed, encoding="utf-8")


def write_length(source: Path, target: Path, minutes: int) -> None:
    """A copy with the one length `minutes`; a step kept for `(N+ min)` variants with N below it
    is marked `(minutes+ min)` instead, which keeps the same steps in (markers must name one of
    the practice's lengths)."""
    text = re.sub(r"^lengths: .*$", f"lengths: [{minutes}]", source.read_text(encoding="utf-8"),
                  count=1, flags=re.MULTILINE)
    text = re.sub(r"\((\d+)\+ min\)",
                  lambda m: f"({minutes}+ min)" if int(m.group(1)) <= minutes else m.group(0),
                  text)
    target.write_text(text, encoding="utf-8")


def write_library(folder: Path, practice_id: str) -> None:
    """Library data for a folder of one practice (its need, one menu): see scripts/library.yaml."""
    category = re.search(r"^category: *(\S+)", (folder / f"{practice_id}.md").read_text(
        encoding="utf-8"), flags=re.MULTILINE).group(1)
    (folder / "library.yaml").write_text(
        f"first: {practice_id}\nneeds:\n  - need: {category}\n"
        'keys: {help: "0", more: "9", back: "*", end: "#"}\n'
        f"menus:\n  main:\n    - practice: {practice_id}\n", encoding="utf-8")


def figures(raw: dict[str, Any]) -> list[Figure]:
    cold, base = raw["cold"]["wall_s"], raw["baseline"]["wall_s"]
    l10, l60 = raw["long10"], raw["long60"]
    time_ratio = (l60["wall_s"] / 60) / (l10["wall_s"] / 10)
    peak10 = max(l10["peak_mb"], l10["child_peak_mb"])
    peak60 = max(l60["peak_mb"], l60["child_peak_mb"])
    return [
        Figure("build", "cold build / raw Piper + one encode per output", cold / base,
               "≤ 1.25", cold / base <= 1.25, f"{cold:.1f} s vs {base:.1f} s"),
        Figure("build", "no-op rebuild / cold", raw["noop"]["wall_s"] / cold, "≤ 0.02 and ≤ 2 s",
               raw["noop"]["wall_s"] / cold <= 0.02 and raw["noop"]["wall_s"] <= 2,
               f"{raw['noop']['wall_s']:.2f} s"),
        Figure("build", "one-sentence edit / cold", raw["edit"]["wall_s"] / cold, "≤ 0.05",
               raw["edit"]["wall_s"] / cold <= 0.05, f"{raw['edit']['wall_s']:.2f} s"),
        Figure("build", "60 vs 10 min: time per audio minute", time_ratio, "≤ 1.3",
               time_ratio <= 1.3, f"{l60['wall_s']:.1f} s vs {l10['wall_s']:.1f} s"),
        Figure("build", "60 vs 10 min: peak memory per audio minute",
               (peak60 / 60) / (peak10 / 10), "≤ 1.3", (peak60 / 60) / (peak10 / 10) <= 1.3,
               f"{peak60:.0f} MB vs {peak10:.0f} MB"),
        Figure("build", "60-min build peak memory / 400 MB", peak60 / 400, "≤ 1.0",
               peak60 <= 400, f"{peak60:.0f} MB"),
    ]
