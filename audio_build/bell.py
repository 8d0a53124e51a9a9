"""The meditation bell, synthesised in code: a struck singing bowl, the same samples every time.

A bowl's partials are inharmonic and the higher ones die away faster, which is what makes it
sound like metal rather than an organ. The fundamental is split into two close tones so it beats
slowly, as real bowls do. The strike ramps up over a few ms (no click), and the tail is faded
to exact digital zero so the bell can be butted against silence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audio_build.pcm import SAMPLE_RATE, ms_to_samples


@dataclass(frozen=True)
class Partial:
    """One sinusoid of the bell."""

    ratio: float
    """Frequency as a multiple of the fundamental."""
    level: float
    """Starting amplitude relative to the fundamental."""
    decay_s: float
    """Time for the amplitude to fall by 1/e."""


FUNDAMENTAL_HZ = 293.66
"""D4: low enough to be calm, high enough to carry on a phone speaker."""

PARTIALS = (
    Partial(ratio=1.0, level=1.0, decay_s=2.2),
    Partial(ratio=2.76, level=0.45, decay_s=1.4),
    Partial(ratio=5.40, level=0.22, decay_s=0.7),
    Partial(ratio=8.93, level=0.10, decay_s=0.35),
)

BEAT_HZ = 0.8
"""Spacing of the two tones that make up the fundamental."""

PEAK_DBFS = -6.0
ATTACK_MS = 6
FADE_OUT_MS = 800
_FULL_SCALE = 32767


def make_bell(duration_ms: int = 6000) -> np.ndarray:
    """A bell of duration_ms as mono int16 at SAMPLE_RATE, peaking at PEAK_DBFS."""
    if duration_ms < 4 * ATTACK_MS:
        raise ValueError(f"a bell needs at least {4 * ATTACK_MS} ms, not {duration_ms}")
    n = ms_to_samples(duration_ms)
    t = np.arange(n) / SAMPLE_RATE
    tone = np.zeros(n)
    for partial in PARTIALS:
        tone += _partial(partial, t)
    shaped = tone * _envelope(n, duration_ms)
    scale = 10 ** (PEAK_DBFS / 20) * _FULL_SCALE / np.abs(shaped).max()
    return np.rint(shaped * scale).astype(np.int16)


def _partial(partial: Partial, t: np.ndarray) -> np.ndarray:
    decay = np.exp(-t / partial.decay_s)
    frequency = FUNDAMENTAL_HZ * partial.ratio
    if partial.ratio == 1.0:
        # two half-amplitude tones BEAT_HZ apart: a slow, gentle waver
        pair = np.sin(2 * np.pi * (frequency - BEAT_HZ / 2) * t)
        pair += np.sin(2 * np.pi * (frequency + BEAT_HZ / 2) * t)
        return partial.level * decay * pair / 2
    return partial.level * decay * np.sin(2 * np.pi * frequency * t)


def _envelope(n: int, duration_ms: int) -> np.ndarray:
    """Raised-cosine attack, then flat, then a raised-cosine fade ending on exactly zero."""
    envelope = np.ones(n)
    attack = ms_to_samples(ATTACK_MS)
    envelope[:attack] = 0.5 - 0.5 * np.cos(np.pi * np.arange(attack) / attack)
    fade = ms_to_samples(min(FADE_OUT_MS, duration_ms // 3))
    envelope[n - fade :] *= 0.5 + 0.5 * np.cos(np.pi * np.arange(1, fade + 1) / fade)
    return envelope
