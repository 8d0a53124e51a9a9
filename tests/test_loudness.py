"""BS.1770-4 loudness, true peak and the limiter, checked against the standard and ffmpeg."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from audio_signals import speech_like, to_int16, write_wav
from hypothesis import given, settings
from hypothesis import strategies as st

from audio_build import limiter as stage
from audio_build.ffmpeg import measure_ebur128
from audio_build.limiter import (
    Level,
    TruePeakLimiter,
    limited,
    limited_loudness,
    plan_level,
)
from audio_build.loudness import LoudnessMeter, k_weighting, measure
from audio_build.pcm import SAMPLE_RATE


def tone(freq_hz: float, dbfs: float, seconds: float, rate: int = SAMPLE_RATE, phase=0.0):
    t = np.arange(int(seconds * rate)) / rate
    return 10 ** (dbfs / 20) * np.sin(2 * np.pi * freq_hz * t + phase)


def test_k_weighting_at_48k_matches_the_published_coefficients():
    shelf, high_pass = k_weighting(48000)
    expected_shelf = (1.53512485958697, -2.69169618940638, 1.19839281085285)
    np.testing.assert_allclose(shelf[:3], expected_shelf, rtol=1e-12)
    np.testing.assert_allclose(shelf[3:], (-1.69065929318241, 0.73248077421585), rtol=1e-12)
    np.testing.assert_allclose(high_pass, (1, -2, 1, -1.99004745483398, 0.99007225036621))


@pytest.mark.parametrize("rate", [8000, SAMPLE_RATE, 44100, 48000])
def test_sine_at_minus_20_dbfs_reads_minus_23_lufs(rate: int):
    result = measure([tone(997, -20, 5, rate)], rate)
    assert result.integrated_lufs == pytest.approx(-23.0, abs=0.05)
    assert result.true_peak_dbtp == pytest.approx(-20.0, abs=0.1)  # the abrupt start rings


def test_full_scale_sine_reads_minus_3_01():
    result = measure([tone(997, 0, 3, 48000)], 48000)
    assert result.integrated_lufs == pytest.approx(-3.01, abs=0.02)


def test_int16_and_float_input_agree():
    x = tone(500, -12, 2)
    a, b = measure([x], SAMPLE_RATE), measure([to_int16(x)], SAMPLE_RATE)
    assert a.integrated_lufs == pytest.approx(b.integrated_lufs, abs=0.01)


def test_silence_and_too_short_are_minus_infinity():
    silent = measure([np.zeros(SAMPLE_RATE * 5, np.int16)], SAMPLE_RATE)
    assert silent.integrated_lufs == -math.inf and silent.true_peak_dbtp == -math.inf
    short = measure([tone(1000, -10, 0.39)], SAMPLE_RATE)
    assert short.integrated_lufs == -math.inf
    assert measure([], SAMPLE_RATE).integrated_lufs == -math.inf


def test_digital_silence_is_gated_out():
    def padded(seconds: int) -> list[np.ndarray]:
        silence = np.zeros(SAMPLE_RATE * seconds)
        return [silence, tone(1000, -20, 10), silence, tone(1000, -20, 10), silence]

    short_gaps = measure(padded(1), SAMPLE_RATE).integrated_lufs
    assert measure(padded(120), SAMPLE_RATE).integrated_lufs == pytest.approx(short_gaps, abs=1e-6)
    assert short_gaps == pytest.approx(-23.0, abs=0.2)  # only the blocks across the edges count


def test_relative_gate_drops_quiet_passages_and_keeps_moderate_ones():
    loud = tone(1000, -20, 10)
    assert measure([loud, tone(1000, -50, 10)], SAMPLE_RATE).integrated_lufs == pytest.approx(
        -23.0, abs=0.05
    )
    both = measure([loud, tone(1000, -25, 10)], SAMPLE_RATE).integrated_lufs
    expected = 10 * math.log10((10 ** (-2.3) + 10 ** (-2.8)) / 2)
    assert both == pytest.approx(expected, abs=0.05)


def test_true_peak_sees_between_samples():
    # fs/4 at 45 degrees: every sample is at 0.707 but the waveform reaches 1.0 between them
    x = tone(SAMPLE_RATE / 4, 0, 1, phase=np.pi / 4)
    assert 20 * np.log10(np.abs(x).max()) == pytest.approx(-3.01, abs=0.01)
    assert measure([x], SAMPLE_RATE).true_peak_dbtp == pytest.approx(0.0, abs=0.1)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, SAMPLE_RATE * 3), max_size=8))
def test_chunking_never_changes_the_result(cuts: list[int]):
    x = to_int16(speech_like(3, -10, seed=2))
    whole = measure([x], SAMPLE_RATE)
    parts = measure(np.split(x, sorted(cuts)), SAMPLE_RATE)
    assert parts.integrated_lufs == pytest.approx(whole.integrated_lufs, abs=1e-9)
    assert parts.true_peak_dbtp == pytest.approx(whole.true_peak_dbtp, abs=1e-9)


def test_meter_counts_samples_and_bounds_its_buffers():
    meter = LoudnessMeter(SAMPLE_RATE)
    meter.push(np.zeros(SAMPLE_RATE * 600, np.int16))  # ten minutes in one chunk
    assert meter.samples == SAMPLE_RATE * 600
    assert meter._pending.nbytes < SAMPLE_RATE * 8 and meter._bin_counts.nbytes < 100_000


@pytest.mark.parametrize(
    ("name", "signal", "rate"),
    [
        ("speech-like", speech_like(20, -6, seed=3), SAMPLE_RATE),
        ("speech-like 44.1k", speech_like(20, -1, seed=4, rate=44100), 44100),
        ("tones and silence", np.concatenate([tone(300, -9, 4), np.zeros(SAMPLE_RATE * 8),
                                              tone(5000, -14, 4)]), SAMPLE_RATE),
        ("white noise", np.random.default_rng(5).uniform(-0.5, 0.5, SAMPLE_RATE * 10), SAMPLE_RATE),
    ],
)  # fmt: skip
def test_agrees_with_ffmpeg_ebur128(tmp_path: Path, name: str, signal: np.ndarray, rate: int):
    samples = to_int16(signal)
    ours = measure([samples], rate)
    theirs = measure_ebur128(write_wav(tmp_path / "x.wav", samples, rate))
    assert ours.integrated_lufs == pytest.approx(theirs.integrated_lufs, abs=0.5), name
    assert ours.true_peak_dbtp == pytest.approx(theirs.true_peak_dbtp, abs=0.5), name


def limit(x: np.ndarray, ceiling_dbtp: float, pieces: int = 1) -> np.ndarray:
    limiter = TruePeakLimiter(SAMPLE_RATE, ceiling_dbtp)
    out = [limiter.push(part) for part in np.array_split(x, pieces)]
    return np.concatenate([*out, limiter.flush()])


def peaky(seconds: float = 10) -> np.ndarray:
    x = speech_like(seconds, -10, seed=6)
    x[:: SAMPLE_RATE // 3] = 1.0  # full-scale clicks, three a second
    return x * 2.0  # and 6 dB of gain that would clip


def test_limiter_holds_the_true_peak_ceiling(tmp_path: Path):
    out = limit(peaky(), -3.0)
    assert measure([out], SAMPLE_RATE).true_peak_dbtp <= -2.95
    theirs = measure_ebur128(write_wav(tmp_path / "l.wav", to_int16(out)))
    assert theirs.true_peak_dbtp <= -2.8


def test_limiter_keeps_length_and_is_transparent_below_the_ceiling():
    x = speech_like(5, -12, seed=7)
    out = limit(x, -3.0, pieces=7)
    np.testing.assert_array_equal(out, x)


def test_limiter_output_does_not_depend_on_chunking():
    x = peaky(4)
    np.testing.assert_allclose(limit(x, -3.0, pieces=1), limit(x, -3.0, pieces=13), atol=1e-12)


def test_limiter_gain_moves_smoothly():
    x = tone(150, -10, 3)
    x[SAMPLE_RATE] = 1.0  # one full-scale click in a steady tone
    out = limit(x, -6.0)
    audible = np.abs(x) > 1e-9
    gain = out[audible] / x[audible]
    assert gain.max() <= 1.0 + 1e-12 and gain.min() < 0.6
    steps = np.abs(np.diff(gain))
    assert steps.max() < 0.01  # ramps over milliseconds, no jumps (clicks)


def test_limited_loudness_is_the_loudness_of_the_limited_stream():
    x = to_int16(peaky(6) / 2)
    predicted = limited_loudness([(x / 32768, True)], SAMPLE_RATE, (6.0, 7.0), -3.0)
    for gain_db, lufs in zip((6.0, 7.0), predicted, strict=True):
        actual = measure([limit(x / 32768 * 10 ** (gain_db / 20), -3.0)], SAMPLE_RATE)
        assert lufs == pytest.approx(actual.integrated_lufs, abs=1e-6)
    assert predicted[0] < predicted[1] < predicted[0] + 1.0  # the limiter eats some of +1 dB


@pytest.mark.parametrize("target_lufs", [-20.0, -18.0, -16.0])
def test_planned_level_lands_the_limited_stream_on_target(target_lufs: float):
    """One dry pass gives a gain whose limited output is within 0.1 LU of the target."""
    x = to_int16(peaky(6) / 2)
    source = measure([x], SAMPLE_RATE)
    level = plan_level(source, lambda: [(x / 32768, True)], SAMPLE_RATE, target_lufs, -4.0)
    out = np.concatenate(list(limited([x], level, SAMPLE_RATE)))
    result = measure([out], SAMPLE_RATE)
    assert result.integrated_lufs == pytest.approx(target_lufs, abs=0.1)
    assert result.true_peak_dbtp <= -3.95
    assert len(out) == len(x)


def test_planned_level_is_exact_and_skips_the_dry_pass_below_the_ceiling():
    x = to_int16(speech_like(5, -30, seed=8))
    source = measure([x], SAMPLE_RATE)

    def no_second_pass():
        raise AssertionError("no dry pass needed")

    level = plan_level(source, no_second_pass, SAMPLE_RATE, -30.0, -1.0)
    assert level == Level(-30.0 - source.integrated_lufs, -1.0)


def test_a_cue_keeps_its_own_level_and_the_mix_lands_on_target():
    """A part that does not take the gain (the bell) passes at its level; the dry pass meters
    the whole mix, so the gain makes up for the cue's quiet tail."""
    voice = to_int16(peaky(6) / 2) / 32768
    bell = tone(300, -30, 6) * np.exp(-np.arange(6 * SAMPLE_RATE) / SAMPLE_RATE)
    parts = [(voice, True), (bell, False)]
    source = measure([voice], SAMPLE_RATE)
    level = plan_level(source, lambda: parts, SAMPLE_RATE, -16.0, -4.0, has_cues=True)
    gain = 10 ** (level.gain_db / 20)
    out = np.concatenate(list(stage.limit([voice * gain, bell], -4.0, SAMPLE_RATE)))
    assert measure([out], SAMPLE_RATE).integrated_lufs == pytest.approx(-16.0, abs=0.15)
    np.testing.assert_allclose(out[len(voice) + 200:] / 32768, bell[200:], atol=1e-4)


def test_silent_programme_gets_no_gain():
    source = measure([np.zeros(SAMPLE_RATE * 3, np.int16)], SAMPLE_RATE)
    assert plan_level(source, lambda: [], SAMPLE_RATE, -16.0, -4.0) == Level(0.0, -4.0)


def test_momentary_maximum_is_the_loudest_400_ms():
    quiet, loud = tone(1000, -30, 3), tone(1000, -10, 0.4)
    result = measure([np.concatenate([quiet, loud, quiet])], SAMPLE_RATE)
    # a 1 kHz sine at -10 dBFS reads -13.01 LUFS (rms -3.01 dB; -0.691 cancels K at 1 kHz)
    assert result.momentary_max_lufs == pytest.approx(-13.01, abs=0.1)
    assert measure([np.zeros(SAMPLE_RATE)], SAMPLE_RATE).momentary_max_lufs == -np.inf
