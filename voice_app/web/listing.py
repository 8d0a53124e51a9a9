"""How the catalog is shown to people: needs, time filters, human file names, sizes and times.

Pure functions over the catalog's dataclasses; the pages, the feed and the downloads share them so
that a practice has one name and one size everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..catalog import Practice, Variant


@dataclass(frozen=True)
class Need:
    category: str
    """The catalog's `category` value."""
    label: str
    """The heading a listener scans for."""
    hint: str
    """One line saying when this helps."""


NEEDS: tuple[Need, ...] = (
    Need("between-patients", "Between patients", "A minute at the door or at the sink."),
    Need("when-overwhelmed", "When overwhelmed", "Too much, too fast: come back to your feet."),
    Need("when-numb", "When numb", "Shut down or running on empty: gently reconnect."),
    Need("compassion-training", "Compassion training", "Longer practices to build the skill."),
    Need("after-a-death", "After a death", "A moment of stillness, alone or as a team."),
    Need("end-of-shift", "End of shift", "Set the shift down before the way home."),
)


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
    need: Need
    items: tuple[Shown, ...]


def time_filter(key: str | None) -> TimeFilter | None:
    """The filter named by `?minutes=`; None (show everything) for a missing or unknown value."""
    return next((f for f in TIME_FILTERS if f.key == (key or "").strip()), None)


def sections(practices: tuple[Practice, ...], chosen: TimeFilter | None) -> tuple[Section, ...]:
    """Practices grouped by need in the page's order, keeping only lengths the filter admits.

    Practices in a category the page does not know yet go into a last "More practices" group,
    so a new category never hides a practice."""
    known = {need.category for need in NEEDS}
    needs = NEEDS + (Need("", "More practices", "Other practices in the library."),)
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
    """`Loving-Kindness (10 min)`: the title of one recording everywhere it is listed."""
    return f"{practice.title} ({variant.minutes} min)"


def download_name(practice: Practice, variant: Variant) -> str:
    """`Loving-Kindness (10 min).mp3`: safe on every phone and desktop file system."""
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


def step_note(min_minutes: int | None) -> str:
    """Says which recordings include a step kept for longer lengths only."""
    return f"in the {min_minutes}-minute and longer recordings" if min_minutes else ""


def transcript_text(practice: Practice) -> str:
    """The full script as plain text: title, summary, then each step's sentences."""
    lines = [practice.title, "", practice.summary, ""]
    for step in practice.steps:
        note = step_note(step.min_minutes)
        lines.append(f"{step.title} ({note})" if note else step.title)
        lines.extend(step.text)
        lines.append("")
    if practice.sources:
        lines.append("Sources: " + "; ".join(practice.sources))
    return "\n".join(lines).rstrip() + "\n"
