"""The Kokoro engine, for real: the joined int8 model, bundled voices, decoded and measured audio.

The model is loaded once per voice for the whole module; sentences are short."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from library_helpers import library_data_for

from audio_build import kokoro_engine
from audio_build.build import BuildConfig, build_library
from audio_build.catalog import load_catalog
from audio_build.cli import _parser
from audio_build.engines import SpeechSettings, make_engine
from audio_build.errors import SynthesisError
from audio_build.ffmpeg import measure_ebur128
from audio_build.kokoro_engine import (
    KOKORO_LENGTH_SCALE,
    VOICES_DIR,
    KokoroEngine,
    resolve_voice,
)
from audio_build.pcm import SAMPLE_RATE

pytestmark = pytest.mark.slow

SPANISH = "Respira despacio, y siente cómo late tu corazón."
ENGLISH = "Take a slow breath in, and let it go."

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("kokoro-work")


@pytest.fixture(scope="module")
def dora(work_dir: Path) -> KokoroEngine:
    return KokoroEngine("ef_dora", threads=1, work_dir=work_dir)


@pytest.fixture(scope="module")
def heart(work_dir: Path) -> KokoroEngine:
    return KokoroEngine("af_heart", threads=1, work_dir=work_dir)


@pytest.fixture(scope="module")
def spanish(dora: KokoroEngine) -> np.ndarray:
    return dora.synthesize(SPANISH, SpeechSettings())


def _seconds(audio: np.ndarray) -> float:
    return len(audio) / SAMPLE_RATE


def _assert_plausible_speech(audio: np.ndarray, text: str) -> None:
    assert audio.dtype == np.int16 and audio.ndim == 1
    words_per_minute = len(text.split()) / _seconds(audio) * 60
    assert 100 < words_per_minute < 220, words_per_minute
    rms_dbfs = 20 * np.log10(np.sqrt(np.mean(audio.astype(np.float64) ** 2)) / 32768)
    assert -30 < rms_dbfs < -12, rms_dbfs  # speech at the model's raw level, not silence
    assert np.abs(audio).max() < 32000  # no clipping
    assert np.abs(audio[:10]).max() < 2000  # trimmed, yet starts in (near) silence


def test_spanish_sentence_is_plausible_speech(spanish: np.ndarray) -> None:
    _assert_plausible_speech(spanish, SPANISH)


def test_english_sentence_is_plausible_speech(heart: KokoroEngine) -> None:
    _assert_plausible_speech(heart.synthesize(ENGLISH, SpeechSettings()), ENGLISH)


def test_same_text_gives_the_same_samples_even_after_a_reload(dora) -> None:
    first = dora.synthesize("Suelta el aire.", SpeechSettings())
    assert np.array_equal(dora.synthesize("Suelta el aire.", SpeechSettings()), first)
    dora.release()
    assert np.array_equal(dora.synthesize("Suelta el aire.", SpeechSettings()), first)


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(not Path("/proc/self/statm").is_file(), reason="needs Linux /proc")
def test_release_gives_the_model_memory_back(work_dir: Path) -> None:
    """A build releases the voice before encoding; the memory must leave the process (glibc
    keeps freed heap without malloc_trim: with the call misnamed and its error suppressed,
    release() gave back about 107 MB here, with it about 230 MB)."""
    engine = KokoroEngine("ef_dora", threads=1, work_dir=work_dir)
    engine.synthesize("Suelta el aire.", SpeechSettings())
    engine.release()  # the first load also imports onnxruntime and espeak, which stay
    engine.synthesize("Respira despacio, y siente cómo late tu corazón.", SpeechSettings())
    loaded = _rss_mb()
    engine.release()
    assert loaded - _rss_mb() >= 160, (loaded, _rss_mb())


@pytest.mark.skipif(not Path("/proc/self/statm").is_file(), reason="needs Linux /proc")
def test_freed_heap_is_handed_back_to_the_system() -> None:
    """The helper every engine's release() ends with: freed holes in the heap (here 190 MB of
    2 kB blocks with a survivor every 64th) are returned, not kept by the allocator."""
    from audio_build.engines import _return_freed_memory

    blocks = [bytes(2000) for _ in range(100_000)]
    survivors = blocks[::64]
    del blocks
    held = _rss_mb()
    _return_freed_memory()
    assert held - _rss_mb() >= 100, (held, _rss_mb())
    assert len(survivors) == 1563


def test_nothing_loads_until_the_first_synthesis() -> None:
    code = ("import sys; from audio_build.engines import SpeechSettings, make_engine; "
            "make_engine('kokoro', 'ef_dora').identity(SpeechSettings()); "
            "print(sorted({'onnxruntime', 'kokoro_onnx', 'phonemizer'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_the_cli_offers_the_engine() -> None:
    args = _parser().parse_args(["build", "--engine", "kokoro", "--voice", "em_alex"])
    assert (args.engine, args.voice) == ("kokoro", "em_alex")


def test_sentences_are_joined_with_a_pause_and_length_scale_slows(dora) -> None:
    one = dora.synthesize("Respira.", SpeechSettings())
    two = dora.synthesize("Respira. Suelta el aire.", SpeechSettings())
    assert _seconds(two) > _seconds(one) + 0.6
    fast = dora.synthesize("Suelta el aire.", SpeechSettings(length_scale=0.8))
    slow = dora.synthesize("Suelta el aire.", SpeechSettings(length_scale=1.6))
    assert _seconds(slow) > 1.4 * _seconds(fast)


def test_identity_changes_with_voice_and_settings(dora: KokoroEngine) -> None:
    identity = dora.identity(SpeechSettings())
    assert (identity.engine, identity.voice) == ("kokoro", "ef_dora")
    assert re.fullmatch(r"[0-9a-f]{16}", identity.voice_sha256)
    assert identity.settings["length_scale"] == KOKORO_LENGTH_SCALE
    assert identity.settings["phonemes"] == "espeak-ng es-419"
    assert "Apache-2.0" in identity.licence and "espeak-ng GPL-3.0" in identity.licence
    json.dumps(identity.as_dict())
    assert dora.identity(SpeechSettings()) == identity
    assert dora.identity(SpeechSettings(length_scale=1.1)) != identity
    alex = KokoroEngine("em_alex").identity(SpeechSettings())
    heart = KokoroEngine("af_heart").identity(SpeechSettings())
    assert len({identity.voice_sha256, alex.voice_sha256, heart.voice_sha256}) == 3
    assert heart.settings["phonemes"] == "espeak-ng en-us"


def test_a_voice_by_path_or_archive_is_the_same_voice(tmp_path: Path) -> None:
    reference = KokoroEngine("ef_dora").identity(SpeechSettings())
    copy = shutil.copyfile(VOICES_DIR / "ef_dora.bin", tmp_path / "ef_mine.bin")
    by_path = KokoroEngine(str(copy)).identity(SpeechSettings())
    assert by_path.voice == "ef_mine" and by_path.voice_sha256 == reference.voice_sha256
    style = np.fromfile(VOICES_DIR / "ef_dora.bin", dtype="<f4").reshape(510, 1, 256)
    np.savez(tmp_path / "voices.npz", ef_dora=style)
    archive = KokoroEngine(f"{tmp_path / 'voices.npz'}:ef_dora").identity(SpeechSettings())
    assert archive.voice_sha256 == reference.voice_sha256


@pytest.mark.parametrize(("voice", "message"), [
    ("ef_nobody", r"voice not found: .*ef_nobody\.bin \(bundled voices: af_heart, am_michael"),
    ("jf_alpha.bin", "voice not found"),
])
def test_unknown_voices_are_refused_clearly(voice: str, message: str) -> None:
    with pytest.raises(SynthesisError, match=message):
        resolve_voice(voice)


def test_bad_voice_files_are_refused_clearly(tmp_path: Path) -> None:
    short = tmp_path / "ef_short.bin"
    short.write_bytes(np.zeros(256, dtype="<f4").tobytes())
    with pytest.raises(SynthesisError, match=r"ef_short\.bin: .* shape \(256,\)"):
        KokoroEngine(str(short)).identity(SpeechSettings())
    japanese = shutil.copyfile(VOICES_DIR / "ef_dora.bin", tmp_path / "jf_alpha.bin")
    with pytest.raises(SynthesisError, match="cannot tell its language"):
        resolve_voice(str(japanese))


def test_the_pin_rejects_a_corrupted_joined_model(tmp_path: Path) -> None:
    engine = KokoroEngine("ef_dora", work_dir=tmp_path)
    engine.prepare()
    (joined,) = tmp_path.glob("*.onnx")
    assert joined.stat().st_size == kokoro_engine.MODEL_BYTES
    with joined.open("r+b") as file:  # one flipped byte in the middle
        file.seek(joined.stat().st_size // 2)
        byte = file.read(1)
        file.seek(-1, 1)
        file.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(SynthesisError, match=rf"{re.escape(str(joined))}: sha256 .* is not the "
                                             r"pinned .* delete the file"):
        KokoroEngine("ef_dora", work_dir=tmp_path).synthesize("Hola.", SpeechSettings())


def test_corrupted_parts_are_refused_and_nothing_is_written(tmp_path, monkeypatch) -> None:
    for module in kokoro_engine.MODEL_PARTS:
        (tmp_path / "parts" / module).mkdir(parents=True)
        (tmp_path / "parts" / module / "part.bin").write_bytes(b"not a model")
    monkeypatch.setattr(kokoro_engine, "files", lambda module: tmp_path / "parts" / module)
    with pytest.raises(SynthesisError, match="reinstall them: pip install --force-reinstall"):
        KokoroEngine("ef_dora", work_dir=tmp_path / "work").prepare()
    assert not list((tmp_path / "work").glob("*"))


def test_an_official_model_path_is_taken_from_kokoro_model(work_dir, monkeypatch) -> None:
    (joined,) = work_dir.glob("*.onnx")  # byte for byte the upstream file
    monkeypatch.setenv("KOKORO_MODEL", str(joined))
    engine = make_engine("kokoro", "ef_dora")
    assert engine.model == joined
    identity = engine.identity(SpeechSettings())
    assert identity.voice_sha256 == KokoroEngine("ef_dora").identity(SpeechSettings()).voice_sha256
    monkeypatch.setenv("KOKORO_MODEL", str(work_dir / "missing.onnx"))
    with pytest.raises(SynthesisError, match=r"Kokoro model not found: .*missing\.onnx"):
        make_engine("kokoro", "ef_dora")


PRACTICE = """\
---
title: Respiro de prueba
summary: Una práctica corta para probar la voz.
aliases: [respiro de prueba]
category: when-overwhelmed
lengths: [1]
tags: [any, standing-ok]
sources: ["A test source 2024"]
---

## Llegar
[bell]
Deja que tus pies descansen en el suelo. [pause 2s]
Nota una respiración, tal como es. [practice 20s]

## Volver
Vuelve a la sala, lista para lo que sigue. [bell]
"""


def test_a_spanish_practice_builds_end_to_end(dora: KokoroEngine, tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "respiro.md").write_text(PRACTICE, encoding="utf-8")
    config = BuildConfig(out_dir=tmp_path / "build", scripts=(tmp_path / "scripts",),
                         **library_data_for(tmp_path, tmp_path / "scripts", sentence="Hola.",
                                            templates=True))
    summary = build_library(config, engine=dora)
    assert summary.synthesized >= 4
    catalog = load_catalog(tmp_path / "build")
    (variant,) = catalog.practice("respiro").variants
    measured = measure_ebur128(tmp_path / "build" / variant.file)
    integrated, peak = measured.integrated_lufs, measured.true_peak_dbtp
    assert -17.0 <= integrated <= -15.0 and peak <= -2.0, (integrated, peak)
    assert abs(variant.duration_ms - 60_000) <= 50
    assert [c.title for c in variant.chapters] == ["Llegar", "Volver"]
    assert {s.kind for s in variant.phone} == {"speech", "bell"}
    data = json.loads((tmp_path / "build" / "catalog.json").read_text())
    assert (data["build"]["engine"], data["build"]["voice"]) == ("kokoro", "ef_dora")
