"""Pure playback decisions: where a resume, next, previous, repeat or start-over begins.

A `Cue` is what to play: a practice, one of its length variants, an offset and the step (chapter)
that offset falls in. Nothing here touches the store or the request.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import Catalog, Practice, Variant

END_GUARD_MS = 3_000
"""A resume this close to the end restarts the last step instead of finishing at once."""


@dataclass(frozen=True)
class Cue:
    practice: Practice
    variant: Variant
    offset_ms: int
    step: int


def start(practice: Practice, minutes: float | None) -> Cue:
    """The beginning of the variant nearest the length asked for."""
    return Cue(practice, practice.nearest_variant(minutes), 0, 0)


def locate(catalog: Catalog, practice_id: str, minutes: int, audio_sha: str, offset_ms: int,
           step: int) -> Cue | None:
    """Where to pick up a practice paused at `offset_ms` of the audio with hash `audio_sha`.

    Same audio: the saved offset. Audio rebuilt since (hash differs): the start of the same step
    in the new audio, since an offset into different audio points at the wrong words.
    None if the practice is no longer in the catalog.
    """
    practice = catalog.get(practice_id)
    if practice is None or not practice.variants:
        return None
    variant = practice.variant(minutes) or practice.nearest_variant(minutes)
    last = len(variant.chapters) - 1
    if variant.sha256 == audio_sha:
        offset = max(0, offset_ms)
        if offset >= variant.duration_ms - END_GUARD_MS:
            return step_start(practice, variant, last)
        return Cue(practice, variant, offset, variant.step_at(offset))
    return step_start(practice, variant, min(max(step, 0), last))


def step_start(practice: Practice, variant: Variant, step: int) -> Cue:
    if not variant.chapters:
        return Cue(practice, variant, 0, 0)
    return Cue(practice, variant, variant.chapters[step].start_ms, step)


def move(cue: Cue, steps: int) -> Cue | None:
    """The start of the step `steps` away from the current one (0 repeats the current step).

    None past the last step; before the first step it stays at the first.
    """
    target = cue.variant.step_at(cue.offset_ms) + steps
    if target >= max(len(cue.variant.chapters), 1):
        return None
    return step_start(cue.practice, cue.variant, max(target, 0))


def from_beginning(cue: Cue) -> Cue:
    return Cue(cue.practice, cue.variant, 0, 0)
