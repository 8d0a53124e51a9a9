"""Engines: the real Piper voice, and gTTS with its HTTP layer faked by `responses`."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
import requests
import responses

from audio_build.engines import PIPER_LENGTH_SCALE, PiperEngine, SpeechSettings, make_engine
from audio_build.errors import SynthesisError
from audio_build.gtts_engine import GttsEngine, RetryPolicy
from audio_build.pcm import SAMPLE_RATE

SENTENCE = "Take a slow breath in, and let it go."
GTTS_URL = re.compile(r"https://translate\.google\.com/_/TranslateWebserverUi/data/batchexecute")


@pytest.fixture(scope="module")
def piper() -> PiperEngine:
    return PiperEngine()


def _speech_seconds(audio: np.ndarray) -> float:
    return len(audio) / SAMPLE_RATE


def test_piper_synthesizes_plausible_speech(piper: PiperEngine) -> None:
    audio = piper.synthesize(SENTENCE, SpeechSettings())
    assert audio.dtype == np.int16 and audio.ndim == 1
    words_per_minute = len(SENTENCE.split()) / _speech_seconds(audio) * 60
    assert 120 < words_per_minute < 280
    assert np.sqrt(np.mean(audio.astype(np.float64) ** 2)) > 500  # clearly not silence
    assert np.abs(audio[:10]).max() < 2000  # trimmed, yet starts in (near) silence


def test_piper_joins_sentences_with_a_pause(piper: PiperEngine) -> None:
    one = piper.synthesize("Breathe in.", SpeechSettings())
    two = piper.synthesize("Breathe in. Breathe out.", SpeechSettings())
    assert _speech_seconds(two) > _speech_seconds(one) + 0.4


def test_piper_larger_length_scale_is_slower(piper: PiperEngine) -> None:
    text = "Notice the places in your body that are holding tension today."
    fast = piper.synthesize(text, SpeechSettings(length_scale=0.8))
    slow = piper.synthesize(text, SpeechSettings(length_scale=1.6))
    assert _speech_seconds(slow) > 1.4 * _speech_seconds(fast)


def test_piper_identity_records_effective_settings_and_licence(piper: PiperEngine) -> None:
    identity = piper.identity(SpeechSettings())
    assert identity.engine == "piper" and identity.voice == "en_US-joe-medium"
    assert re.fullmatch(r"[0-9a-f]{16}", identity.voice_sha256)
    assert identity.settings["length_scale"] == PIPER_LENGTH_SCALE
    assert identity.settings["noise_scale"] == pytest.approx(0.667)  # the voice's own default
    assert identity.licence == "en_US-joe-medium: dataset CC0 (MODEL_CARD); Piper engine GPL-3.0"
    json.dumps(identity.as_dict())  # catalog-ready
    assert piper.identity(SpeechSettings(length_scale=1.1)) != identity
    assert piper.identity(SpeechSettings()) == identity


def test_piper_identity_changes_with_voice(piper: PiperEngine, tmp_path: Path) -> None:
    other = tmp_path / "calm-voice.onnx"
    shutil.copyfile(piper.model_path, other)
    config = json.loads(piper.config_path.read_text())
    config["inference"]["noise_scale"] = 0.5
    (tmp_path / "calm-voice.onnx.json").write_text(json.dumps(config))
    identity = PiperEngine(str(other)).identity(SpeechSettings())
    reference = piper.identity(SpeechSettings())
    assert identity.voice == "calm-voice"
    assert identity.voice_sha256 != reference.voice_sha256
    assert identity.licence == "calm-voice: unknown, see voice MODEL_CARD; Piper engine GPL-3.0"


def test_piper_voice_by_name_resolves_to_the_installed_file() -> None:
    assert PiperEngine("en_US-joe-medium").model_path == PiperEngine().model_path


@pytest.mark.parametrize("voice", ["/nowhere/missing.onnx", "no-such-voice"])
def test_missing_piper_voice_is_a_one_line_error(voice: str) -> None:
    with pytest.raises(SynthesisError, match="Piper voice file not found") as caught:
        make_engine("piper", voice)
    assert "\n" not in str(caught.value)


def test_corrupt_piper_voice_is_a_synthesis_error(piper: PiperEngine, tmp_path: Path) -> None:
    (tmp_path / "broken.onnx").write_bytes(b"not a model")
    shutil.copyfile(piper.config_path, tmp_path / "broken.onnx.json")
    with pytest.raises(SynthesisError, match="could not load Piper voice"):
        PiperEngine(tmp_path / "broken.onnx").synthesize(SENTENCE, SpeechSettings())


def test_unknown_engine_name_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown speech engine 'festival'"):
        make_engine("festival")


@pytest.mark.parametrize("length_scale", [0.0, 3.0])
def test_out_of_range_length_scale_is_rejected(length_scale: float) -> None:
    with pytest.raises(ValueError, match="length_scale"):
        SpeechSettings(length_scale=length_scale)


# --- gTTS, never touching the network ------------------------------------------------------


@pytest.fixture(scope="module")
def sine_mp3() -> bytes:
    """A real 0.6 s MP3 of a 440 Hz tone, like the speech gTTS would return."""
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error",
               "-f", "lavfi", "-i", "sine=frequency=440:duration=0.6", "-ac", "1", "-ar", "24000",
               "-b:a", "32k", "-f", "mp3", "pipe:1"]
    return subprocess.run(command, capture_output=True, check=True).stdout


def _batchexecute_body(mp3: bytes) -> str:
    """The envelope gTTS parses: base64 audio inside the jQ1olc RPC's escaped JSON string."""
    compact = {"separators": (",", ":")}
    inner = json.dumps([base64.b64encode(mp3).decode("ascii")], **compact)
    line = json.dumps([["wrb.fr", "jQ1olc", inner, None, None, None, "generic"]], **compact)
    return f")]}}'\n\n{len(line)}\n{line}\n"


class _Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> _Sleeps:
    return _Sleeps()


def _gtts(sleeps: _Sleeps, attempts: int = 4) -> GttsEngine:
    policy = RetryPolicy(attempts=attempts, base_delay_s=1.0, jitter_s=0.25, timeout_s=5.0)
    return GttsEngine(retry=policy, sleep=sleeps)


@responses.activate
def test_gtts_decodes_mp3_to_internal_pcm(sine_mp3: bytes, sleeps: _Sleeps) -> None:
    responses.post(GTTS_URL, body=_batchexecute_body(sine_mp3))
    audio = _gtts(sleeps).synthesize(SENTENCE, SpeechSettings())
    assert audio.dtype == np.int16 and audio.ndim == 1
    assert 0.5 < _speech_seconds(audio) < 0.8
    assert np.abs(audio).max() > 3000  # lavfi's sine peaks at 1/8 of full scale
    spectrum = np.abs(np.fft.rfft(audio.astype(np.float64)))
    peak_hz = np.argmax(spectrum) * SAMPLE_RATE / len(audio)
    assert peak_hz == pytest.approx(440, abs=5)  # decoded, resampled, pitch intact
    assert len(responses.calls) == 1 and sleeps == []


@responses.activate
def test_gtts_length_scale_stretches_tempo(sine_mp3: bytes, sleeps: _Sleeps) -> None:
    responses.post(GTTS_URL, body=_batchexecute_body(sine_mp3))
    audio = _gtts(sleeps).synthesize(SENTENCE, SpeechSettings(length_scale=1.5))
    assert 0.8 < _speech_seconds(audio) < 1.1


@responses.activate
def test_gtts_retries_throttling_with_backoff(sine_mp3: bytes, sleeps: _Sleeps) -> None:
    responses.post(GTTS_URL, status=429)
    responses.post(GTTS_URL, status=503)
    responses.post(GTTS_URL, body=_batchexecute_body(sine_mp3))
    audio = _gtts(sleeps).synthesize(SENTENCE, SpeechSettings())
    assert audio.size > 0
    assert len(responses.calls) == 3
    assert len(sleeps) == 2
    assert 1.0 <= sleeps[0] <= 1.25 and 2.0 <= sleeps[1] <= 2.25


@responses.activate
def test_gtts_gives_up_after_repeated_server_errors(sleeps: _Sleeps) -> None:
    responses.post(GTTS_URL, status=500)
    with pytest.raises(SynthesisError) as caught:
        _gtts(sleeps, attempts=3).synthesize(SENTENCE, SpeechSettings())
    assert str(caught.value) == (
        "gTTS gave up after 3 attempts: "
        "translate.google.com answered HTTP 500 Internal Server Error"
    )
    assert len(responses.calls) == 3 and len(sleeps) == 2


@responses.activate
def test_gtts_does_not_retry_other_client_errors(sleeps: _Sleeps) -> None:
    responses.post(GTTS_URL, status=403)
    with pytest.raises(SynthesisError, match="refused by translate.google.com: HTTP 403"):
        _gtts(sleeps).synthesize(SENTENCE, SpeechSettings())
    assert len(responses.calls) == 1 and sleeps == []


@pytest.mark.parametrize("timeout", [requests.exceptions.ReadTimeout,
                                     requests.exceptions.ConnectTimeout])
@responses.activate
def test_gtts_timeouts_are_retried_then_reported(
    timeout: type[Exception], sine_mp3: bytes, sleeps: _Sleeps
) -> None:
    responses.post(GTTS_URL, body=timeout("slow"))
    responses.post(GTTS_URL, body=_batchexecute_body(sine_mp3))
    assert _gtts(sleeps).synthesize(SENTENCE, SpeechSettings()).size > 0
    responses.replace(responses.POST, GTTS_URL, body=timeout("slow"))
    with pytest.raises(SynthesisError, match=r"after 2 attempts: translate\.google\.com timed out"):
        _gtts(sleeps, attempts=2).synthesize(SENTENCE, SpeechSettings())


@responses.activate
def test_gtts_passes_a_timeout_on_every_request(sine_mp3: bytes, sleeps: _Sleeps) -> None:
    responses.post(GTTS_URL, body=_batchexecute_body(sine_mp3))
    _gtts(sleeps).synthesize("word " * 40, SpeechSettings())  # over 100 chars: several requests
    assert len(responses.calls) > 1
    assert all(call.request.req_kwargs["timeout"] == 5.0 for call in responses.calls)


@responses.activate
def test_gtts_offline_is_one_clear_line(sleeps: _Sleeps) -> None:
    responses.post(GTTS_URL, body=requests.exceptions.ConnectionError("Network is unreachable"))
    with pytest.raises(SynthesisError) as caught:
        _gtts(sleeps).synthesize(SENTENCE, SpeechSettings())
    assert str(caught.value) == "gTTS could not reach translate.google.com: network unreachable"
    assert len(responses.calls) == 1 and sleeps == []


def test_gtts_identity_and_language_check() -> None:
    identity = make_engine("gtts", "en:co.uk").identity(SpeechSettings())
    assert (identity.engine, identity.voice, identity.settings["length_scale"]) == (
        "gtts", "en-co.uk", 1.0)
    with pytest.raises(ValueError, match="does not support language 'xx'"):
        make_engine("gtts", "xx")
