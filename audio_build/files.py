"""Files the build writes: whole or not at all, and their sha256.

`atomic_path` is the one way the build puts a file under its final name: the bytes go to a hidden
temp file beside it, are fsynced, and are renamed over the target, so a killed build never leaves
a truncated file where a reader looks. `sha256_file` is the one file hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: Path, *, durable: bool = True) -> Iterator[Path]:
    """Yield a temp path beside `target`; when the block ends cleanly, move it over `target`.

    With `durable` the file (and then its folder) is fsynced, so the rename survives a power
    cut too; the segment cache, which can always re-synthesize, skips that cost. On an error the
    temp file is removed and `target` keeps what it held.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    hidden = target.name if target.name.startswith(".") else f".{target.name}"
    handle, name = tempfile.mkstemp(prefix=f"{hidden}.", suffix=".part", dir=target.parent)
    os.close(handle)
    part = Path(name)
    try:
        yield part
        os.chmod(part, 0o644)
        move_into_place(part, target, durable=durable)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def move_into_place(source: Path, target: Path, *, durable: bool = True) -> None:
    """Rename a complete file over `target` (same folder); with `durable`, fsync both."""
    if durable:
        _fsync(source)
    os.replace(source, target)
    if durable:
        _fsync(target.parent)


def write_text_atomically(path: Path, text: str) -> bool:
    """Replace `path` with `text` unless it already holds exactly that; True if written."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    with atomic_path(path) as part:
        part.write_text(text, encoding="utf-8")
    return True


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in blocks (memory does not grow with its size)."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _fsync(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
