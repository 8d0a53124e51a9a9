"""How the catalog is shown to people: needs, time filters, human file names, sizes and times.

Pure functions over the catalog's dataclasses; the pages, the feed and the downloads share them so
that a practice has one name and one size everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..catalog import Catalog, Practice, Variant
from ..library import Words


@dataclass(frozen=True)
class Heading:
    """A section of the page: one need of the library (a practice category), in words."""

    category: str
    """The catalog's `category` value."""
    label: str
    """The heading a listener scans for."""
    hint: str
    """One line saying when this helps."""


OTHERS = Heading("", "More practices", "Other practices in the library.")
"""For a practice whose category the library data does not name (never, after a clean check);
pages title it in their own language (`others`)."""


def others(words: Words) -> Heading:
    """The last group, "More practices", in the page's language."""
    return Heading("", words.text("more_practices"), words.text("more_practices_hint"))


def headings(catalog: Catalog) -> tuple[Heading, ...]:
    """The library's needs in its own order, titled in the catalog view's language."""
    words = catalog.library.language(catalog.language).needs
    return tuple(Heading(need.need_id, words[need.need_id].title, words[need.need_id].line)
                 for need in catalog.library.needs if need.need_id in words)


def heading_of(catalog: Catalog, practice: Practice) -> Heading | None:
    return next((h for h in headings(catalog) if h.category == practice.category), None)


@dataclass(frozen=True)
class TimeFilter:
    key: str
    """The value of `?minutes=` in the URL."""
    label: str
    low: int
    """Shortest length shown, in minutes."""
    high: int | None
    """Longest length shown, in minutes; None for no limit."""

    def admits(self, minutes: int) -> bool:
        return minutes >= self.low and (self.high is None or minutes <= self.high)


TIME_FILTERS: tuple[TimeFilter, ...] = (
    TimeFilter("1", "1 min", 1, 2),
    TimeFilter("3", "3 min", 3, 4),
    TimeFilter("5", "5 min", 5, 9),
    TimeFilter("10", "10+ min", 10, None),
)


@dataclass(frozen=True)
class Shown:
    """A practice with the lengths that pass the current filter."""

    practice: Practice
    variants: tuple[Variant, ...]


@dataclass(frozen=True)
class Section:
    need: Heading
    items: tuple[Shown, ...]


def time_filter(key: str | None) -> TimeFilter | None:
    """The filter named by `?minutes=`; None (show everything) for a missing or unknown value."""
    return next((f for f in TIME_FILTERS if f.key == (key or "").strip()), None)


def sections(catalog: Catalog, chosen: TimeFilter | None,
             last: Heading = OTHERS) -> tuple[Section, ...]:
    """Practices grouped by need in the library's order, keeping only lengths the filter admits.

    Practices in a category the library data does not name go into a last "More practices"
    group, so a practice is never hidden."""
    practices = catalog.practices
    known = {heading.category for heading in headings(catalog)}
    needs = (*headings(catalog), last)
    result = []
    for need in needs:
        members = [p for p in practices if p.category == need.category
                   or (not need.category and p.category not in known)]
        items = tuple(Shown(p, tuple(v for v in p.variants if chosen is None
                                     or chosen.admits(v.minutes))) for p in members)
        items = tuple(item for item in items if item.variants)
        if items:
            result.append(Section(need, items))
    return tuple(result)


_UNSAFE = re.compile(r'[\x00-\x1f/\\:*?"<>|]+')


def variant_title(practice: Practice, variant: Variant) -> str:
    """`<Title> (10 min)`: the title of one recording everywhere it is listed."""
    return f"{practice.title} ({variant.minutes} min)"


def download_name(practice: Practice, variant: Variant) -> str:
    """`<Title> (10 min).mp3`: safe on every phone and desktop file system."""
    suffix = variant.file.rsplit(".", 1)[-1] if "." in variant.file else "mp3"
    name = _UNSAFE.sub("-", variant_title(practice, variant)).strip(" .")
    return f"{name}.{suffix}"


def transcript_name(practice: Practice) -> str:
    return _UNSAFE.sub("-", practice.title).strip(" .") + ".txt"


def megabytes(size_bytes: int) -> str:
    """`3.8 MB` (decimal megabytes, as phones report storage)."""
    return f"{max(size_bytes, 0) / 1_000_000:.1f} MB"


def clock(duration_ms: int) -> str:
    """`1:05` or `1:02:03`: a time a listener reads on a player."""
    seconds = max(round(duration_ms / 1000), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def transcript_text(practice: Practice, words: Words) -> str:
    """The full script as plain text in the words of its language: title, summary, then each
    step's sentences (a step kept for longer lengths says so)."""
    lines = [practice.title, "", practice.summary, ""]
    for step in practice.steps:
        note = words.text("step_note", minutes=step.min_minutes) if step.min_minutes else ""
        lines.append(f"{step.title} ({note})" if note else step.title)
        lines.extend(step.text)
        lines.append("")
    if practice.sources:
        lines.append(words.text("sources_line", sources="; ".join(practice.sources)))
    return "\n".join(lines).rstrip() + "\n"
