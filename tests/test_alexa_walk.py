"""Whole listening sessions through /alexa, on SQLite and on PostgreSQL, and two app instances
sharing one PostgreSQL database (pause on one, resume on the other)."""

from __future__ import annotations

import pytest
from alexa_helpers import (
    FakeClock,
    assert_silent,
    audio_event,
    intent,
    make_alexa_client,
    play_directive,
    player,
    postgres_schema,
    slot,
    speech_of,
    variant_of,
)

from voice_app import create_app


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, app_config):
    if request.param == "sqlite":
        yield app_config["DATABASE_URL"]
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        yield url


def dispose(*apps):
    for app in apps:
        app.extensions["store"].dispose()


def stream_of(data):
    return play_directive(data)["audioItem"]["stream"]


def test_a_whole_listening_session(app_config, database_url):
    app = create_app({**app_config, "DATABASE_URL": database_url})
    alexa = make_alexa_client(app)
    variant = variant_of(app, "loving-kindness", 5)

    welcome = alexa.send({"type": "LaunchRequest"}, new=True)
    assert "Welcome" in speech_of(welcome)
    started = alexa.send(intent("StartPracticeIntent",
                                slot("practice", "loving kindness", resolved="loving-kindness"),
                                slot("duration", "PT5M")))
    stream = stream_of(started)
    token = stream["token"]
    assert (stream["offsetInMilliseconds"], token.split(":")[2]) == (0, "5")
    alexa.clock.advance(seconds=1)
    assert_silent(alexa.send(audio_event("PlaybackStarted", token, 0), in_session=False))

    alexa.clock.advance(seconds=72)
    paused = alexa.send(intent("AMAZON.PauseIntent"), new=True,
                        audio_player=player(token, 72_000, "PLAYING"))
    assert paused["response"]["directives"] == [{"type": "AudioPlayer.Stop"}]
    assert_silent(alexa.send(audio_event("PlaybackStopped", token, 72_000), in_session=False))

    alexa.clock.advance(days=3)
    back = alexa.send({"type": "LaunchRequest"}, new=True,
                      audio_player=player(token, 72_000, "STOPPED"))
    assert "You paused Loving-Kindness 1 minute in" in speech_of(back)
    resumed = alexa.send(intent("AMAZON.ResumeIntent"))
    assert stream_of(resumed)["offsetInMilliseconds"] == 72_000
    assert stream_of(resumed)["token"] == token
    alexa.clock.advance(seconds=1)
    assert_silent(alexa.send(audio_event("PlaybackStarted", token, 72_000), in_session=False))

    alexa.clock.advance(seconds=4)
    moved = alexa.send(intent("AMAZON.NextIntent"), new=True,
                       audio_player=player(token, 76_000, "PLAYING"))
    next_step_ms = variant.chapters[1].start_ms  # depends on the synthesized speech's length
    assert 40_000 < next_step_ms < 120_000
    assert stream_of(moved)["offsetInMilliseconds"] == next_step_ms
    alexa.clock.advance(seconds=1)
    assert_silent(alexa.send(audio_event("PlaybackStarted", token, next_step_ms), in_session=False))

    alexa.clock.advance(seconds=220)
    assert_silent(alexa.send(audio_event("PlaybackNearlyFinished", token, 290_000),
                             in_session=False))
    alexa.clock.advance(seconds=10)
    assert_silent(alexa.send(audio_event("PlaybackFinished", token, variant.duration_ms),
                             in_session=False))

    progress = alexa.send(intent("ProgressIntent"), new=True)
    assert "This week you've practised once, 5 minutes in all" in speech_of(progress)
    after = alexa.send({"type": "LaunchRequest"}, new=True)
    assert "You paused" not in speech_of(after)
    dispose(app)


def test_two_app_instances_share_progress_on_postgresql(app_config, postgres_url):
    with postgres_schema(postgres_url) as url:
        config = {**app_config, "DATABASE_URL": url}
        first, second = create_app(config), create_app(config)
        clock = FakeClock()
        on_first = make_alexa_client(first, clock)
        on_second = make_alexa_client(second, clock)
        started = on_first.send(intent("StartPracticeIntent",
                                       slot("practice", "loving kindness",
                                            resolved="loving-kindness"),
                                       slot("minutes", "5")), new=True)
        token = stream_of(started)["token"]
        clock.advance(seconds=72)
        on_first.send(intent("AMAZON.PauseIntent"), new=True,
                      audio_player=player(token, 72_000))
        on_first.send(audio_event("PlaybackStopped", token, 72_000), in_session=False)

        clock.advance(hours=20)
        resumed = on_second.send(intent("AMAZON.ResumeIntent"), new=True)
        assert stream_of(resumed)["offsetInMilliseconds"] == 72_000
        assert stream_of(resumed)["token"] == token
        # and a late, stale event handled by the first instance does not undo the resume
        clock.advance(seconds=-3600)
        on_first.send(audio_event("PlaybackStopped", token, 10_000), in_session=False)
        position = second.extensions["store"].get_position(_key(first))
        assert (position.offset_ms, position.status) == (72_000, "playing")
        dispose(first, second)


def _key(app):
    from alexa_helpers import USER_ID

    from voice_app.keys import listener_key

    return listener_key(app.extensions["settings"].SECRET_KEY, "alexa", USER_ID)
