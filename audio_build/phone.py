"""Phone segments: a variant's timeline cut into spoken stretches with silences between them.

A phone call plays one stretch per request, so each stretch is short audio (speech and the
natural gaps between its sentences) and every longer silence (a pause, practice time, the tail)
is described as `pause_after_ms` instead of being sent down the line as audio.
"""

from __future__ import annotations

from dataclasses import dataclass

from .plan import BellClip, Clip, Silence, SpeechClip, Timeline


@dataclass(frozen=True)
class Stretch:
    kind: str
    """'speech' or 'bell'."""
    step: int
    clips: tuple[Clip, ...]
    pause_after_samples: int

    @property
    def samples(self) -> int:
        return sum(clip.samples for clip in self.clips)


def phone_stretches(timeline: Timeline) -> list[Stretch]:
    """Group the timeline's clips into stretches; silences between them become durations."""
    stretches: list[Stretch] = []
    current: list[Clip] = []
    for clip in timeline.clips:
        if isinstance(clip, SpeechClip):
            if current and current[0].step != clip.step:
                _close(current, stretches)
            current.append(clip)
        elif isinstance(clip, Silence) and clip.kind == "gap" and current:
            current.append(clip)
        elif isinstance(clip, BellClip):
            _close(current, stretches)
            stretches.append(Stretch("bell", clip.step, (clip,), 0))
        else:
            _close(current, stretches)
            if stretches:
                _extend_pause(stretches, clip.samples)
    _close(current, stretches)
    return stretches


def _close(current: list[Clip], stretches: list[Stretch]) -> None:
    if not current:
        return
    trailing = 0
    while current and isinstance(current[-1], Silence):
        trailing += current.pop().samples
    stretches.append(Stretch("speech", current[0].step, tuple(current), trailing))
    current.clear()


def _extend_pause(stretches: list[Stretch], samples: int) -> None:
    last = stretches[-1]
    stretches[-1] = Stretch(last.kind, last.step, last.clips, last.pause_after_samples + samples)
