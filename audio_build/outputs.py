"""Output files: content-hashed names, atomic placement, and the memory of what inputs made them.

A file is first written whole under a staging name, then renamed to `<stem>-<sha256[:16]>.<ext>`,
so a killed build never leaves a truncated file under a final name and a URL never changes
meaning. `BuildState` remembers, per input fingerprint, which file it produced, so a rebuild with
nothing changed encodes nothing and rewrites nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATE_NAME = ".state.json"
STAGING_PREFIX = ".staging-"


def fingerprint(payload: Any) -> str:
    """sha256 of a canonical JSON form of everything that decides an output's bytes."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Placed:
    file: str
    """Path relative to the build dir."""
    bytes: int
    sha256: str


def place_hashed(out_dir: Path, subdir: str, stem: str, ext: str,
                 write: Callable[[Path], None]) -> Placed:
    """Run `write(staging_path)`, then move the result to its content-hashed name."""
    folder = out_dir / subdir
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=STAGING_PREFIX, suffix=f".{ext}", dir=folder)
    os.close(handle)
    staging = Path(name)
    try:
        write(staging)
        digest = sha256_file(staging)
        final = folder / f"{stem}-{digest[:16]}.{ext}"
        os.replace(staging, final)
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


def write_if_changed(path: Path, text: str) -> bool:
    """Atomically replace `path` with `text` unless it already holds exactly that."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(name, path)
    finally:
        Path(name).unlink(missing_ok=True)
    return True


class BuildState:
    """fingerprint → what was produced from it; kept in `<out>/.state.json`."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.path = out_dir / STATE_NAME
        try:
            self.entries: dict[str, dict[str, Any]] = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            self.entries = {}
        self.used: set[str] = set()

    def lookup(self, key: str) -> dict[str, Any] | None:
        """The recorded result, if its file is still there with the recorded size."""
        entry = self.entries.get(key)
        if entry is None:
            return None
        if "file" in entry:
            path = self.out_dir / entry["file"]
            if not path.is_file() or path.stat().st_size != entry["bytes"]:
                return None
        self.used.add(key)
        return entry

    def record(self, key: str, entry: dict[str, Any]) -> None:
        self.entries[key] = entry
        self.used.add(key)

    def merge(self, entries: dict[str, dict[str, Any]]) -> None:
        self.entries.update(entries)
        self.used.update(entries)

    def save(self) -> bool:
        text = json.dumps(self.entries, sort_keys=True, indent=0) + "\n"
        return write_if_changed(self.path, text)
