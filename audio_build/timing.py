"""Estimates of how long a variant's fixed parts take, before any audio exists.

The validator uses these to reject a target length that the speech and pauses already exceed;
the planner uses the real synthesized durations instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ScriptError
from .script import Bell, Pause, PracticeScript, PracticeTime

CALM_WORDS_PER_MINUTE = 110
"""A calm guiding pace, sentence gaps included (guided meditation runs about 100-120)."""

BELL_MS = 6000
"""Length of the bell the build makes."""

PRACTICE_FLOOR_MS = 5000
"""A `[practice]` silence never shrinks below this."""


@dataclass(frozen=True)
class VariantEstimate:
    minutes: int
    words: int
    speech_ms: int
    fixed_ms: int
    """Pauses and bells: the same whatever the length."""
    practice_count: int
    practice_weight_ms: int

    @property
    def minimum_ms(self) -> int:
        """The shortest this variant can be: speech, fixed parts, every practice at its floor."""
        return self.speech_ms + self.fixed_ms + self.practice_count * PRACTICE_FLOOR_MS

    @property
    def target_ms(self) -> int:
        return self.minutes * 60_000


def estimate_speech_ms(words: int) -> int:
    return words * 60_000 // CALM_WORDS_PER_MINUTE


def estimate_variant(script: PracticeScript, minutes: int) -> VariantEstimate:
    words = fixed_ms = count = weight_ms = 0
    for step in script.steps_for(minutes):
        words += step.words
        for item in step.items:
            if isinstance(item, Pause):
                fixed_ms += item.duration_ms
            elif isinstance(item, Bell):
                fixed_ms += BELL_MS
            elif isinstance(item, PracticeTime):
                count += 1
                weight_ms += item.duration_ms
    return VariantEstimate(minutes, words, estimate_speech_ms(words), fixed_ms, count, weight_ms)


def check_lengths(path: str, script: PracticeScript, positions: tuple[tuple[int, int], ...]
                  ) -> list[ScriptError]:
    """One error per target length that the speech and fixed pauses already exceed."""
    errors = []
    for index, minutes in enumerate(script.lengths):
        estimate = estimate_variant(script, minutes)
        if estimate.minimum_ms <= estimate.target_ms:
            continue
        line, col = positions[index] if index < len(positions) else (1, 1)
        over_words = -(-(estimate.minimum_ms - estimate.target_ms)
                       * CALM_WORDS_PER_MINUTE // 60_000)
        errors.append(ScriptError(
            path, line, col,
            f"the {minutes}-minute variant needs at least {format_ms(estimate.minimum_ms)}: "
            f"{estimate.words} words of speech (about {format_ms(estimate.speech_ms)} at "
            f"{CALM_WORDS_PER_MINUTE} words a minute), {format_ms(estimate.fixed_ms)} of pauses "
            f"and bells, {estimate.practice_count} practice silences of at least "
            f"{PRACTICE_FLOOR_MS // 1000}s",
            f"cut about {over_words} words or some pauses, mark steps '(N+ min)' for longer "
            f"variants only, or drop {minutes} from lengths"))
    return errors


def format_ms(duration_ms: int) -> str:
    seconds = round(duration_ms / 1000)
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"
