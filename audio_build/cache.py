"""Content-addressed cache of synthesized speech segments, one .npy file per (identity, text).

The key is the sha256 of a canonical JSON of the engine identity's sound fields and the text, so
the same sentence in the same voice and settings is synthesized once ever. Entries are written
whole and moved into place (`files.atomic_path`): parallel builds racing on one key, or a build
killed mid-write, never leave a truncated entry. An unreadable entry is re-synthesized.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audio_build.files import atomic_path
from audio_build.tts import Engine, EngineIdentity, SpeechSettings

logger = logging.getLogger(__name__)

_KEY_VERSION = 1  # bump if the key layout changes, so old entries are simply not found


@dataclass(frozen=True)
class CacheStats:
    """Counts since this SegmentCache was created."""

    synthesized: int
    """Segments the engine had to produce (misses, including repaired corrupt entries)."""

    hits: int
    """Segments served from disk."""


class SegmentCache:
    """Speech segments on disk under `directory`, keyed by engine identity and text."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._synthesized = 0
        self._hits = 0
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}

    @property
    def stats(self) -> CacheStats:
        """A snapshot of the hit and synthesis counters."""
        with self._lock:
            return CacheStats(synthesized=self._synthesized, hits=self._hits)

    def key(self, identity: EngineIdentity, text: str) -> str:
        """sha256 hex of the identity's sound fields and the exact text (licence excluded)."""
        payload = {"v": _KEY_VERSION, "identity": identity.sound_fields(), "text": text}
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def path(self, key: str) -> Path:
        """Where the entry for `key` lives: two-character shard directories keep listings short."""
        return self.directory / key[:2] / f"{key}.npy"

    def get_or_synthesize(self, engine: Engine, settings: SpeechSettings, text: str) -> np.ndarray:
        """The cached segment for `text`, synthesizing and storing it on a miss."""
        key = self.key(engine.identity(settings), text)
        path = self.path(key)
        with self._key_lock(key):  # threads asking for one key synthesize it once
            audio = _load(path)
            if audio is not None:
                self._count(hit=True)
                return audio
            audio = np.ascontiguousarray(engine.synthesize(text, settings), dtype=np.int16)
            if audio.ndim != 1 or audio.size == 0:
                raise ValueError(f"engine returned unusable audio of shape {audio.shape}")
            _store_atomically(path, audio)
            self._count(hit=False)
            return audio

    def _key_lock(self, key: str) -> threading.Lock:
        with self._lock:
            return self._key_locks.setdefault(key, threading.Lock())

    def _count(self, *, hit: bool) -> None:
        with self._lock:
            if hit:
                self._hits += 1
            else:
                self._synthesized += 1


def _load(path: Path) -> np.ndarray | None:
    """The stored segment, or None if it is missing or damaged (then it will be rewritten)."""
    try:
        # A full read, not mmap: segments are small (~100-500 kB, under a millisecond to read)
        # and a memmap would hold a file descriptor per segment for as long as it lives.
        audio = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError) as error:
        logger.warning("re-synthesizing damaged cache entry %s: %s", path.name, error)
        return None
    if audio.dtype != np.int16 or audio.ndim != 1 or audio.size == 0:
        logger.warning("re-synthesizing cache entry %s with wrong layout %s %s",
                       path.name, audio.dtype, audio.shape)
        return None
    return audio


def _store_atomically(path: Path, audio: np.ndarray) -> None:
    """Write beside `path`, then rename into place. No fsync: a lost entry is re-synthesized."""
    with atomic_path(path, durable=False) as part, part.open("wb") as file:
        np.save(file, audio, allow_pickle=False)
