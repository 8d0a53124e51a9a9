"""Phone prompts (greeting, menu, paused, goodbye ...) spoken by the practices' own voice.

The texts live in `scripts/prompts.yaml`; each becomes an 8 kHz phone WAV named by its content.
`{crisis_line}` in a prompt is filled from the build's crisis line, digits spoken one by one, and
the filled text is kept in the catalog so the phone service can tell whether the recording still
matches its configured crisis line (and fall back to `<Say>` if not).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np
import yaml

from .cache import SegmentCache
from .catalog import Prompt
from .config import BuildConfig
from .encode import encode_phone_wav, normalising_gain
from .engines import Engine, SpeechSettings
from .errors import AudioBuildError, SynthesisError
from .outputs import BuildState, fingerprint, place_hashed
from .pcm import SAMPLE_RATE, samples_to_ms
from .plan import SENTENCE_GAP_MS, split_sentences

PROMPT_VERSION = "prompt-wav-8k-v2"


def spoken_number(number: str) -> str:
    """'988' → '9 8 8', so a voice says each digit instead of 'nine hundred eighty-eight'."""
    return " ".join(ch for ch in number if ch.isdigit()) or number


def load_prompts(path: Path, crisis_line: str) -> dict[str, str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise AudioBuildError(f"{path}: cannot read prompts: {error}") from None
    if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in data.items()):
        raise AudioBuildError(f"{path}: prompts must be 'name: text' lines")
    return {name: " ".join(text.replace("{crisis_line}", spoken_number(crisis_line)).split())
            for name, text in data.items()}


def build_prompts(config: BuildConfig, engine: Engine, cache: SegmentCache, state: BuildState
                  ) -> tuple[dict[str, Prompt], int]:
    """Synthesize and store every prompt; returns the catalog entries and files written."""
    if not config.prompts_path.is_file():
        return {}, 0
    settings = SpeechSettings()
    identity = engine.identity(settings)
    prompts: dict[str, Prompt] = {}
    written = 0
    for name, text in load_prompts(config.prompts_path, config.crisis_line).items():
        sentences = split_sentences(text)
        key = fingerprint({"v": PROMPT_VERSION,
                           "speech": [cache.key(identity, s) for s in sentences]})
        entry = state.lookup(key)
        if entry is None:
            audio = _speak(engine, settings, cache, name, sentences)
            gain = normalising_gain(lambda a=audio: iter([a]))
            placed = place_hashed(config.out_dir, "phone", f"prompt-{name}", "wav",
                                  lambda path, a=audio, g=gain: encode_phone_wav(
                                      a, path, gain_db=g))
            entry = {**asdict(placed), "duration_ms": samples_to_ms(len(audio))}
            state.record(key, entry)
            written += 1
        prompts[name] = Prompt(text=text, **entry)
    return prompts, written


def _speak(engine: Engine, settings: SpeechSettings, cache: SegmentCache, name: str,
           sentences: list[str]) -> np.ndarray:
    gap = np.zeros(SAMPLE_RATE * SENTENCE_GAP_MS // 1000 // 2, dtype=np.int16)
    parts = []
    for sentence in sentences:
        try:
            parts.extend([cache.get_or_synthesize(engine, settings, sentence), gap])
        except SynthesisError as error:
            raise SynthesisError(f"prompt {name}: could not synthesize \"{sentence}\": "
                                 f"{error}") from None
    return np.concatenate(parts[:-1])
