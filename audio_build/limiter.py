"""The gain-and-limit stage: one gain for the programme, and a look-ahead true-peak limiter.

`plan_level` turns what the measure stage found into the gain that lands the limited stream on
its target loudness: exact from the measurement when the limiter will not act, else from ONE
dry pass that meters the limited stream at a few gains at once (limiting eats loudness, more of
it the harder it works) and reads the gain off that curve. `limited` then applies the gain and
the limiter on the way to the encoder.

Why not a library. ffmpeg's `loudnorm` (two-pass, linear) refuses to limit: when the peak does
not fit it switches to dynamic compression ("normalization_type": "dynamic" on our speech at
-16 LUFS / -2 dBTP), which changes the voice, and its first pass alone took 11-16 s for a 10-minute
programme against 0.9 s for this stage's dry pass. `alimiter` limits sample peaks, not true
(inter-sample) peaks, so it could not promise the -2 dBTP ceiling. This limiter oversamples 4x
with the meter's interpolator, so what it holds is what the meter reads.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from audio_build.loudness import Loudness, LoudnessMeter, Oversampler, reblock, to_float

PROBE_STEPS_DB = (0.0, 3.0, 8.0, 16.0)
"""The dry pass meters the limited stream at the first-guess gain plus each of these: limiting
eats more of each added decibel the harder it works, so the curve is read, not extrapolated."""


@dataclass(frozen=True)
class Level:
    """What the gain-and-limit stage applies to a programme."""

    gain_db: float
    ceiling_dbtp: float
    """True-peak ceiling of the limiter."""


Part = tuple[np.ndarray, bool]
"""A piece of programme (float samples) and whether the programme's gain applies to it (False
for a cue, such as the bell, that comes already at its own level)."""


def plan_level(source: Loudness, parts: Callable[[], Iterable[Part]], sample_rate: int,
               target_lufs: float, ceiling_dbtp: float, *, has_cues: bool = False) -> Level:
    """The gain that brings the programme to `target_lufs` after limiting at `ceiling_dbtp`.

    `source` is the measure stage's result for the gained part of `parts()`; a programme
    with nothing above the gate gets no gain (there is no level to normalise). With cues, the
    whole mix is metered in the dry pass: a cue's quiet tail lowers the gated loudness.
    """
    if not math.isfinite(source.integrated_lufs):
        return Level(0.0, ceiling_dbtp)
    gain_db = target_lufs - source.integrated_lufs
    if not has_cues and source.true_peak_dbtp + gain_db <= ceiling_dbtp:
        return Level(gain_db, ceiling_dbtp)  # the limiter will never act: the gain is exact
    gains = tuple(gain_db + step for step in PROBE_STEPS_DB)
    return Level(_gain_for(target_lufs, gains, limited_loudness(parts(), sample_rate, gains,
                                                                  ceiling_dbtp)), ceiling_dbtp)


def _gain_for(target_lufs: float, gains: tuple[float, ...], lufs: tuple[float, ...]) -> float:
    """Where the measured (gain, loudness) curve crosses the target, piecewise linearly; past
    the last probe, on along the last segment's slope (at least 0.25 LU per dB)."""
    for index in range(1, len(gains)):
        if lufs[index] >= target_lufs or index == len(gains) - 1:
            slope = (lufs[index] - lufs[index - 1]) / (gains[index] - gains[index - 1])
            slope = min(1.0, max(0.25, slope))
            return gains[index - 1] + (target_lufs - lufs[index - 1]) / slope
    return gains[0]


def limited_loudness(parts: Iterable[Part], sample_rate: int, gains_db: tuple[float, ...],
                     ceiling_dbtp: float) -> tuple[float, ...]:
    """Integrated loudness after each gain and the limiter, all in one pass over `parts`."""
    limiters = [TruePeakLimiter(sample_rate, ceiling_dbtp) for _ in gains_db]
    meters = [LoudnessMeter(sample_rate, true_peak=False) for _ in gains_db]
    factors = [10 ** (gain_db / 20) for gain_db in gains_db]
    oversampler = Oversampler()
    for samples, gained in parts:
        for x in reblock([samples]):
            peaks = oversampler.process(x)
            for limiter, meter, factor in zip(limiters, meters, factors, strict=True):
                scale = factor if gained else 1.0
                meter.push(limiter.push(x * scale, peaks * scale))
    for limiter, meter in zip(limiters, meters, strict=True):
        meter.push(limiter.flush())
    return tuple(meter.result().integrated_lufs for meter in meters)


def limited(blocks: Iterable[np.ndarray], level: Level, sample_rate: int) -> Iterator[np.ndarray]:
    """The blocks with the level's gain and limiter applied, as int16 (same total length)."""
    gain = 10 ** (level.gain_db / 20)
    return limit((to_float(block) * gain for block in blocks), level.ceiling_dbtp, sample_rate)


def limit(blocks: Iterable[np.ndarray], ceiling_dbtp: float, sample_rate: int
          ) -> Iterator[np.ndarray]:
    """Float blocks (gain already applied) through the limiter, as int16 (same total length)."""
    limiter = TruePeakLimiter(sample_rate, ceiling_dbtp)
    for block in blocks:
        yield to_int16(limiter.push(block))
    yield to_int16(limiter.flush())


def to_int16(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(samples * 32768.0), -32768, 32767).astype(np.int16)


class TruePeakLimiter:
    """Look-ahead limiter keeping the 4x oversampled peak at or below a ceiling.

    Each sample needs gain ceiling / (interpolated peak within one sample of it). A forward
    minimum over `attack` samples, then a moving mean of the same length, turns those needs into
    a ramp that is already down when a peak arrives and is never above what any sample needs.
    Release then climbs back at a fixed dB rate. Output lags input by `latency` samples: push()
    returns only real output (less than it was given at first); flush() returns the rest.
    """

    def __init__(
        self,
        sample_rate: int,
        ceiling_dbtp: float,
        *,
        attack_ms: float = 5.0,
        release_db_per_s: float = 600.0,
        # 600, not 250: Piper's speech has a 19 dB crest factor, so at -16 LUFS the limiter
        # works on every syllable; recovering faster between them gave a bell-heavy 1-minute
        # practice the 0.5 LU it lacked, and the gain still moves under 0.3 % per sample.
    ) -> None:
        self._ceiling = 10 ** (ceiling_dbtp / 20)
        self._attack = max(2, round(attack_ms * sample_rate / 1000))
        self._release_db = release_db_per_s / sample_rate
        self._oversampler = Oversampler()
        self.latency = Oversampler.LAG + self._attack - 1
        self._peaks = np.zeros(Oversampler.LAG)
        self._x_detect = np.zeros(Oversampler.LAG)
        self._needs = np.ones(2 * self._attack - 2)
        self._x_gain = np.zeros(self._attack - 1)
        self._attenuation_db = 0.0
        self._skip = self.latency

    def push(self, x: np.ndarray, peaks: np.ndarray | None = None) -> np.ndarray:
        """Float samples in, limited float samples out. `peaks`, if given, is what this
        limiter's oversampler would make of `x` (a bank of limiters on scaled copies of one
        stream shares one oversampler: it is linear)."""
        out = self._process(np.asarray(x, dtype=np.float64), peaks)
        skip = min(self._skip, len(out))
        self._skip -= skip
        return out[skip:]

    def flush(self) -> np.ndarray:
        """The last `latency` samples, pushed out by silence."""
        return self.push(np.zeros(self.latency))

    def _process(self, x: np.ndarray, given: np.ndarray | None) -> np.ndarray:
        n, lag, attack = len(x), Oversampler.LAG, self._attack
        if self._at_rest() and not x.any():
            return np.zeros(n)  # silence in, silence out: long practice silences are free
        fresh = self._oversampler.process(x) if given is None else given
        peaks = np.concatenate((self._peaks, fresh))
        xs = np.concatenate((self._x_detect, x))
        self._peaks, self._x_detect = peaks[n:], xs[n:]
        envelope = np.maximum(np.abs(xs[:n]), peaks[lag - 1 : lag - 1 + n])
        np.maximum(envelope, peaks[lag : lag + n], out=envelope)
        needs = np.concatenate((self._needs, self._ceiling / np.maximum(envelope, self._ceiling)))
        xg = np.concatenate((self._x_gain, xs[:n]))
        self._needs, self._x_gain = needs[n:], xg[n:]
        ramp = _moving_mean(_forward_min(needs, attack), attack)
        return xg[:n] * self._release(ramp)

    def _at_rest(self) -> bool:
        """Nothing in flight: only silence in the buffers and no attenuation to release."""
        return (self._attenuation_db == 0.0 and not self._x_detect.any()
                and not self._x_gain.any() and not self._peaks.any()
                and bool((self._needs == 1.0).all()))

    def _release(self, ramp: np.ndarray) -> np.ndarray:
        if self._attenuation_db == 0.0 and (len(ramp) == 0 or ramp.min() >= 1.0):
            return np.ones(len(ramp))
        wanted = -20 * np.log10(ramp)
        slope = self._release_db * np.arange(len(ramp))
        start = self._attenuation_db - self._release_db
        held = np.maximum.accumulate(np.maximum(wanted + slope, start)) - slope
        self._attenuation_db = max(float(held[-1]), 0.0)
        return 10 ** (-held / 20)


def _forward_min(values: np.ndarray, width: int) -> np.ndarray:
    """out[k] = min(values[k : k + width]), by doubling spans (O(n log width))."""
    span, mins = 1, values
    while span * 2 <= width:
        mins = np.minimum(mins[:-span], mins[span:])
        span *= 2
    rest = width - span
    return np.minimum(mins[: len(mins) - rest], mins[rest:]) if rest else mins


def _moving_mean(values: np.ndarray, width: int) -> np.ndarray:
    """out[j] = mean(values[j : j + width])."""
    sums = np.concatenate(([0.0], np.cumsum(values)))
    return (sums[width:] - sums[:-width]) / width
