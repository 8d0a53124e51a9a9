"""The outcome's one piece of statistics: a t-based 95% confidence interval for a mean."""

from __future__ import annotations

import math

from scipy.special import stdtrit


def t_interval(mean: float, sd: float | None, n: int,
               level: float = 0.95) -> tuple[float, float] | None:
    """mean ± t(1 - (1 - level)/2, n - 1) · sd / √n; None below two observations."""
    if n < 2 or sd is None:
        return None
    half = float(stdtrit(n - 1, 1 - (1 - level) / 2)) * sd / math.sqrt(n)
    return mean - half, mean + half
