"""A listener's own before/after pairs as a small dumbbell plot, drawn as inline SVG by the
template (`checkins.html`): one column per practice, a hollow dot before and a filled dot after,
joined by a line; 5 (extremely stressed) at the top, 1 at the bottom. Numbers only: the
template adds the words (title, description and the data table beside it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 320
HEIGHT = 180
LEFT = 28
"""Room for the scale's numbers."""
RIGHT = 8
TOP = 10
BOTTOM = 14
SCALE = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Pair:
    x: float
    before_y: float
    after_y: float
    before: int
    after: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    pairs: tuple[Pair, ...]
    ticks: tuple[tuple[int, float], ...]
    """(value, y) for each point of the scale."""


def y_of(value: float) -> float:
    """1 at the bottom, 5 at the top."""
    span = HEIGHT - TOP - BOTTOM
    return round(TOP + span * (5 - value) / 4, 1)


def dumbbell(pairs: Sequence[tuple[int, int]]) -> Chart:
    """Positions for `pairs` (oldest first), evenly spread across the plot."""
    inner = WIDTH - LEFT - RIGHT
    step = inner / max(len(pairs), 1)
    drawn = tuple(Pair(round(LEFT + step * (i + 0.5), 1), y_of(b), y_of(a), b, a)
                  for i, (b, a) in enumerate(pairs))
    return Chart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, drawn,
                 tuple((value, y_of(value)) for value in SCALE))
