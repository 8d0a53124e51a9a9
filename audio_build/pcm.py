"""The one internal audio format: mono signed 16-bit PCM at SAMPLE_RATE, held as numpy arrays."""

from __future__ import annotations

SAMPLE_RATE = 22050
"""Every engine returns speech at this rate (Piper's medium voices speak at it natively)."""

SAMPLE_WIDTH = 2
"""Bytes per sample: int16 little-endian."""


def ms_to_samples(duration_ms: int) -> int:
    return duration_ms * SAMPLE_RATE // 1000


def samples_to_ms(samples: int) -> int:
    return samples * 1000 // SAMPLE_RATE
