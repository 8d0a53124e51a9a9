"""The synthesised bell: deterministic, soft, click-free, decaying, ending on zero."""

from __future__ import annotations

import numpy as np
import pytest

from audio_build.bell import FUNDAMENTAL_HZ, PEAK_DBFS, make_bell
from audio_build.pcm import SAMPLE_RATE, ms_to_samples


@pytest.fixture(scope="module")
def bell() -> np.ndarray:
    return make_bell()


def test_format_and_length(bell: np.ndarray):
    assert bell.dtype == np.int16
    assert bell.ndim == 1
    assert len(bell) == ms_to_samples(6000)
    assert len(make_bell(2500)) == ms_to_samples(2500)


def test_same_samples_every_call(bell: np.ndarray):
    np.testing.assert_array_equal(make_bell(), bell)


def test_gentle_peak(bell: np.ndarray):
    peak_dbfs = 20 * np.log10(np.abs(bell).max() / 32767)
    assert peak_dbfs == pytest.approx(PEAK_DBFS, abs=0.1)


def test_no_click_at_the_start(bell: np.ndarray):
    peak = np.abs(bell).max()
    assert bell[0] == 0
    assert np.abs(bell[: ms_to_samples(1)]).max() < 0.1 * peak
    # no jump between neighbours in the attack bigger than the tone itself allows
    assert np.abs(np.diff(bell[: ms_to_samples(10)].astype(int))).max() < 0.2 * peak


def test_ends_on_true_zero(bell: np.ndarray):
    assert bell[-1] == 0
    assert np.abs(bell[-ms_to_samples(20) :]).max() < 0.002 * np.abs(bell).max()


def test_decays_second_by_second(bell: np.ndarray):
    seconds = bell[: 6 * SAMPLE_RATE].astype(float).reshape(6, SAMPLE_RATE)
    rms = np.sqrt((seconds**2).mean(axis=1))
    assert np.all(np.diff(rms) < 0)
    assert rms[-1] < rms[0] / 10


def test_fundamental_is_the_strongest_partial_and_in_range(bell: np.ndarray):
    spectrum = np.abs(np.fft.rfft(bell.astype(float)))
    freqs = np.fft.rfftfreq(len(bell), 1 / SAMPLE_RATE)
    strongest = freqs[np.argmax(spectrum)]
    assert 220 <= strongest <= 440
    assert strongest == pytest.approx(FUNDAMENTAL_HZ, abs=2)


def test_partials_are_inharmonic(bell: np.ndarray):
    spectrum = np.abs(np.fft.rfft(bell.astype(float)))
    freqs = np.fft.rfftfreq(len(bell), 1 / SAMPLE_RATE)
    near = (freqs > 2.5 * FUNDAMENTAL_HZ) & (freqs < 3.1 * FUNDAMENTAL_HZ)
    second = freqs[near][np.argmax(spectrum[near])]
    assert second / FUNDAMENTAL_HZ == pytest.approx(2.76, abs=0.01)


def test_too_short_a_bell_is_refused():
    with pytest.raises(ValueError):
        make_bell(10)
