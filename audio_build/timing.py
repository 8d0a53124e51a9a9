"""Estimates of how long a variant's fixed parts take, before any audio exists.

The validator uses these to reject a target length that the speech and pauses already exceed;
the planner uses the real synthesized durations instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ScriptError
from .language import DEFAULT_LANGUAGE
from .script import Bell, Pause, PracticeScript, PracticeTime

CALM_WORDS_PER_MINUTE = 110
"""A calm English guiding pace, sentence gaps included (guided meditation runs about 100-120)."""

SPANISH_WORDS_PER_MINUTE = 100
"""A calm Spanish guiding pace. Spanish words are longer (about two syllables a word in running
text against English's one and a half) and Spanish is spoken with more syllables a second (read
speech: 7.8 against 6.2, Pellegrino, Coupe and Marsico 2011, Language 87(3)). Slowing both by the
same factor as our calm English pace gives about 100 words a minute; see docs/spanish-style.md."""

WORDS_PER_MINUTE: dict[str, int] = {"en": CALM_WORDS_PER_MINUTE, "es": SPANISH_WORDS_PER_MINUTE}
"""Calm guiding pace per language code; a language not listed is estimated at the English pace."""

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
    words_per_minute: int = CALM_WORDS_PER_MINUTE
    """The pace `speech_ms` was estimated at (it depends on the script's language)."""

    @property
    def minimum_ms(self) -> int:
        """The shortest this variant can be: speech, fixed parts, every practice at its floor."""
        return self.speech_ms + self.fixed_ms + self.practice_count * PRACTICE_FLOOR_MS

    @property
    def target_ms(self) -> int:
        return self.minutes * 60_000


def words_per_minute(language: str = DEFAULT_LANGUAGE) -> int:
    return WORDS_PER_MINUTE.get(language, CALM_WORDS_PER_MINUTE)


def estimate_speech_ms(words: int, language: str = DEFAULT_LANGUAGE) -> int:
    return words * 60_000 // words_per_minute(language)


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
    language = script.language
    return VariantEstimate(minutes, words, estimate_speech_ms(words, language), fixed_ms, count,
                           weight_ms, words_per_minute(language))


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
                       * estimate.words_per_minute // 60_000)
        errors.append(ScriptError(
            path, line, col,
            f"the {minutes}-minute variant needs at least {format_ms(estimate.minimum_ms)}: "
            f"{estimate.words} words of speech (about {format_ms(estimate.speech_ms)} at "
            f"{estimate.words_per_minute} words a minute), "
            f"{format_ms(estimate.fixed_ms)} of pauses and bells, "
            f"{estimate.practice_count} practice silences of at least "
            f"{PRACTICE_FLOOR_MS // 1000}s",
            f"cut about {over_words} words or some pauses, mark steps '(N+ min)' for longer "
            f"variants only, or drop {minutes} from lengths"))
    return errors


def format_ms(duration_ms: int) -> str:
    seconds = round(duration_ms / 1000)
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"
