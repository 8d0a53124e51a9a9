"""Timeline planning: exact variant lengths, practice silences, chapters, sentence splitting."""

from __future__ import annotations

import pytest

from audio_build.parse import parse_script
from audio_build.pcm import SAMPLE_RATE
from audio_build.plan import (
    BellClip,
    PlanError,
    Silence,
    SpeechClip,
    allocate_practice,
    plan_variant,
    sentences_of,
    split_sentences,
)
from tests.conftest import VALID_SCRIPT


@pytest.mark.parametrize(("text", "sentences"), [
    ("One. Two.", ["One.", "Two."]),
    ("Breathe in. Breathe out! Is it here? Yes.", ["Breathe in.", "Breathe out!",
                                                   "Is it here?", "Yes."]),
    ("No full stop", ["No full stop"]),
    ("Wait, then go.  Then rest.", ["Wait, then go.", "Then rest."]),
])
def test_split_sentences(text, sentences):
    assert split_sentences(text) == sentences


@pytest.mark.parametrize(("available", "weights", "floor", "expected"), [
    (100, [1, 1], 10, [50, 50]),
    (100, [1, 3], 10, [25, 75]),
    (101, [1, 1, 1], 10, [35, 33, 33]),
    (100, [1, 99], 10, [10, 90]),
    (30, [1, 1, 1], 10, [10, 10, 10]),
    (29, [1, 1, 1], 10, None),
    (0, [], 10, []),
    (-1, [], 10, None),
])
def test_allocate_practice(available, weights, floor, expected):
    lengths = allocate_practice(available, weights, floor)
    assert lengths == expected
    if lengths:
        assert sum(lengths) == available and min(lengths) >= floor


def script():
    from pathlib import Path
    return parse_script(VALID_SCRIPT, Path("loving-kindness.md"))


def two_seconds(sentence: str) -> int:
    return 2 * SAMPLE_RATE


@pytest.mark.parametrize("minutes", [3, 5, 10])
def test_variants_hit_their_target_exactly(minutes):
    timeline = plan_variant(script(), minutes, two_seconds, bell_samples=6 * SAMPLE_RATE)
    assert timeline.duration_samples == minutes * 60 * SAMPLE_RATE
    assert sum(c.samples for c in timeline.clips) == timeline.duration_samples
    speech = [c for c in timeline.clips if isinstance(c, SpeechClip)]
    assert all(c.samples == 2 * SAMPLE_RATE for c in speech)  # never stretched


def test_long_variant_has_more_guidance_and_proportional_practice():
    short = plan_variant(script(), 5, two_seconds, 6 * SAMPLE_RATE)
    long = plan_variant(script(), 10, two_seconds, 6 * SAMPLE_RATE)
    assert len([c for c in long.clips if isinstance(c, SpeechClip)]) == 3
    assert len([c for c in short.clips if isinstance(c, SpeechClip)]) == 2
    practice = [c.samples for c in long.clips if isinstance(c, Silence) and c.kind == "practice"]
    assert len(practice) == 2
    assert practice[1] / practice[0] == pytest.approx(1.5, rel=0.01)  # weights 60s and 90s
    assert any(isinstance(c, BellClip) for c in long.clips)


def test_pauses_sit_where_the_script_puts_them():
    timeline = plan_variant(script(), 3, two_seconds, 6 * SAMPLE_RATE)
    kinds = [(type(c).__name__, getattr(c, "kind", "")) for c in timeline.clips]
    assert kinds[:5] == [("Silence", "lead"), ("SpeechClip", ""), ("Silence", "pause"),
                         ("SpeechClip", ""), ("Silence", "pause")]
    assert timeline.clips[2].samples == 3 * SAMPLE_RATE


def test_chapters_follow_steps():
    timeline = plan_variant(script(), 10, two_seconds, 6 * SAMPLE_RATE)
    first, second = timeline.chapters
    assert first.title == "Settling" and first.start_ms == 0
    assert second.title == "Widening the circle"
    assert first.end_ms == second.start_ms
    assert second.end_ms == 600_000
    start = second.start_ms * SAMPLE_RATE // 1000
    position = 0
    for clip in timeline.clips:
        if isinstance(clip, SpeechClip) and clip.step == 1:
            assert abs(position - start) <= 1
            break
        position += clip.samples


def test_speech_too_long_for_target_names_practice_and_length():
    with pytest.raises(PlanError, match=r"loving-kindness: the 3-minute variant is .* too long"):
        plan_variant(script(), 3, lambda s: 90 * SAMPLE_RATE, 6 * SAMPLE_RATE)


def test_sentences_of_lists_each_once():
    sentences = sentences_of(script())
    assert sentences[0] == "Find a position that lets you be both relaxed and awake."
    assert len(sentences) == len(set(sentences)) == 3
