"""The text-to-speech contract every engine keeps, and the post-processing they share.

`Engine` is what the build calls (identity, synthesize, prepare, release); `SpeechSettings` are
the options a script may set; `EngineIdentity` names everything that changes the sound, for the
segment cache's key and the catalog. Both engine modules (`engines` for Piper, `gtts_engine`)
import this one and not each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import version
from typing import Any, Protocol

import numpy as np

from audio_build.pcm import ms_to_samples

Scalar = str | int | float | bool | None

TRIM_THRESHOLD = 300
"""int16 frame RMS (about -40 dBFS): below this counts as silence."""
TRIM_FRAME_MS = 10
KEEP_LEAD_MS = 30
KEEP_TAIL_MS = 80
"""Final consonants and breaths fade slowly: keep a little more at the end."""
POSTPROCESS = "trim-rms300-30/80ms-v1"
"""Part of every identity: bump when trimming or joining changes the sound."""


@dataclass(frozen=True)
class SpeechSettings:
    """Per-script speech options an author may set."""

    length_scale: float | None = None
    """Speaking-time multiplier (>1 is slower); None means the engine's calm default."""

    def __post_init__(self) -> None:
        if self.length_scale is not None and not 0.5 <= self.length_scale <= 2.0:
            raise ValueError(f"length_scale must be between 0.5 and 2.0, got {self.length_scale}")


@dataclass(frozen=True)
class EngineIdentity:
    """Everything that determines an engine's sound, plus the licence to credit."""

    engine: str
    """Engine name as given to make_engine: "piper" or "gtts"."""

    voice: str
    """Voice name, e.g. "en_US-joe-medium" or "en-com" (gTTS language and domain)."""

    voice_sha256: str
    """First 16 hex digits of the sha256 of the voice model and config; "" for cloud voices."""

    settings: Mapping[str, Scalar] = field(hash=False)
    """Effective settings after defaults were applied (length_scale, noise, versions, ...)."""

    licence: str
    """Licence text to show with the audio; not part of the cache key."""

    def sound_fields(self) -> dict[str, Any]:
        """The fields that change the sound: what a cache key is built from."""
        return {
            "engine": self.engine,
            "voice": self.voice,
            "voice_sha256": self.voice_sha256,
            "settings": dict(self.settings),
        }

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form for the catalog."""
        return {**self.sound_fields(), "licence": self.licence}


class Engine(Protocol):
    """A text-to-speech engine."""

    def identity(self, settings: SpeechSettings) -> EngineIdentity: ...

    def synthesize(self, text: str, settings: SpeechSettings) -> np.ndarray: ...

    def prepare(self) -> None:
        """Make, once, whatever files the engine derives from its voice (before workers start,
        so they do not all make them at once); a no-op for engines with none."""
        ...

    def release(self) -> None:
        """Drop the loaded voice and its memory until the next synthesis; a no-op for engines
        that hold none."""
        ...


@cache
def package_version(distribution: str) -> str:
    return version(distribution)


def length_scale(settings: SpeechSettings, default: float) -> float:
    return default if settings.length_scale is None else float(settings.length_scale)


def trim_silence(audio: np.ndarray) -> np.ndarray:
    """Cut leading/trailing silence by 10 ms frame RMS, keeping a short natural margin."""
    frame = ms_to_samples(TRIM_FRAME_MS)
    usable = audio[: len(audio) // frame * frame].astype(np.float32).reshape(-1, frame)
    loud = np.flatnonzero(np.sqrt((usable**2).mean(axis=1)) >= TRIM_THRESHOLD)
    if loud.size == 0:
        return audio
    start = max(0, loud[0] * frame - ms_to_samples(KEEP_LEAD_MS))
    end = min(len(audio), (loud[-1] + 1) * frame + ms_to_samples(KEEP_TAIL_MS))
    return audio[start:end]
