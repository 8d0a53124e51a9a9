"""Pure decisions, by table: stream tokens, resume offsets, step moves, durations, speech."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voice_app.alexa import playback, speech
from voice_app.alexa.handlers.base import must_be_silent
from voice_app.alexa.handlers.practice import parse_duration_minutes
from voice_app.alexa.tokens import MAX_TOKEN_CHARS, Token, parse_token
from voice_app.catalog import Catalog, Chapter, Practice, Variant
from voice_app.library import EMPTY as EMPTY_LIBRARY

SHA = "ab" * 32
NEW_SHA = "cd" * 32


def variant(sha: str = SHA) -> Variant:
    chapters = (Chapter("Arriving", 0, 80_000), Chapter("Staying", 80_000, 290_000),
                Chapter("Returning", 290_000, 300_000))
    return Variant(5, 300_000, "audio/x.mp3", 1, sha, chapters, ())


def catalog(sha: str = SHA) -> Catalog:
    practice = Practice("loving-kindness", "Loving-Kindness", "", "compassion-training", (),
                        (), (), (), (variant(sha),))
    return Catalog((practice,), {}, {}, {}, EMPTY_LIBRARY)


@given(practice_id=st.from_regex(r"[a-z0-9][a-z0-9-]{0,99}", fullmatch=True),
       minutes=st.integers(1, 10_000), sha=st.from_regex(r"[0-9a-f]{64}", fullmatch=True))
def test_tokens_round_trip_and_fit_alexas_limit(practice_id, minutes, sha):
    token = Token(practice_id, minutes, sha)
    text = token.encode()
    assert len(text) <= MAX_TOKEN_CHARS
    assert parse_token(text) == token
    assert practice_id in text and str(minutes) in text and sha in text


@pytest.mark.parametrize("text", [None, "", "x", "cb1:a:5", "cb2:a:5:" + SHA, "cb1:A:5:" + SHA,
                                  "cb1:a:five:" + SHA, "cb1:a:5:xyz", "cb1:a:5:" + SHA + ":x",
                                  "cb1:" + "a" * 1100 + ":5:" + SHA])
def test_foreign_tokens_are_not_ours(text):
    assert parse_token(text) is None


def test_a_token_that_cannot_round_trip_is_refused():
    with pytest.raises(ValueError):
        Token("has:colon", 5, SHA).encode()


@pytest.mark.parametrize(("sha", "offset_ms", "step", "expected"), [
    (SHA, 72_000, 0, (72_000, 0)),
    (SHA, 100_000, 1, (100_000, 1)),
    (SHA, -5, 0, (0, 0)),
    (SHA, 299_000, 2, (290_000, 2)),        # too near the end: the last step's start
    (SHA, 400_000, 2, (290_000, 2)),
    (NEW_SHA, 100_000, 1, (80_000, 1)),     # rebuilt: the start of the same step
    (NEW_SHA, 72_000, 0, (0, 0)),
    (NEW_SHA, 100_000, 7, (290_000, 2)),    # the step no longer exists: the last one
])
def test_locate(sha, offset_ms, step, expected):
    cue = playback.locate(catalog(), "loving-kindness", 5, sha, offset_ms, step)
    assert (cue.offset_ms, cue.step) == expected


def test_locate_picks_the_nearest_length_when_the_length_is_gone():
    cue = playback.locate(catalog(), "loving-kindness", 10, NEW_SHA, 100_000, 1)
    assert (cue.variant.minutes, cue.offset_ms) == (5, 80_000)


def test_locate_a_removed_practice():
    assert playback.locate(catalog(), "gone", 5, SHA, 0, 0) is None


@pytest.mark.parametrize(("offset_ms", "steps", "expected"), [
    (0, 1, 80_000), (79_999, 1, 80_000), (80_000, 1, 290_000), (295_000, 1, None),
    (100_000, -1, 0), (5_000, -1, 0), (100_000, 0, 80_000), (295_000, 0, 290_000),
])
def test_move(offset_ms, steps, expected):
    cue = playback.Cue(catalog().practices[0], variant(), offset_ms, 0)
    moved = playback.move(cue, steps)
    assert (moved.offset_ms if moved else None) == expected


@pytest.mark.parametrize(("text", "minutes"), [
    ("PT5M", 5), ("PT90S", 1.5), ("PT1H", 60), ("PT1M30S", 1.5), ("P1D", 1440),
    ("PT99999999999999999999M", 1440),
    ("PT0M", None), ("5", None), ("", None), (None, None), ("P", None), ("PTXM", None),
])
def test_parse_duration(text, minutes):
    assert parse_duration_minutes(text) == minutes


@pytest.mark.parametrize(("offset_ms", "said"), [
    (0, "less than a minute in"), (59_999, "less than a minute in"), (72_000, "1 minute in"),
    (250_000, "4 minutes in"), (30 * 60_000, "30 minutes in"),
])
def test_time_in(english, offset_ms, said):
    assert english.time_in(offset_ms) == said


@pytest.fixture(scope="module")
def english(built_library):
    """The skill's English words, as the service reads them from the fixture library."""
    from voice_app.catalog import parse_catalog

    served = parse_catalog((built_library / "catalog.json").read_text())
    return speech.Speech.of(served.library.language("en"))


def test_titles_are_escaped_for_ssml(english):
    practice = Practice("x", "Breath & <Body>", "", "", (), (), (), (), (variant(),))
    assert "Breath &amp; &lt;Body&gt;" in english.starting(practice, 5)


@pytest.mark.parametrize(("kind", "silent"), [
    ("AudioPlayer.PlaybackStarted", True), ("PlaybackController.NextCommandIssued", True),
    ("System.ExceptionEncountered", True), ("SessionEndedRequest", True),
    ("LaunchRequest", False), ("IntentRequest", False),
])
def test_which_requests_must_be_silent(kind, silent):
    assert must_be_silent(kind) is silent
