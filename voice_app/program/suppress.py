"""Complementary cell suppression: no hidden figure can be worked out from the ones shown.

Every figure the view shows is a cell; every sum a reader could form between cells is an
equation (a period's sessions = the sum of its channels; a month's = the sum of its weeks; ...).
A cell is hidden first for its own sake (from fewer than `MIN_GROUP` people); then, while any
equation has exactly one hidden member (which its shown members would give away), the smallest
shown part of that equation is hidden too (the statistical agencies' complementary suppression,
as in CMS's cell-size policy). Cells that must stand or fall together (a figure and the rates
computed from it) are tied. Pure functions: the tests attack them directly.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

Key = Hashable


@dataclass(frozen=True)
class Equation:
    total: Key
    parts: tuple[Key, ...]

    @property
    def members(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


def suppress(values: dict[Key, int], primary: Iterable[Key], equations: Sequence[Equation],
             ties: Sequence[Sequence[Key]] = (), people: dict[Key, int] | None = None,
             min_group: int = 0) -> set[Key]:
    """The cells to hide: `primary` and the complements this greedy rule finds.

    Each equation ends with no hidden member that is not zero, or at least two of which one
    is itself from `min_group` people or more (by `people`): a reader can always add up the
    hidden members of an equation, and that sum must not be a small group's figure either.
    Each tie all or none. A hidden zero is no protection (its row may be all but one person)."""
    people = people or {}
    hidden = set(primary)
    changed = True
    while changed:
        changed = False
        for tie in ties:
            if hidden.intersection(tie) and not hidden.issuperset(tie):
                hidden.update(tie)
                changed = True
        for equation in equations:
            # a hidden zero protects nothing: a reader may guess that nobody is there
            unknown = [m for m in equation.members if m in hidden and values[m]]
            if not unknown or (len(unknown) > 1
                               and max(people.get(m, min_group) for m in unknown) >= min_group):
                continue
            shown = [p for p in equation.parts if p not in hidden and values[p]] \
                or [equation.total]
            chosen = min(shown, key=lambda key: (values[key], repr(key)))
            if chosen not in hidden:  # (an equation that does not add up: nothing to hide)
                hidden.add(chosen)
                changed = True
    return hidden


def derivable(values: dict[Key, int], hidden: set[Key],
              equations: Sequence[Equation]) -> dict[Key, int]:
    """What a reader could work out by solving the equations one unknown at a time, taking
    hidden zeros as known (the tests attack the view with it)."""
    known = {key: value for key, value in values.items() if key not in hidden or not value}
    found: dict[Key, int] = {}
    changed = True
    while changed:
        changed = False
        for equation in equations:
            unknown = [m for m in equation.members if m not in known]
            if len(unknown) != 1:
                continue
            key = unknown[0]
            parts = sum(known[p] for p in equation.parts if p != key)
            known[key] = found[key] = (known[equation.total] - parts if key != equation.total
                                       else parts)
            changed = True
    return found
