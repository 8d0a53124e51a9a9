"""The program view's charts: matplotlib (Agg) drawn to SVG on the server, made accessible.

Each chart is inline SVG with role="img", a <title> and a <desc> naming what it shows and
where its numbers are (the data table beside it, which has the same figures); nothing is
fetched at view time. Hidden (suppressed) points are gaps, never drawn. Renders are cached by
their data: roll-ups never change once computed, so a chart is drawn once per process.
"""

from __future__ import annotations

import functools
import html
import io
import re
import threading
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # noqa: E402  (before pyplot: no display on a server)
from matplotlib.figure import Figure  # noqa: E402

_lock = threading.Lock()
INK, ACCENT, SECOND = "#1b1b1b", "#0b5d7a", "#b34700"


def _svg(figure: Figure, chart_id: str, title: str, description: str) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": chart_id}):
        figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    # ids are per chart, so two charts on one page never share one
    text = re.sub(r'id="([^"]+)"', rf'id="{chart_id}-\1"', text)
    text = re.sub(r'url\(#([^)]+)\)', rf'url(#{chart_id}-\1)', text)
    text = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{chart_id}-\1"', text)
    text = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"',
                  r'<svg \1', text, count=1)
    opening = text.index(">", text.index("<svg")) + 1
    labels = (f'<title id="{chart_id}-title">{html.escape(title)}</title>'
              f'<desc id="{chart_id}-desc">{html.escape(description)}</desc>')
    text = text[:opening] + labels + text[opening:]
    return text.replace("<svg ", f'<svg role="img" class="chart" aria-labelledby='
                                 f'"{chart_id}-title" aria-describedby="{chart_id}-desc" ',
                        1)


def _figure() -> Figure:
    figure = Figure(figsize=(5.2, 3.4), dpi=96)  # fits a phone's width without tiny text
    figure.patch.set_alpha(0)
    return figure


@functools.lru_cache(maxsize=32)
def trend(weeks: Sequence[str], people: Sequence[int | None],
          sessions: Sequence[int | None]) -> str:
    with _lock:
        figure = _figure()
        axes = figure.subplots()
        x = range(len(weeks))
        axes.plot(x, _gaps(sessions), color=ACCENT, marker="o", label="Sessions")
        axes.plot(x, _gaps(people), color=SECOND, marker="s", linestyle="--",
                  label="People active")
        _style(axes, weeks, "Per week (rounded to 5)")
        axes.set_ylim(bottom=0)
        return _svg(figure, "trend", "Weekly use: sessions and people active",
                    "Lines of sessions and people active for each week shown; weeks with too "
                    "few people are gaps. The same numbers are in the table beside it.")


@functools.lru_cache(maxsize=32)
def stress(weeks: Sequence[str], before: Sequence[float | None],
           after: Sequence[float | None]) -> str:
    with _lock:
        figure = _figure()
        axes = figure.subplots()
        x = range(len(weeks))
        axes.plot(x, _gaps(before), color=SECOND, marker="s", linestyle="--",
                  label="Before")
        axes.plot(x, _gaps(after), color=ACCENT, marker="o", label="After")
        _style(axes, weeks, "Mean stress (1 not at all, 5 extremely)")
        axes.set_ylim(1, 5)
        return _svg(figure, "stress", "Weekly mean stress before and after a practice",
                    "Mean stress before and after for each week with enough complete pairs; "
                    "other weeks are gaps. The same numbers are in the outcome table.")


@functools.lru_cache(maxsize=32)
def distribution(label: str, before: Sequence[float | None],
                 after: Sequence[float | None]) -> str:
    with _lock:
        figure = _figure()
        axes = figure.subplots()
        levels = range(1, 6)
        width = 0.38
        axes.bar([n - width / 2 for n in levels], [v or 0 for v in before], width,
                 color=SECOND, label="Before", hatch="//", edgecolor="white")
        axes.bar([n + width / 2 for n in levels], [v or 0 for v in after], width,
                 color=ACCENT, label="After")
        axes.set_xticks(list(levels), ["1 not at all", "2", "3", "4", "5 extremely"])
        axes.set_ylabel("Share of answers (%)", color=INK)
        axes.legend(frameon=False)
        axes.spines[["top", "right"]].set_visible(False)
        return _svg(figure, "distribution", f"Stress answers before and after, {label}",
                    "Bars of the share of answers at each level, before and after a practice; "
                    "hidden levels are drawn as zero and marked hidden in the table beside it.")


def _gaps(values: Sequence[float | None]) -> list[float]:
    return [float("nan") if v is None else v for v in values]


def _style(axes, weeks: Sequence[str], ylabel: str) -> None:  # type: ignore[no-untyped-def]
    axes.set_xticks(range(len(weeks)), weeks, rotation=90, fontsize=9)
    axes.set_xlabel("ISO week", color=INK)
    axes.set_ylabel(ylabel, color=INK)
    axes.legend(frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", alpha=0.3)
