"""Words of crisis: recognising them in what someone said, on every channel, before anything else.

The phrases are library data (`scripts/crisis/<language>.yaml`, reviewed by a clinician), copied
into the catalog by the build; this module only matches. A `crisis` phrase found as whole words
means the crisis response and never a practice, unless a `not_crisis` phrase found in the same
words covers it entirely ("not suicidal" covers "suicidal"; "patient in crisis" covers "in crisis").
Nothing about a match is stored or logged beyond a count per channel (`metrics`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .normalise import normalise

Span = tuple[int, int]


@dataclass(frozen=True)
class CrisisLexicon:
    crisis: tuple[str, ...]
    not_crisis: tuple[str, ...]
    _crisis_words: tuple[tuple[str, ...], ...] = field(init=False, repr=False, compare=False)
    _not_words: tuple[tuple[str, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_crisis_words", _split(self.crisis))
        object.__setattr__(self, "_not_words", _split(self.not_crisis))

    def matches(self, said: str) -> bool:
        """True if `said` holds a crisis phrase that no not_crisis phrase covers."""
        words = normalise(said).split()
        if not words:
            return False
        found = _spans(words, self._crisis_words)
        if not found:
            return False
        cancelling = _spans(words, self._not_words)
        return any(not any(start <= s and e <= end for start, end in cancelling)
                   for s, e in found)


def _split(phrases: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(normalise(p).split()) for p in phrases if normalise(p))


def _spans(words: list[str], phrases: tuple[tuple[str, ...], ...]) -> list[Span]:
    spans = []
    for phrase in phrases:
        size = len(phrase)
        first = phrase[0]
        for start, word in enumerate(words[:len(words) - size + 1]):
            if word == first and tuple(words[start:start + size]) == phrase:
                spans.append((start, start + size))
    return spans


def heard_crisis(lexicons: dict[str, CrisisLexicon], texts: Iterable[str | None]) -> bool:
    """True if any of `texts` matches the lexicon of any language the catalog has: a listener
    in crisis may not speak the language they chose (Alexa's locale, the phone's menu)."""
    said = [text for text in texts if text and text.strip()]
    return any(lexicon.matches(text) for text in said for lexicon in lexicons.values())
