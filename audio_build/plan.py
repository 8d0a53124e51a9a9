"""Timeline planning: where every sentence, pause, bell and practice silence sits in a variant.

Pure functions over the script model and the real lengths of the synthesized sentences, in
samples at `SAMPLE_RATE`, so a variant lands exactly on its target length. Speech is never
stretched: only `[practice]` silences grow or shrink, never below their floor.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .catalog import Chapter
from .errors import AudioBuildError
from .pcm import SAMPLE_RATE, ms_to_samples
from .script import Bell, Pause, PracticeScript, PracticeTime, Speech
from .timing import PRACTICE_FLOOR_MS, format_ms

SENTENCE_GAP_MS = 900
"""Silence between two spoken sentences: a calm beat, not a rush."""
STEP_GAP_MS = 1500
"""Silence before a new step when the script gives none."""
LEAD_IN_MS = 700
TAIL_MS = 1500

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=\S)")
_OPENERS = {"¿": "?", "¡": "!"}
_CLOSERS = frozenset(_OPENERS.values())


@dataclass(frozen=True)
class SpeechClip:
    """One synthesized sentence, played whole."""

    text: str
    samples: int
    step: int


@dataclass(frozen=True)
class Silence:
    samples: int
    step: int
    kind: str
    """'gap' (between sentences), 'pause', 'practice', 'lead' or 'tail'."""


@dataclass(frozen=True)
class BellClip:
    samples: int
    step: int


Clip = SpeechClip | Silence | BellClip


@dataclass(frozen=True)
class Timeline:
    """One length variant, clip by clip; `duration_samples` is exactly the target."""

    practice_id: str
    minutes: int
    clips: tuple[Clip, ...]
    chapters: tuple[Chapter, ...]
    duration_samples: int

    @property
    def duration_ms(self) -> int:
        return self.duration_samples * 1000 // SAMPLE_RATE


class PlanError(AudioBuildError):
    """A variant cannot reach its target length with the real synthesized speech."""


def split_sentences(text: str) -> list[str]:
    """Sentences of one speech run; each is synthesized and cached on its own.

    Spanish opens questions and exclamations with ¿ and ¡: nothing inside ¿…? or ¡…! ends a
    sentence, and a closing ? or ! followed by a lower-case word continues the sentence
    ("¿Qué hago? me pregunto."), as Spanish spelling allows.
    """
    sentences: list[str] = []
    start = 0
    for boundary in _SENTENCE_END.finditer(text):
        still_open, closed_spanish = _spanish_marks(text[start:boundary.start()])
        continues = closed_spanish and text[boundary.end():boundary.end() + 1].islower()
        if still_open or continues:
            continue
        sentences.append(text[start:boundary.end()])
        start = boundary.end()
    sentences.append(text[start:])
    return [part.strip() for part in sentences if part.strip()]


def _spanish_marks(text: str) -> tuple[bool, bool]:
    """Whether a ¿ or ¡ in `text` is still open, and whether `text` ends by closing one."""
    stack: list[str] = []
    closed_last = False
    for char in text:
        if char in _OPENERS:
            stack.append(char)
        elif char in _CLOSERS and stack and _OPENERS[stack[-1]] == char:
            stack.pop()
            closed_last = True
            continue
        if not char.isspace() and char not in "\"')]":
            closed_last = False
    return bool(stack), closed_last


def sentences_of(script: PracticeScript) -> list[str]:
    """Every distinct sentence any variant speaks, in script order."""
    seen: dict[str, None] = {}
    for step in script.steps:
        for item in step.items:
            if isinstance(item, Speech):
                seen.update(dict.fromkeys(split_sentences(item.text)))
    return list(seen)


def plan_variant(script: PracticeScript, minutes: int, speech_samples: Callable[[str], int],
                 bell_samples: int) -> Timeline:
    """Lay out the `minutes` variant; `speech_samples(sentence)` gives a sentence's real length."""
    clips, weights = _lay_out(script, minutes, speech_samples, bell_samples)
    target = minutes * 60 * SAMPLE_RATE
    fixed = sum(c.samples for c in clips if not (isinstance(c, Silence) and c.kind == "practice"))
    lengths = allocate_practice(target - fixed, weights, ms_to_samples(PRACTICE_FLOOR_MS))
    if lengths is None:
        floor = len(weights) * PRACTICE_FLOOR_MS
        over_ms = (fixed - target) * 1000 // SAMPLE_RATE + floor
        raise PlanError(f"{script.practice_id}: the {minutes}-minute variant is "
                        f"{format_ms(over_ms)} too long with the real speech (speech, pauses and "
                        f"bells take {format_ms(fixed * 1000 // SAMPLE_RATE)}); shorten the "
                        f"script or slow it less with length_scale")
    stretched = iter(lengths)
    final = tuple(
        Silence(next(stretched), c.step, "practice")
        if isinstance(c, Silence) and c.kind == "practice" else c
        for c in clips)
    chapters = _chapters(script, minutes, final)
    return Timeline(script.practice_id, minutes, final, chapters, target)


def _lay_out(script: PracticeScript, minutes: int, speech_samples: Callable[[str], int],
             bell_samples: int) -> tuple[list[Clip], list[int]]:
    clips: list[Clip] = []
    weights: list[int] = []
    for index, step in enumerate(script.steps_for(minutes)):
        if clips:
            _gap_before(clips, index, STEP_GAP_MS)
        else:
            clips.append(Silence(ms_to_samples(LEAD_IN_MS), index, "lead"))
        for item in step.items:
            if isinstance(item, Speech):
                for sentence in split_sentences(item.text):
                    _gap_before(clips, index, SENTENCE_GAP_MS)
                    clips.append(SpeechClip(sentence, speech_samples(sentence), index))
            elif isinstance(item, Pause):
                clips.append(Silence(ms_to_samples(item.duration_ms), index, "pause"))
            elif isinstance(item, PracticeTime):
                clips.append(Silence(0, index, "practice"))
                weights.append(item.duration_ms)
            elif isinstance(item, Bell):
                clips.append(BellClip(bell_samples, index))
    clips.append(Silence(ms_to_samples(TAIL_MS), clips[-1].step if clips else 0, "tail"))
    return clips, weights


def _gap_before(clips: list[Clip], step: int, gap_ms: int) -> None:
    """A natural gap after speech; a script's own pause or a bell already separates."""
    if clips and isinstance(clips[-1], SpeechClip):
        clips.append(Silence(ms_to_samples(gap_ms), step, "gap"))


def allocate_practice(available: int, weights: list[int], floor: int) -> list[int] | None:
    """Share `available` samples among practice silences by weight, none below `floor`.

    Returns None when even the floors do not fit. The lengths add up to exactly `available`
    (when there is at least one practice silence).
    """
    if not weights:
        return [] if available >= 0 else None
    if available < floor * len(weights):
        return None
    pinned: set[int] = set()
    while True:
        free = available - floor * len(pinned)
        total = sum(w for i, w in enumerate(weights) if i not in pinned)
        shares = {i: free * w // total for i, w in enumerate(weights) if i not in pinned}
        low = {i for i, share in shares.items() if share < floor}
        if low == set(shares):  # only rounding can do this: keep the largest one free
            low.discard(max(shares, key=shares.__getitem__))
        if not low:
            break
        pinned |= low
    lengths = [floor if i in pinned else shares[i] for i in range(len(weights))]
    lengths[max(shares, key=shares.__getitem__)] += available - sum(lengths)
    return lengths


def _chapters(script: PracticeScript, minutes: int, clips: tuple[Clip, ...]
              ) -> tuple[Chapter, ...]:
    starts: dict[int, int] = {}
    position = 0
    for clip in clips:
        if clip.step not in starts and not (isinstance(clip, Silence) and clip.kind == "gap"):
            starts[clip.step] = position
        position += clip.samples
    steps = script.steps_for(minutes)
    bounds = [starts.get(i, 0) for i in range(len(steps))] + [position]
    bounds[0] = 0
    return tuple(Chapter(step.title, bounds[i] * 1000 // SAMPLE_RATE,
                             bounds[i + 1] * 1000 // SAMPLE_RATE)
                 for i, step in enumerate(steps))
