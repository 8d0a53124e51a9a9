"""From how someone feels (or how long they have) to a practice: shared by Alexa and the phone.

The library data decides (`catalog.library`): each need is a category of practices with the words
that lead to it and one sentence of why; when the library has nothing in a need's category, its
`also` categories are tried in order, so a library without one practice still offers the next
best. Nothing said leads to the library's `first` practice, unless the listener has just said
they are very stressed (a check-in answer of `STRESSED` or more, issue 14): then the channel's
`calming` needs (data: Alexa's `calming_needs`, a grounding practice) come first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .catalog import Catalog, Practice, Variant
from .library import DEFAULT_LANGUAGE, Need
from .normalise import normalise


@dataclass(frozen=True)
class Recommendation:
    practice: Practice
    variant: Variant
    need_id: str | None
    """The need that was heard; None when nothing was (the library's first practice)."""
    why: str
    """One sentence, spoken or shown, saying why this practice."""


def find_need(catalog: Catalog, said: str, language: str = DEFAULT_LANGUAGE) -> Need | None:
    """The need whose phrase appears in what was said (the longest phrase found wins)."""
    text = f" {normalise(said)} "
    words = catalog.library.language(language).needs
    candidates = [(len(normalise(word)), need.need_id, need) for need in catalog.library.needs
                  for word in (words[need.need_id].words if need.need_id in words else ())
                  if normalise(word) and f" {normalise(word)} " in text]
    return max(candidates, key=lambda c: (c[0], c[1]))[2] if candidates else None


STRESSED = 4
"""A before answer of 4 ("quite a bit") or 5 ("extremely") suggests grounding first."""


def recommend(catalog: Catalog, said: str = "", minutes: float | None = None,
              language: str = DEFAULT_LANGUAGE, need: Need | None = None, *,
              before: int | None = None, calming: Sequence[str] = ()
              ) -> Recommendation | None:
    """A practice for what was said (or for `need`), at the length nearest `minutes` (the
    need's own length, else the shortest, when none was asked for).

    `before`: the listener's check-in answer just now; when nothing said names a need and it is
    `STRESSED` or more, the first of the `calming` needs the library has is taken."""
    need = need or find_need(catalog, said, language)
    if need is None and before is not None and before >= STRESSED:
        need = next((n for n in map(catalog.library.need, calming) if n is not None), None)
    words = catalog.library.language(language)
    if need is None:
        first = catalog.get(catalog.library.first)
        if first is not None and first.variants:
            return Recommendation(first, first.nearest_variant(minutes), None,
                                  words.first_why.format(title=first.title))
        categories: tuple[str, ...] = tuple(n.need_id for n in catalog.library.needs)
        why = ""
    else:
        categories = (need.need_id, *need.also)
        text = words.needs.get(need.need_id)
        why = text.why if text else ""
        if minutes is None:
            minutes = need.minutes
    for category in categories:
        practices = [p for p in catalog.practices if p.category == category and p.variants]
        if practices:
            practice = min(practices, key=lambda p: _fit(p, minutes))
            return Recommendation(practice, practice.nearest_variant(minutes),
                                  need.need_id if need else None, why)
    return None


def _fit(practice: Practice, minutes: float | None) -> tuple[float, int, str]:
    shortest = practice.variants[0].minutes
    if minutes is None:
        return (0.0, shortest, practice.practice_id)
    return (min(abs(v.minutes - minutes) for v in practice.variants), shortest,
            practice.practice_id)


def choices(catalog: Catalog, count: int = 3) -> list[Practice]:
    """A few varied practices to offer when nothing matched: one per need, in the library's
    order of needs, then the first practice."""
    offered: list[Practice] = []
    for need in (*catalog.library.needs, None):
        found = recommend(catalog, need=need) if need else recommend(catalog)
        if found and found.practice not in offered:
            offered.append(found.practice)
        if len(offered) == count:
            break
    return offered
