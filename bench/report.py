"""Bench results: one `Figure` per measured ratio, a table for stdout and a JSON file."""

from __future__ import annotations

import json
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Figure:
    area: str
    name: str
    ratio: float
    target: str
    passed: bool
    detail: str
    """The absolute numbers behind the ratio (for reading, not for comparing across runs)."""


def table(figures: list[Figure]) -> str:
    rows = [("area", "figure", "ratio", "target", "result", "measured")]
    rows += [(f.area, f.name, f"{f.ratio:.3f}", f.target, "pass" if f.passed else "FAIL",
              f.detail) for f in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def write_json(folder: Path, figures: list[Figure], raw: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = folder / f"bench-{stamp}.json"
    path.write_text(json.dumps({
        "when": stamp, "machine": {"python": platform.python_version(),
                                   "cores": __import__("os").cpu_count()},
        "figures": [asdict(f) for f in figures], "raw": raw}, indent=2))
    return path
