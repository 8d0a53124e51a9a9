"""Pure decisions of a call: what a key means, which segment comes next, how to pace silence.

No Flask, no store, no TwiML here: each function takes plain values and answers with plain
values, so the rules are tested as tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import Variant
from ..library import Language
from ..store import Position
from . import speech

PLAYBACK_KEYS = {"1": "pause", "4": "back", "6": "next", "0": "help", "*": "menu", "#": "end"}
PAUSED_KEYS = {"1": "resume", "#": "end", "*": "menu", "0": "help", "4": "back", "6": "next"}

MAX_PAUSE_S = 60
"""One `<Pause>` is at most this long (Telnyx allows 180 s); longer silences use several."""
MAX_GATHER_TIMEOUT_S = 5
"""The end of a silence is the Gather's own timeout, at least one second (Twilio's minimum)."""
PAUSED_WAIT_S = 120
"""Silence after each paused prompt; after `PAUSED_ROUNDS` of them the call says goodbye."""
PAUSED_ROUNDS = 2
RESUME_WITHIN_MS = 24 * 3600 * 1000
"""A call-back within a day offers to continue; after that, the menu as usual."""
RESUMABLE = ("playing", "paused", "stopped")
WITHHELD = {"", "anonymous", "+266696687", "restricted", "+7378742833", "unavailable",
            "+86282452253", "blocked", "+2562533", "unknown", "private"}
"""How providers write a caller id they do not have (Twilio spells some as fake numbers)."""


@dataclass(frozen=True)
class Silence:
    """A silence as TwiML can play it: whole-second pauses, then the Gather's timeout."""

    pauses_s: tuple[int, ...]
    timeout_s: int


def silence(duration_ms: int) -> Silence:
    """Split `duration_ms` of silence into `<Pause>`s and the Gather timeout that ends it.

    The timeout is part of the silence (Twilio waits it out after the nested verbs), so it is
    taken from the silence rather than added; it cannot be under one second, so a segment with
    no silence after it still gets one second before the next is fetched.
    """
    total = max(1, round(duration_ms / 1000))
    timeout = min(total, MAX_GATHER_TIMEOUT_S)
    rest = total - timeout
    pauses = [MAX_PAUSE_S] * (rest // MAX_PAUSE_S)
    if rest % MAX_PAUSE_S:
        pauses.append(rest % MAX_PAUSE_S)
    return Silence(tuple(pauses), timeout)


def playback_command(digits: str, said: str, language: Language) -> str:
    """During a practice: pause, back, next, help, menu, end, resume, none (no input) or
    unknown (a stray key, or words that are no command)."""
    if digits:
        return PLAYBACK_KEYS.get(digits, "unknown")
    if not said.strip():
        return "none"
    return speech.said_command(said, language.commands) or "unknown"


def paused_command(digits: str, said: str, language: Language) -> str:
    """While paused: resume, end, menu, help, back, next, none or unknown ('pause' again is
    unknown: still paused)."""
    if digits:
        return PAUSED_KEYS.get(digits, "unknown")
    if not said.strip():
        return "none"
    command = speech.said_command(said, language.commands)
    return command if command in PAUSED_KEYS.values() else "unknown"


def steps_played(variant: Variant) -> list[int]:
    """The steps this variant's segments belong to, in order (short variants skip some)."""
    return list(dict.fromkeys(segment.step for segment in variant.phone))


def first_segment_of_step(variant: Variant, step: int) -> int | None:
    return next((i for i, s in enumerate(variant.phone) if s.step == step), None)


def next_step(variant: Variant, index: int) -> int | None:
    """The first segment of the step after the one `index` is in; None at the last step."""
    steps = steps_played(variant)
    position = steps.index(variant.phone[index].step)
    if position + 1 >= len(steps):
        return None
    return first_segment_of_step(variant, steps[position + 1])


def previous_step(variant: Variant, index: int) -> int:
    """The first segment of the step before the one `index` is in (the first step restarts)."""
    steps = steps_played(variant)
    position = steps.index(variant.phone[index].step)
    return first_segment_of_step(variant, steps[max(0, position - 1)]) or 0


def segment_at(variant: Variant, offset_ms: int) -> int:
    """The segment playing (or in the silence after it) at `offset_ms` of the practice."""
    index = 0
    for number, segment in enumerate(variant.phone):
        if segment.start_ms <= offset_ms:
            index = number
    return index


def resume_segment(variant: Variant, position: Position) -> int:
    """Where a saved position continues: the same place if the audio is the same, else the
    start of the same step (a rebuild moved things), else the beginning."""
    if position.audio_sha == variant.sha256:
        return segment_at(variant, position.offset_ms)
    return first_segment_of_step(variant, position.step) or 0


def resumable(position: Position | None, now_ms: int) -> bool:
    return (position is not None and position.status in RESUMABLE
            and now_ms - position.event_ms <= RESUME_WITHIN_MS)


def is_withheld(number: str) -> bool:
    """True for a caller id that names nobody: withheld, anonymous, a browser or SIP client."""
    cleaned = number.strip().lower()
    if cleaned in WITHHELD or ":" in cleaned:
        return True
    digits = cleaned.removeprefix("+")
    return not (digits.isdigit() and 6 <= len(digits) <= 15)


def length_digits(lengths: tuple[int, ...]) -> int:
    """Keys to collect for a length: two when some length needs two digits (ten, fifteen)."""
    return max(len(str(n)) for n in lengths)
