"""Phone prompts (greeting, menu, paused, goodbye ...) spoken by the practices' own voice.

The texts come from `scripts/prompts/<lang>.yaml`, rendered by `library_data.prompt_texts` (the
crisis line filled in, templates filled from the library); each becomes an 8 kHz phone WAV named
by its content, and the text is kept in the catalog, so the phone service can tell whether a
recording still says what it means (and fall back to `<Say>` if not).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np

from .cache import SegmentCache
from .catalog import Prompt
from .encode import encode_phone_wav, normalising_gain
from .engines import Engine, SpeechSettings
from .errors import SynthesisError
from .outputs import BuildState, fingerprint, place_hashed
from .pcm import SAMPLE_RATE, samples_to_ms
from .plan import SENTENCE_GAP_MS, split_sentences

PROMPT_VERSION = "prompt-wav-8k-v3"
PROMPT_SETTINGS = SpeechSettings(length_scale=1.1)
"""Prompts are spoken at an everyday pace, quicker than the practices' calm one: a caller on a
break should reach the first word of a practice in seconds (tests/test_phone_timing.py)."""


def build_prompts(out_dir: Path, texts: dict[str, str], engine: Engine, cache: SegmentCache,
                  state: BuildState, settings: SpeechSettings = PROMPT_SETTINGS
                  ) -> tuple[dict[str, Prompt], int]:
    """Synthesize and store every prompt (`texts`: name → the sentence, rendered by
    `library_data.prompt_texts`) at `settings` (a language's `prompt_pace`); returns the
    catalog entries and files written."""
    identity = engine.identity(settings)
    prompts: dict[str, Prompt] = {}
    written = 0
    for name, text in sorted(texts.items()):
        sentences = split_sentences(text)
        key = fingerprint({"v": PROMPT_VERSION,
                           "speech": [cache.key(identity, s) for s in sentences]})
        entry = state.lookup(key)
        if entry is None:
            audio, marks = _speak(engine, settings, cache, name, sentences)
            gain = normalising_gain(lambda a=audio: iter([a]))
            placed = place_hashed(out_dir, "phone", f"prompt-{name}", "wav",
                                  lambda path, a=audio, g=gain: encode_phone_wav(
                                      a, path, gain_db=g))
            entry = {**asdict(placed), "duration_ms": samples_to_ms(len(audio)),
                     "marks_ms": marks}
            state.record(key, entry)
            written += 1
        prompts[name] = Prompt(text=text, **entry)
    return prompts, written


def _speak(engine: Engine, settings: SpeechSettings, cache: SegmentCache, name: str,
           sentences: list[str]) -> tuple[np.ndarray, list[int]]:
    """The prompt's audio and where each of its sentences ends (ms), so a caller's wait for a
    menu's first option can be known."""
    gap = np.zeros(SAMPLE_RATE * SENTENCE_GAP_MS // 1000 // 2, dtype=np.int16)
    parts: list[np.ndarray] = []
    marks: list[int] = []
    for sentence in sentences:
        try:
            parts.append(cache.get_or_synthesize(engine, settings, sentence))
        except SynthesisError as error:
            raise SynthesisError(f"prompt {name}: could not synthesize \"{sentence}\": "
                                 f"{error}") from None
        marks.append(samples_to_ms(sum(len(part) for part in parts)))
        parts.append(gap)
    return np.concatenate(parts[:-1]), marks
