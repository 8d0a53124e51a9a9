"""A fast, deterministic stand-in for a speech engine, for the service's tests.

The Alexa, phone and web tests need a built library (catalog, MP3s, phone segments, prompts)
whose audio is real audio, but not real speech: what they check is where steps start, how long
things are, ranges and players. `ToneEngine` makes speech-like sound — a voiced tone with a
syllable rhythm at about 150 words a minute, level like Piper's raw output — in microseconds,
the same samples for the same text every time. The build then plans, levels, limits and encodes
it exactly as it does Piper's speech. Piper itself is tested by the build's own tests
(test_build, test_encode, test_engines, test_piper_windowed) and one end-to-end library build
(test_library_growth)."""

from __future__ import annotations

import hashlib

import numpy as np

from audio_build.engines import EngineIdentity, SpeechSettings
from audio_build.pcm import SAMPLE_RATE

CHARACTERS_PER_SECOND = 13.0
"""About 150 words a minute of English text."""


class ToneEngine:
    """Speech-like tones: a length from the text, a pitch from its hash."""

    def identity(self, settings: SpeechSettings) -> EngineIdentity:
        return EngineIdentity(engine="tone", voice="tone", voice_sha256="",
                              settings={"length_scale": settings.length_scale or 1.0,
                                        "version": 1},
                              licence="test signal")

    def synthesize(self, text: str, settings: SpeechSettings) -> np.ndarray:
        scale = settings.length_scale or 1.0
        seconds = max(0.3, len(text.strip()) / CHARACTERS_PER_SECOND * scale)
        samples = int(seconds * SAMPLE_RATE)
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
        time = np.arange(samples) / SAMPLE_RATE
        pitch = 110.0 + seed % 90
        voiced = sum(np.sin(2 * np.pi * pitch * k * time) / k for k in (1, 2, 3, 4))
        syllables = 0.55 + 0.45 * np.sin(2 * np.pi * 4.0 * time + seed % 7) ** 2
        fade = np.minimum(1.0, np.minimum(time, time[::-1]) / 0.03)
        audio = 0.25 * voiced * syllables * fade
        return (audio * 32767 / max(1.0, float(np.abs(audio).max()) / 0.6)).astype(np.int16)

    def prepare(self) -> None:
        """Nothing to load."""

    def release(self) -> None:
        """Nothing to free."""
