"""Output files: content-hashed names, atomic placement, and the memory of what inputs made them.

A file is first written whole under a staging name, then renamed to `<stem>-<sha256[:16]>.<ext>`,
so a killed build never leaves a truncated file under a final name and a URL never changes
meaning. `BuildState` remembers, per input fingerprint, which file it produced (a typed record),
so a rebuild with nothing changed encodes nothing and rewrites nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from .files import move_into_place, sha256_file, write_text_atomically

__all__ = ["BuildState", "Mp3Record", "Placed", "StateEntry", "fingerprint", "place_hashed",
           "remove_staging", "write_if_changed"]

write_if_changed = write_text_atomically
"""Kept under its old name for skill_model; new code imports `files.write_text_atomically`."""

STATE_NAME = ".state.json"
STAGING_PREFIX = ".staging-"


def fingerprint(payload: Any) -> str:
    """sha256 of a canonical JSON form of everything that decides an output's bytes."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Placed:
    """A file the build wrote: where, how big, and its content hash."""

    file: str
    """Path relative to the build dir."""
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Mp3Record(Placed):
    """One practice length's MP3, as the build state remembers it."""

    duration_ms: int
    gain_db: float
    """The gain the encoder applied; the practice's phone segments are levelled from it."""
    practice_id: str
    minutes: int


StateEntry = Placed | Mp3Record | dict[str, Any]
"""What a fingerprint produced. Prompts (prompts.py) still record plain dicts."""


def place_hashed(out_dir: Path, subdir: str, stem: str, ext: str,
                 write: Callable[[Path], None]) -> Placed:
    """Run `write(staging_path)`, then move the result to its content-hashed name."""
    folder = out_dir / subdir
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f"{STAGING_PREFIX}{os.getpid()}-{stem}.{ext}"
    try:
        write(staging)
        digest = sha256_file(staging)
        final = folder / f"{stem}-{digest[:16]}.{ext}"
        move_into_place(staging, final, durable=False)  # `write` made the bytes durable
    finally:
        staging.unlink(missing_ok=True)
    return Placed(f"{subdir}/{final.name}", final.stat().st_size, digest)


def remove_staging(out_dir: Path) -> int:
    """Delete staging files a killed build left behind; returns how many."""
    removed = 0
    for path in out_dir.glob(f"*/{STAGING_PREFIX}*"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def _to_json(entry: StateEntry) -> dict[str, Any]:
    if isinstance(entry, Mp3Record):
        return {"kind": "mp3", **asdict(entry)}
    if isinstance(entry, Placed):
        return {"kind": "file", **asdict(entry)}
    return dict(entry)


def _from_json(data: Mapping[str, Any]) -> StateEntry | None:
    """The record a saved entry describes; None for one this version cannot read."""
    kinds: dict[str, type[Placed]] = {"mp3": Mp3Record, "file": Placed}
    kind = kinds.get(data.get("kind", ""))
    if kind is None:
        return None if "kind" in data or "gain_db" in data else dict(data)
    names = {f.name for f in fields(kind)}
    try:
        return kind(**{k: v for k, v in data.items() if k in names})
    except TypeError:
        return None


class BuildState:
    """fingerprint → what was produced from it; kept in `<out>/.state.json`."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.path = out_dir / STATE_NAME
        try:
            saved = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            saved = {}
        self.entries: dict[str, StateEntry] = {}
        for key, data in saved.items() if isinstance(saved, dict) else ():
            entry = _from_json(data) if isinstance(data, dict) else None
            if entry is not None:
                self.entries[key] = entry
        self.used: set[str] = set()

    def lookup(self, key: str) -> StateEntry | None:
        """The recorded result, if its file is still there with the recorded size."""
        entry = self.entries.get(key)
        if entry is None:
            return None
        file, size = ((entry.file, entry.bytes) if isinstance(entry, Placed)
                      else (entry.get("file"), entry.get("bytes")))
        if file is not None:
            path = self.out_dir / file
            if not path.is_file() or path.stat().st_size != size:
                return None
        self.used.add(key)
        return entry

    def record(self, key: str, entry: StateEntry) -> None:
        self.entries[key] = entry
        self.used.add(key)

    def merge(self, entries: Mapping[str, StateEntry]) -> None:
        self.entries.update(entries)
        self.used.update(entries)

    def save(self) -> bool:
        data = {key: _to_json(entry) for key, entry in self.entries.items()}
        return write_text_atomically(self.path, json.dumps(data, sort_keys=True, indent=0) + "\n")
