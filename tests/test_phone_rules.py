"""The hotline's pure decisions, as tables: keys and words, silences, steps, withheld numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from audio_build.library import load_library
from audio_build.library_data import load_library_data, to_catalog
from voice_app.catalog import PhoneSegment, Variant
from voice_app.library import parse_library
from voice_app.phone import flow, speech
from voice_app.phone.twiml import Listen, Sound, farewell, gather
from voice_app.store import Position

ROOT = Path(__file__).resolve().parent.parent
_PRACTICES = load_library([ROOT / "scripts" / "meditations"]).practices
EN = parse_library(to_catalog(load_library_data(
    _PRACTICES, ROOT / "scripts" / "library.yaml", ROOT / "scripts" / "prompts"))).language("en")
"""The words of scripts/prompts/en.yaml, as the service reads them from a catalog."""


@pytest.mark.parametrize("duration_ms, pauses, timeout", [
    (0, (), 1), (400, (), 1), (2000, (), 2), (5000, (), 5), (7400, (2,), 5),
    (65_000, (60,), 5), (125_000, (60, 60), 5), (207_386, (60, 60, 60, 22), 5),
])
def test_silence_is_pauses_then_the_gather_timeout(duration_ms, pauses, timeout):
    assert flow.silence(duration_ms) == flow.Silence(pauses, timeout)


@pytest.mark.parametrize("digits, said, command", [
    ("1", "", "pause"), ("4", "", "back"), ("6", "", "next"), ("0", "", "help"),
    ("*", "", "menu"), ("#", "", "end"), ("7", "", "unknown"), ("", "", "none"),
    ("", "pause please", "pause"), ("", "Next.", "next"), ("", "go back", "back"),
    ("", "main menu", "menu"), ("", "resume", "resume"), ("", "the kettle is on", "unknown"),
    ("", "   ", "none"),
])
def test_playback_commands(digits, said, command):
    assert flow.playback_command(digits, said, EN) == command


@pytest.mark.parametrize("digits, said, command", [
    ("1", "", "resume"), ("#", "", "end"), ("*", "", "menu"), ("5", "", "unknown"),
    ("", "", "none"), ("", "continue", "resume"), ("", "pause", "unknown"),
    ("", "goodbye", "end"),
])
def test_paused_commands(digits, said, command):
    assert flow.paused_command(digits, said, EN) == command


def variant(steps: list[int], sha: str = "a" * 64) -> Variant:
    phone = tuple(PhoneSegment("speech", step, f"s{i}.wav", 1, "x", i * 10_000, 5000, 5000)
                  for i, step in enumerate(steps))
    return Variant(1, len(steps) * 10_000, "v.mp3", 1, sha, (), phone)


STEPS = [0, 0, 2, 2, 3]  # step 1 is left out of this short variant


@pytest.mark.parametrize("index, following, previous", [
    (0, 2, 0), (1, 2, 0), (2, 4, 0), (3, 4, 0), (4, None, 2),
])
def test_next_and_previous_step(index, following, previous):
    assert flow.next_step(variant(STEPS), index) == following
    assert flow.previous_step(variant(STEPS), index) == previous


@pytest.mark.parametrize("sha, offset_ms, step, index", [
    ("a" * 64, 0, 0, 0), ("a" * 64, 25_000, 2, 2), ("a" * 64, 39_999, 2, 3),
    ("b" * 64, 39_999, 2, 2), ("b" * 64, 39_999, 1, 0),
])
def test_resume_segment(sha, offset_ms, step, index):
    position = Position("p", 1, sha, offset_ms, step, "paused", "phone", 0)
    assert flow.resume_segment(variant(STEPS), position) == index


@pytest.mark.parametrize("status, age_ms, offered", [
    ("paused", 0, True), ("stopped", 3600_000, True), ("playing", 0, True),
    ("finished", 0, False), ("paused", flow.RESUME_WITHIN_MS + 1, False),
])
def test_resumable(status, age_ms, offered):
    position = Position("p", 1, "a", 0, 0, status, "phone", 1_000_000_000)
    assert flow.resumable(position, 1_000_000_000 + age_ms) is offered


@pytest.mark.parametrize("number, withheld", [
    ("+15551230001", False), ("+447700900123", False), ("anonymous", True),
    ("Anonymous", True), ("+266696687", True), ("client:alice", True),
    ("sip:bob@example.com", True), ("", True), ("+7378742833", True), ("12", True),
])
def test_withheld_numbers(number, withheld):
    assert flow.is_withheld(number) is withheld


@pytest.mark.parametrize("said, bare, minutes", [
    ("five minute loving kindness", False, 5), ("metta for 10 minutes", False, 10),
    ("a 3-minute grounding", False, 3), ("I have a minute", False, 1),
    ("loving kindness", False, None), ("ten", True, 10), ("ten", False, None),
    ("fifteen minutes please", False, 15), ("seventeen minutes", False, 17),
])
def test_said_minutes(said, bare, minutes):
    assert speech.said_minutes(EN, said, bare=bare) == minutes


@pytest.mark.parametrize("said, digit", [("four", "4"), ("4.", "4"), ("Nine", "9"),
                                         ("for", None), ("ten", None), ("", None)])
def test_said_digit(said, digit):
    assert speech.said_digit(EN, said) == digit


@pytest.mark.parametrize("lengths, text", [
    ((1, 3), "one or three"), ((3, 5, 10), "three, five or ten"), ((5,), "five"),
])
def test_spoken_lists_of_lengths(lengths, text):
    assert EN.spoken_list([EN.number(n) for n in lengths]) == text


def test_playback_gather_shape():
    xml = gather([Sound("a", url="https://a/x.wav")], Listen("https://h/phone/play?p=x&m=1&s=0",
                                                              playback=True),
                 flow.Silence((60, 3), 5))
    assert 'finishOnKey=""' in xml and 'numDigits="1"' in xml and 'timeout="5"' in xml
    assert '<Pause length="60" /><Pause length="3" />' in xml
    assert xml.endswith('<Redirect method="POST">https://h/phone/play?p=x&amp;m=1&amp;s=0'
                        '</Redirect></Response>')
    said = farewell([Sound("b", text="Go gently.")])
    assert said.endswith('<Say language="en-US">Go gently.</Say><Hangup /></Response>')
