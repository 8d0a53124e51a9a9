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
    start_samples: int

    @property
    def samples(self) -> int:
        return sum(clip.samples for clip in self.clips)


def phone_stretches(timeline: Timeline) -> list[Stretch]:
    """Group the timeline's clips into stretches; silences between them become durations."""
    stretches: list[Stretch] = []
    current: list[Clip] = []
    start = position = 0
    for clip in timeline.clips:
        if isinstance(clip, SpeechClip):
            if current and current[0].step != clip.step:
                _close(current, start, stretches)
            if not current:
                start = position
            current.append(clip)
        elif isinstance(clip, Silence) and clip.kind == "gap" and current:
            current.append(clip)
        elif isinstance(clip, BellClip):
            _close(current, start, stretches)
            stretches.append(Stretch("bell", clip.step, (clip,), 0, position))
        else:
            _close(current, start, stretches)
            if stretches:
                _extend_pause(stretches, clip.samples)
        position += clip.samples
    _close(current, start, stretches)
    return stretches


def _close(current: list[Clip], start: int, stretches: list[Stretch]) -> None:
    if not current:
        return
    trailing = 0
    while current and isinstance(current[-1], Silence):
        trailing += current.pop().samples
    stretches.append(Stretch("speech", current[0].step, tuple(current), trailing, start))
    current.clear()


def _extend_pause(stretches: list[Stretch], samples: int) -> None:
    last = stretches[-1]
    stretches[-1] = Stretch(last.kind, last.step, last.clips, last.pause_after_samples + samples,
                            last.start_samples)
