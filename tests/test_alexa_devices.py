"""Devices without an audio player (their request's supportedInterfaces lack AudioPlayer):
never an AudioPlayer directive, always where else to listen; nothing stored for them."""

from __future__ import annotations

import pytest
from alexa_helpers import (
    LOVING,
    assert_plays,
    intent,
    make_alexa_client,
    player,
    save,
    saved,
    slot,
    speech_of,
    start,
    token_for,
)


@pytest.fixture
def screen(app):
    """A client whose device cannot play audio (an app, some screens, a car)."""
    client = make_alexa_client(app)
    client.plays_audio = False
    return client


def assert_points_to_the_web(data):
    assert "directives" not in data["response"], data["response"]
    said = speech_of(data)
    assert "this device can't play them" in said
    assert "compassion.example.test" in said and "https://" not in said
    card = data["response"]["card"]
    assert "https://compassion.example.test" in card["content"]
    assert data["response"]["shouldEndSession"] is True


@pytest.mark.parametrize("request_", [
    start(LOVING),
    start(LOVING, slot("minutes", "5")),
    intent("RecommendIntent", slot("feeling", "overwhelmed")),
    intent("RecommendIntent", slot("feeling")),
], ids=["start", "start-5", "recommend", "recommend-nothing"])
def test_starting_a_practice_points_to_the_web(screen, app, request_):
    assert_points_to_the_web(screen.send(request_, new=True))
    assert saved(app) is None


@pytest.mark.parametrize("name", ["AMAZON.ResumeIntent", "AMAZON.NextIntent",
                                  "AMAZON.PreviousIntent", "AMAZON.RepeatIntent",
                                  "AMAZON.StartOverIntent"])
def test_playback_intents_with_a_saved_place_point_to_the_web(screen, app, name):
    save(app, offset_ms=72_000)
    before = saved(app)
    assert_points_to_the_web(screen.send(intent(name), new=True))
    assert saved(app) == before


def test_yes_to_resume_points_to_the_web(screen, app):
    save(app, offset_ms=72_000)
    launch = screen.send({"type": "LaunchRequest"}, new=True)
    assert "You paused Loving-Kindness" in speech_of(launch)
    assert_points_to_the_web(screen.send(intent("AMAZON.YesIntent")))


def test_yes_to_another_practice_points_to_the_web(screen, app):
    screen.send(intent("ProgressIntent"), new=True)
    assert_points_to_the_web(screen.send(intent("AMAZON.YesIntent")))
    assert saved(app) is None


@pytest.mark.parametrize("name", ["AMAZON.PauseIntent", "AMAZON.StopIntent"])
def test_pause_and_stop_send_no_directive(screen, app, name):
    data = screen.send(intent(name), new=True,
                       audio_player=player(token_for(app, "loving-kindness", 5), 1000))
    assert "directives" not in data["response"]
    assert data["response"]["shouldEndSession"] is True


def test_the_same_request_from_a_speaker_plays(app):
    speaker = make_alexa_client(app)
    assert_plays(app, speaker.send(start(LOVING), new=True), "loving-kindness", 1, 0)


def test_a_practice_that_cannot_play_is_not_counted_as_started(app):
    screen = make_alexa_client(app)
    screen.plays_audio = False
    screen.send(start(LOVING), new=True)
    screen.send(intent("RecommendIntent", slot("feeling", "numb")), new=True)
    counted = 'compassion_practices_started_total{channel="alexa"} 1.0'
    assert counted not in app.test_client().get("/metrics").get_data(as_text=True)
    speaker = make_alexa_client(app)
    speaker.send(start(LOVING), new=True)
    assert counted in app.test_client().get("/metrics").get_data(as_text=True)
