"""The practice-script model: a typed, immutable practice → steps → items.

A script is Markdown with YAML front matter (see DESIGN.md "Practice scripts"). This module owns
the model only; `parse` turns text into it and `library` checks a whole folder of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .language import language_of


@dataclass(frozen=True)
class Speech:
    """Text the voice speaks: one run of words between directives on one line."""

    text: str
    line: int
    """1-based line in the script, for error messages."""

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class Pause:
    """`[pause N]`: a fixed pacing pause, the same in every length variant."""

    duration_ms: int
    line: int


@dataclass(frozen=True)
class PracticeTime:
    """`[practice N]`: silent practice that length variants stretch or shrink (N is its weight)."""

    duration_ms: int
    line: int


@dataclass(frozen=True)
class Bell:
    """`[bell]`: a bell sound made in code."""

    line: int


Item = Speech | Pause | PracticeTime | Bell


@dataclass(frozen=True)
class Step:
    """A `## Heading` and what follows: a chapter, a phone segment boundary, a unit to skip by."""

    title: str
    items: tuple[Item, ...]
    line: int
    min_minutes: int | None = None
    """Set by a `(N+ min)` heading suffix: kept only in variants of N minutes or more."""

    def included_in(self, minutes: int) -> bool:
        return self.min_minutes is None or minutes >= self.min_minutes

    @property
    def words(self) -> int:
        return sum(item.words for item in self.items if isinstance(item, Speech))


@dataclass(frozen=True)
class PracticeScript:
    """One practice as its author wrote it; the file name (without `.md`) is its id."""

    practice_id: str
    path: Path
    title: str
    summary: str
    aliases: tuple[str, ...]
    category: str
    lengths: tuple[int, ...]
    """Target lengths in minutes, ascending; one audio variant each."""
    tags: tuple[str, ...]
    sources: tuple[str, ...]
    steps: tuple[Step, ...]
    length_scale: float | None = None
    """Optional speech-pace override for engines that support it (higher is slower)."""

    @property
    def language(self) -> str:
        """Language code of the script, from the folder it sits in ('en' unless e.g. 'es')."""
        return language_of(self.path)

    def steps_for(self, minutes: int) -> tuple[Step, ...]:
        """The steps the `minutes`-long variant includes, in script order."""
        return tuple(step for step in self.steps if step.included_in(minutes))

    def words_for(self, minutes: int) -> int:
        return sum(step.words for step in self.steps_for(minutes))


TAGS: tuple[str, ...] = (
    # state the practice meets
    "hyper-engaged",
    "hypo-engaged",
    "any",
    # setting
    "seated",
    "standing-ok",
    "eyes-open-ok",
    "eyes-closed-optional",
    # when
    "between-patients",
    "break",
    "end-of-shift",
)
