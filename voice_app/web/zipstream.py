"""A ZIP archive streamed as it is written, with its exact size known before the first byte.

The standard library's `zipfile` writes into a sink that the generator empties after every chunk,
so memory holds one chunk, never the archive. Entries are stored (MP3s do not compress) and the
sink cannot seek, so each entry has a data descriptor; that makes the size a sum of lengths.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 256 * 1024
FIXED_TIME = (2024, 1, 1, 0, 0, 0)
"""Every entry's date: the same catalog makes the same bytes."""
_LOCAL_HEADER = 30
_DATA_DESCRIPTOR = 16
_CENTRAL_HEADER = 46
_END_RECORD = 22
_ZIP64_LIMIT = (1 << 31) - 1


class ArchiveTooLarge(ValueError):
    """The archive would need ZIP64 records, whose sizes this module does not predict."""


@dataclass(frozen=True)
class Entry:
    name: str
    """The path inside the archive, `/`-separated."""
    path: Path | None = None
    """A file to copy in, read in chunks."""
    data: bytes = b""
    """Or the bytes themselves (playlists, transcripts)."""

    @property
    def size(self) -> int:
        return self.path.stat().st_size if self.path is not None else len(self.data)


def archive_size(entries: list[Entry]) -> int:
    """The exact length of `stream_archive(entries)` in bytes."""
    total = _END_RECORD
    for entry in entries:
        name = len(entry.name.encode("utf-8"))
        total += _LOCAL_HEADER + name + entry.size + _DATA_DESCRIPTOR + _CENTRAL_HEADER + name
    if total > _ZIP64_LIMIT:
        raise ArchiveTooLarge(f"archive of {total} bytes needs ZIP64")
    return total


class _Sink(io.RawIOBase):
    """Collects what zipfile writes until the generator takes it; cannot seek or tell."""

    def __init__(self) -> None:
        super().__init__()
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[no-untyped-def,override]
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def stream_archive(entries: list[Entry]) -> Iterator[bytes]:
    """Yield the archive in chunks of at most about CHUNK_BYTES."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for entry in entries:
            info = zipfile.ZipInfo(entry.name, date_time=FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.file_size = entry.size
            with archive.open(info, "w") as out:
                for chunk in _chunks(entry):
                    out.write(chunk)
                    yield from _taken(sink)
            yield from _taken(sink)
    yield from _taken(sink)


def _taken(sink: _Sink) -> Iterator[bytes]:
    if data := sink.take():
        yield data


def _chunks(entry: Entry) -> Iterator[bytes]:
    if entry.path is None:
        yield entry.data
        return
    with entry.path.open("rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            yield chunk
