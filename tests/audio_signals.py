"""Test signals shared by the loudness, encoder and ffmpeg tests: made in code, written as WAV."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from audio_build.pcm import SAMPLE_RATE


def speech_like(seconds: float, dbfs: float, seed: int = 1, rate: int = SAMPLE_RATE,
                top_hz: float = 4000) -> np.ndarray:
    """Band-limited noise in syllable-long bursts with gaps, as floats peaking at `dbfs`."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / rate)
    spectrum[(freqs < 100) | (freqs > top_hz)] = 0
    noise = np.fft.irfft(spectrum, n)
    envelope = np.zeros(n)
    start = 0
    while start < n:
        length = int(rate * rng.uniform(0.15, 0.5))
        envelope[start : start + length] = np.hanning(length)[: n - start]
        start += length + int(rate * rng.uniform(0.05, 0.6))
    burst = noise * envelope
    return burst / np.abs(burst).max() * 10 ** (dbfs / 20)


def to_int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x * 32768), -32768, 32767).astype(np.int16)


def write_wav(path: Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.astype("<i2").tobytes())
    return path
