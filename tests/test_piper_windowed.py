"""Windowed Piper decoding: the voice cut at its decoder gives the whole decode's audio.

The real voice is cut and its real decoder is run on the latent of a real long sentence, whole
and in windows. A small convolution with a known reach checks the window arithmetic, including
that too little context is caught.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from audio_build import piper_windowed
from audio_build.engines import PiperEngine, SpeechSettings
from audio_build.errors import SynthesisError
from audio_build.pcm import SAMPLE_RATE
from audio_build.piper_windowed import CONTEXT_FRAMES, WINDOW_FRAMES, WindowedVoice, decode_windowed

LONG = ("When the shift has asked more of you than you had to give, and the faces of the people "
        "you cared for are still with you, let them rest here for a moment, without needing to "
        "fix anything, and let your own breath be enough.")


@pytest.fixture(scope="module")
def windowed(tmp_path_factory: pytest.TempPathFactory) -> PiperEngine:
    engine = PiperEngine(work_dir=tmp_path_factory.mktemp("voices"))
    engine.prepare()
    return engine


def _manifest(engine: PiperEngine) -> tuple[Path, dict]:
    assert engine.work_dir is not None
    (manifest,) = engine.work_dir.glob("*/split.json")
    return manifest, json.loads(manifest.read_text())


def test_the_voice_is_cut_once_and_checked(windowed: PiperEngine) -> None:
    manifest, facts = _manifest(windowed)
    assert facts["windowed"] is True and facts["hop"] == 256 and facts["channels"] == 192
    assert facts["largest_difference"] <= 1e-5
    folder = manifest.parent
    assert {p.name for p in folder.iterdir()} == {"prior.onnx", "decoder.onnx", "split.json"}
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    PiperEngine(work_dir=windowed.work_dir).prepare()
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == stamps


def test_windowed_decode_of_a_long_sentence_is_the_whole_decode(windowed: PiperEngine) -> None:
    voice = windowed._load()
    assert isinstance(voice, WindowedVoice)
    ids = np.array([voice.voice.phonemes_to_ids(voice.voice.phonemize(LONG)[0])], dtype=np.int64)
    latent = voice.prior.run(None, {"input": ids, "input_lengths": np.array([ids.shape[1]]),
                                    "scales": np.array([0.667, 1.4, 0.8], dtype=np.float32)})[0]
    assert latent.shape[2] > 2 * WINDOW_FRAMES  # at least three windows
    whole = voice._decode(latent)
    pieces = decode_windowed(voice._decode, latent, voice.hop)
    assert len(pieces) == len(whole) == latent.shape[2] * 256
    assert np.abs(pieces - whole).max() <= 1e-5


def test_windowed_engine_speaks_a_long_sentence_like_the_whole_voice(
        windowed: PiperEngine) -> None:
    whole = PiperEngine().synthesize(LONG, SpeechSettings())
    pieces = windowed.synthesize(LONG, SpeechSettings())
    assert pieces.dtype == np.int16
    # Piper draws its timing at random, so two renditions match in length and level, not samples
    assert 0.85 < len(pieces) / len(whole) < 1.15 and len(pieces) / SAMPLE_RATE > 8
    def rms(audio: np.ndarray) -> float:
        return float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))
    assert 0.8 < rms(pieces) / rms(whole) < 1.25
    windowed.release()
    assert windowed._voice is None
    assert len(windowed.synthesize("Breathe in.", SpeechSettings())) > SAMPLE_RATE // 4


def _conv(reach: int):
    """A 'decoder' with hop 4: each output frame is a weighted sum of frames within `reach`."""
    weights = np.linspace(1.0, 2.0, 2 * reach + 1, dtype=np.float32)

    def decode(latent: np.ndarray) -> np.ndarray:
        frames = latent.shape[2]
        mixed = np.convolve(latent[0, 0], weights)[reach:reach + frames].astype(np.float32)
        return np.repeat(mixed, 4)
    return decode


@pytest.mark.parametrize("frames", [1, WINDOW_FRAMES + 2 * CONTEXT_FRAMES + 1,
                                    3 * WINDOW_FRAMES, 5 * WINDOW_FRAMES + 7])
def test_window_arithmetic_covers_every_frame_once(frames: int) -> None:
    latent = np.random.default_rng(frames).standard_normal((1, 1, frames)).astype(np.float32)
    decode = _conv(CONTEXT_FRAMES)
    assert np.array_equal(decode_windowed(decode, latent, 4), decode(latent))


def test_too_little_context_is_visible() -> None:
    latent = np.random.default_rng(1).standard_normal((1, 1, 3 * WINDOW_FRAMES)).astype(np.float32)
    decode = _conv(CONTEXT_FRAMES + 4)
    assert not np.allclose(decode_windowed(decode, latent, 4), decode(latent), atol=1e-3)


def _identity_voice(folder: Path) -> Path:
    graph = helper.make_graph(
        [helper.make_node("Identity", ["input"], ["output"], name="/Identity")], "plain",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, None])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, None])])
    path = folder / "plain.onnx"
    onnx.save(helper.make_model(graph), str(path))
    return path


def test_a_voice_without_the_decoder_cut_runs_whole(tmp_path: Path) -> None:
    model = _identity_voice(tmp_path)
    assert piper_windowed.prepare(model, "0" * 16, tmp_path / "voices") is None
    (manifest,) = (tmp_path / "voices").glob("*/split.json")
    facts = json.loads(manifest.read_text())
    assert facts == {"windowed": False, "reason": "no node /dec/conv_pre/Conv"}
    assert not list(manifest.parent.glob("*.onnx"))


def test_a_voice_that_cannot_be_read_still_fails_clearly(tmp_path: Path,
                                                         windowed: PiperEngine) -> None:
    (tmp_path / "broken.onnx").write_bytes(b"not a model")
    shutil.copyfile(windowed.config_path, tmp_path / "broken.onnx.json")
    engine = PiperEngine(tmp_path / "broken.onnx", work_dir=tmp_path / "voices")
    with pytest.raises(SynthesisError, match="could not load Piper voice"):
        engine.synthesize("Breathe in.", SpeechSettings())
