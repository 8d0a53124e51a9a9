"""From how someone feels (or how long they have) to a practice: shared by Alexa and the phone.

Feeling words map to a need; a need maps to catalog categories (and tags), tried in order, so a
library without one practice still offers the next best. Each need has one sentence of why.
"""

from __future__ import annotations

from dataclasses import dataclass

from .catalog import Catalog, Practice, Variant, normalise


@dataclass(frozen=True)
class Need:
    name: str
    words: tuple[str, ...]
    """Normalised phrases that signal this need when they appear in what was said."""
    categories: tuple[str, ...]
    """Catalog categories to choose from, best first."""
    why: str
    """One sentence, spoken or shown, saying why this practice."""


NEEDS: tuple[Need, ...] = (
    Need("after-a-death",
         ("lost a patient", "patient died", "just died", "death", "died", "passed away",
          "grieving", "grief", "code", "we lost"),
         ("after-a-death", "when-overwhelmed"),
         "After a death, a short pause lets you honour the person and the care you gave."),
    Need("overwhelmed",
         ("overwhelmed", "stressed", "anxious", "panicky", "panicking", "too much", "frantic",
          "on edge", "wired", "angry", "frustrated", "swamped", "scared"),
         ("when-overwhelmed",),
         "When everything is too much, feeling your feet and a long breath out steadies you."),
    Need("numb",
         ("numb", "empty", "flat", "disconnected", "shut down", "nothing", "burned out",
          "burnt out", "exhausted", "drained", "tired", "cynical", "far away", "detached"),
         ("when-numb",),
         "When you feel numb, gentle warmth and one human detail can bring you back."),
    Need("short-on-time",
         ("only have a minute", "one minute", "a minute", "no time", "quick", "short",
          "between patients", "next patient", "reset"),
         ("between-patients", "when-overwhelmed"),
         "This one fits in a minute, between one patient and the next."),
    Need("end-of-shift",
         ("end of shift", "end of my shift", "going home", "done with my shift", "after work",
          "shift is over", "finished work", "off work", "heading home", "done for the day"),
         ("end-of-shift",),
         "At the end of a shift, this helps you set the day down before you go home."),
    Need("sad",
         ("sad", "down", "low", "inadequate", "failed", "guilty", "not good enough",
          "helpless", "powerless"),
         ("compassion-training", "when-overwhelmed"),
         "When you feel you are not enough, a little kindness toward yourself is a place to "
         "start."),
)

FALLBACK = Need("any", (), ("compassion-training", "when-overwhelmed", "between-patients"),
                "Loving-kindness is a good place to begin: a few minutes of wishing people well.")


@dataclass(frozen=True)
class Recommendation:
    practice: Practice
    variant: Variant
    need: Need


def find_need(said: str) -> Need | None:
    """The first need whose phrase appears in what was said (longest phrases are checked first)."""
    text = f" {normalise(said)} "
    candidates = [(len(word), need) for need in NEEDS for word in need.words
                  if f" {normalise(word)} " in text]
    return max(candidates, key=lambda c: c[0])[1] if candidates else None


def recommend(catalog: Catalog, said: str = "", minutes: float | None = None
              ) -> Recommendation | None:
    """A practice for what was said, at the length nearest `minutes` (shortest if none)."""
    need = find_need(said) or FALLBACK
    if minutes is None and need.name == "short-on-time":
        minutes = 1
    for category in need.categories:
        practices = [p for p in catalog.practices if p.category == category and p.variants]
        if need is FALLBACK:
            practices.sort(key=lambda p: p.practice_id != "loving-kindness")
        if practices:
            practice = min(practices, key=lambda p: _fit(p, minutes))
            return Recommendation(practice, practice.nearest_variant(minutes), need)
    return None


def _fit(practice: Practice, minutes: float | None) -> tuple[float, int]:
    shortest = practice.variants[0].minutes
    if minutes is None:
        return (0.0, shortest)
    return (min(abs(v.minutes - minutes) for v in practice.variants), shortest)


def choices(catalog: Catalog, count: int = 3) -> list[Practice]:
    """A few varied practices to offer when nothing matched: one per need, short ones first."""
    offered: list[Practice] = []
    by_name = {need.name: need for need in NEEDS}
    wanted = ("short-on-time", "overwhelmed", "numb")
    for need in (*(by_name[name] for name in wanted), FALLBACK):
        found = recommend(catalog, need.words[0] if need.words else "")
        if found and found.practice not in offered:
            offered.append(found.practice)
        if len(offered) == count:
            break
    return offered
