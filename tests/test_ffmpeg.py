"""Finding ffmpeg, what it can do, and decoding and metering with it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from audio_signals import write_wav

from audio_build.errors import FfmpegMissingError
from audio_build.ffmpeg import (
    ENV_OVERRIDE,
    FfmpegError,
    decode_to_pcm,
    encode_pcm,
    ffmpeg_features,
    find_ffmpeg,
    measure_ebur128,
    stream_decode,
)
from audio_build.pcm import SAMPLE_RATE


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(ENV_OVERRIDE, raising=False)
    find_ffmpeg.cache_clear()
    yield
    find_ffmpeg.cache_clear()


def tone(freq_hz: float, amplitude: float, seconds: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return np.rint(amplitude * 32767 * np.sin(2 * np.pi * freq_hz * t)).astype(np.int16)


def test_finds_an_executable_and_caches_it():
    path = find_ffmpeg()
    assert os.access(path, os.X_OK)
    assert find_ffmpeg() is path
    assert find_ffmpeg.cache_info().hits >= 1


def test_env_override_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    link = tmp_path / "my-ffmpeg"
    link.symlink_to(imageio_ffmpeg.get_ffmpeg_exe())
    monkeypatch.setenv(ENV_OVERRIDE, str(link))
    assert find_ffmpeg() == str(link)


def test_env_override_that_is_not_there_is_one_clear_error(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(ENV_OVERRIDE, "/nowhere/ffmpeg")
    with pytest.raises(FfmpegMissingError, match="FFMPEG_BINARY=/nowhere/ffmpeg"):
        find_ffmpeg()


def test_missing_everywhere_names_both_ways_to_install(monkeypatch: pytest.MonkeyPatch):
    def no_binary() -> str:
        raise RuntimeError("No ffmpeg exe could be found")

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", no_binary)
    with pytest.raises(FfmpegMissingError) as raised:
        find_ffmpeg()
    message = str(raised.value)
    assert "\n" not in message
    assert "ffmpeg on PATH" in message and "pip install imageio-ffmpeg" in message


def test_binary_has_lame_and_the_r128_meter():
    assert ffmpeg_features().libmp3lame
    assert ffmpeg_features().ebur128


def test_decode_of_pcm_wav_is_exact(tmp_path: Path):
    samples = tone(440, 0.5, 1.3)
    decoded = decode_to_pcm(write_wav(tmp_path / "a.wav", samples))
    assert decoded.dtype == np.int16
    np.testing.assert_array_equal(decoded, samples)


def test_decode_resamples_to_the_rate_asked_for(tmp_path: Path):
    decoded = decode_to_pcm(write_wav(tmp_path / "a.wav", tone(440, 0.5, 2.0)), 8000)
    assert len(decoded) == 16000


def test_stream_decode_stops_cleanly_when_abandoned(tmp_path: Path):
    path = write_wav(tmp_path / "long.wav", tone(440, 0.5, 30.0))
    stream = stream_decode(path, SAMPLE_RATE)
    assert len(next(stream)) > 0
    stream.close()  # kills ffmpeg rather than leaving it blocked on a full pipe


def test_decode_failure_is_an_ffmpeg_error(tmp_path: Path):
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"not audio at all" * 10)
    with pytest.raises(FfmpegError, match="could not decode"):
        decode_to_pcm(junk)


def test_encode_pcm_round_trips_through_one_process(tmp_path: Path):
    samples = tone(440, 0.5, 1.0)
    out = tmp_path / "a.wav"
    encode_pcm([samples[:100], samples[100:]], SAMPLE_RATE, ["-c:a", "pcm_s16le", "-f", "wav"], out)
    np.testing.assert_array_equal(decode_to_pcm(out), samples)


def test_encode_pcm_reports_ffmpeg_failure(tmp_path: Path):
    with pytest.raises(FfmpegError, match="Unknown encoder"):
        args = ["-c:a", "nope", "-f", "wav"]
        encode_pcm([tone(440, 0.5, 0.1)], SAMPLE_RATE, args, tmp_path / "x")


def test_ebur128_summary_is_parsed(tmp_path: Path):
    # a 1 kHz sine at -20 dBFS reads -23.0 LUFS by definition (BS.1770: 0 dBFS sine = -3.01)
    result = measure_ebur128(write_wav(tmp_path / "a.wav", tone(1000, 0.1, 5.0)))
    assert result.integrated_lufs == pytest.approx(-23.0, abs=0.15)
    assert result.true_peak_dbtp == pytest.approx(-20.0, abs=0.15)


def test_ebur128_of_silence_is_minus_infinity(tmp_path: Path):
    result = measure_ebur128(write_wav(tmp_path / "z.wav", np.zeros(SAMPLE_RATE, np.int16)))
    assert result.integrated_lufs == -np.inf
    assert result.true_peak_dbtp == -np.inf
