"""Playback through POST /alexa: pause, stop, resume (also after a rebuild), start over, next,
previous, repeat; AudioPlayer events and PlaybackController commands answered without speech."""

from __future__ import annotations

import logging

import pytest
from alexa_helpers import (
    assert_plays,
    assert_silent,
    audio_event,
    intent,
    key_of,
    make_alexa_client,
    play_directive,
    player,
    save,
    saved,
    slot,
    speech_of,
    start,
    token_for,
    variant_of,
)

from voice_app.alexa.listening import CHANNEL
from voice_app.store import Position


@pytest.fixture
def alexa(app):
    return make_alexa_client(app)


# --- playback intents -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["AMAZON.PauseIntent", "AMAZON.StopIntent",
                                  "AMAZON.CancelIntent"])
def test_pause_stop_cancel_during_audio_keep_the_place(alexa, app, name):
    token = token_for(app, "loving-kindness", 5)
    data = alexa.send(intent(name), new=True, audio_player=player(token, 123_000))
    assert data["response"]["directives"] == [{"type": "AudioPlayer.Stop"}]
    assert "outputSpeech" not in data["response"]
    position = saved(app)
    assert (position.offset_ms, position.step, position.audio_sha) == \
        (123_000, 1, variant_of(app, "loving-kindness", 5).sha256)


@pytest.mark.parametrize("name", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
def test_stop_in_a_conversation_says_goodbye(alexa, name):
    alexa.send({"type": "LaunchRequest"}, new=True)
    data = alexa.send(intent(name))
    assert "Take care" in speech_of(data)
    assert "directives" not in data["response"]
    assert data["response"]["shouldEndSession"] is True


def test_resume_plays_from_the_saved_offset(alexa, app):
    save(app, offset_ms=72_000)
    data = alexa.send(intent("AMAZON.ResumeIntent"), new=True,
                      audio_player=player(token_for(app, "loving-kindness", 5), 72_000,
                                          "STOPPED"))
    assert_plays(app, data, "loving-kindness", 5, 72_000)
    assert "outputSpeech" not in data["response"]


def test_resume_with_nothing_saved_asks_what_next(alexa):
    data = alexa.send(intent("AMAZON.ResumeIntent"), new=True)
    assert "nothing paused" in speech_of(data)
    assert "directives" not in data["response"]


def test_resume_after_a_rebuild_starts_the_same_step_in_the_new_audio(alexa, app):
    save(app, offset_ms=200_000, step=1, sha="0" * 64)
    data = alexa.send(intent("AMAZON.ResumeIntent"), new=True)
    new = variant_of(app, "loving-kindness", 5)
    stream = assert_plays(app, data, "loving-kindness", 5, new.chapters[1].start_ms)
    assert stream["token"].endswith(new.sha256)


def test_resume_after_a_rebuild_from_the_device_token(alexa, app):
    stale = "cb1:loving-kindness:5:" + "0" * 64
    data = alexa.send(intent("AMAZON.ResumeIntent"), new=True,
                      audio_player=player(stale, 100_000, "STOPPED"))
    new = variant_of(app, "loving-kindness", 5)
    assert_plays(app, data, "loving-kindness", 5, new.chapters[1].start_ms)


def test_resume_near_the_end_restarts_the_last_step(alexa, app):
    variant = variant_of(app, "loving-kindness", 5)
    save(app, offset_ms=variant.duration_ms - 500)
    data = alexa.send(intent("AMAZON.ResumeIntent"), new=True)
    assert_plays(app, data, "loving-kindness", 5, variant.chapters[-1].start_ms)


def test_resume_of_a_practice_no_longer_in_the_catalog(alexa, app):
    app.extensions["store"].save_position(key_of(app), Position(
        "retired-practice", 5, "a" * 64, 1000, 0, "paused", CHANNEL, 1))
    data = alexa.send(intent("AMAZON.ResumeIntent"), new=True)
    assert "directives" not in data["response"]
    assert "retired practice, is no longer available" in speech_of(data)
    launch = alexa.send({"type": "LaunchRequest"}, new=True)
    assert "Welcome" in speech_of(launch)


def test_start_over_plays_from_zero(alexa, app):
    token = token_for(app, "loving-kindness", 5)
    data = alexa.send(intent("AMAZON.StartOverIntent"), new=True,
                      audio_player=player(token, 150_000))
    assert_plays(app, data, "loving-kindness", 5, 0)


@pytest.mark.parametrize(("name", "offset_ms", "step"), [
    ("AMAZON.NextIntent", 10_000, 1),
    ("AMAZON.NextIntent", 100_000, 2),
    ("AMAZON.PreviousIntent", 100_000, 0),
    ("AMAZON.PreviousIntent", 10_000, 0),
    ("AMAZON.PreviousIntent", 295_000, 1),
    ("AMAZON.RepeatIntent", 100_000, 1),
    ("AMAZON.RepeatIntent", 10_000, 0),
])
def test_step_moves_use_the_chapter_times(alexa, app, name, offset_ms, step):
    token = token_for(app, "loving-kindness", 5)
    data = alexa.send(intent(name), new=True, audio_player=player(token, offset_ms))
    start_ms = variant_of(app, "loving-kindness", 5).chapters[step].start_ms
    assert_plays(app, data, "loving-kindness", 5, start_ms)
    assert saved(app).step == step


def test_next_on_the_last_step_says_so(alexa, app):
    token = token_for(app, "loving-kindness", 5)
    data = alexa.send(intent("AMAZON.NextIntent"), new=True, audio_player=player(token, 295_000))
    assert "last part" in speech_of(data) and "directives" not in data["response"]


def test_next_without_a_device_player_uses_the_saved_place(alexa, app):
    save(app, offset_ms=72_000, status="playing")
    data = alexa.send(intent("AMAZON.NextIntent"), new=True)
    start_ms = variant_of(app, "loving-kindness", 5).chapters[1].start_ms
    assert_plays(app, data, "loving-kindness", 5, start_ms)


def test_step_moves_with_nothing_playing(alexa):
    for name in ("AMAZON.NextIntent", "AMAZON.StartOverIntent"):
        data = alexa.send(intent(name), new=True)
        assert "Nothing is playing" in speech_of(data)


# --- AudioPlayer events and PlaybackController -------------------------------------------------

def test_playback_started_and_stopped_save_silently(alexa, app):
    token = token_for(app, "loving-kindness", 5)
    data = alexa.send(audio_event("PlaybackStarted", token, 0), in_session=False)
    assert_silent(data)
    assert saved(app).status == "playing"
    alexa.clock.advance(seconds=30)
    data = alexa.send(audio_event("PlaybackStopped", token, 30_000), in_session=False)
    assert_silent(data)
    assert (saved(app).status, saved(app).offset_ms) == ("paused", 30_000)


def test_stale_events_never_overwrite_newer_progress(alexa, app):
    token = token_for(app, "loving-kindness", 5)
    alexa.clock.advance(seconds=60)
    alexa.send(audio_event("PlaybackStopped", token, 90_000), in_session=False)
    alexa.clock.advance(seconds=-30)
    data = alexa.send(audio_event("PlaybackStopped", token, 10_000), in_session=False)
    assert_silent(data)
    assert saved(app).offset_ms == 90_000


def test_a_stop_for_a_replaced_stream_is_ignored(alexa, app):
    alexa.send(start(slot("practice", "grounding", resolved="grounding-when-overwhelmed")),
               new=True)
    old = token_for(app, "loving-kindness", 5)
    alexa.clock.advance(seconds=1)
    assert_silent(alexa.send(audio_event("PlaybackStopped", old, 200_000), in_session=False))
    assert saved(app).practice_id == "grounding-when-overwhelmed"


def test_playback_finished_records_the_practice(alexa, app):
    token = token_for(app, "loving-kindness", 5)
    alexa.send(audio_event("PlaybackStarted", token, 0), in_session=False)
    alexa.clock.advance(seconds=300)
    data = alexa.send(audio_event("PlaybackFinished", token, 300_000), in_session=False)
    assert_silent(data)
    assert saved(app) is None
    data = alexa.send(intent("ProgressIntent"), new=True)
    assert "practised once, 5 minutes in all" in speech_of(data)


@pytest.mark.parametrize("kind", ["PlaybackNearlyFinished"])
def test_quiet_events(alexa, app, kind):
    save(app, offset_ms=5000)
    data = alexa.send(audio_event(kind, token_for(app, "loving-kindness", 5), 5000),
                      in_session=False)
    assert_silent(data)
    assert saved(app).offset_ms == 5000


def test_events_for_tokens_we_did_not_issue_are_ignored(alexa, app):
    for kind in ("PlaybackStarted", "PlaybackStopped", "PlaybackFinished"):
        assert_silent(alexa.send(audio_event(kind, "someone-elses-token", 1), in_session=False))
    assert saved(app) is None


def test_playback_controller_commands(alexa, app):
    token = token_for(app, "loving-kindness", 5)
    state = player(token, 72_000, "PLAYING")
    paused = alexa.send({"type": "PlaybackController.PauseCommandIssued"}, in_session=False,
                        audio_player=state)
    assert_silent(paused, directives=True)
    assert paused["response"]["directives"] == [{"type": "AudioPlayer.Stop"}]
    assert saved(app).offset_ms == 72_000
    alexa.clock.advance(seconds=5)
    played = alexa.send({"type": "PlaybackController.PlayCommandIssued"}, in_session=False,
                        audio_player=player(token, 72_000, "STOPPED"))
    variant = variant_of(app, "loving-kindness", 5)
    for command, offset_ms in (("PlayCommandIssued", 72_000),
                               ("NextCommandIssued", variant.chapters[1].start_ms),
                               ("PreviousCommandIssued", 0)):
        data = played if command == "PlayCommandIssued" else alexa.send(
            {"type": f"PlaybackController.{command}"}, in_session=False, audio_player=state)
        assert {k for k in data["response"]} <= {"directives", "shouldEndSession"}
        assert play_directive(data)["audioItem"]["stream"]["offsetInMilliseconds"] == offset_ms


def test_playback_controller_with_nothing_to_play(alexa):
    data = alexa.send({"type": "PlaybackController.PlayCommandIssued"}, in_session=False)
    assert_silent(data)


def test_system_exception_encountered(alexa, caplog):
    request = {"type": "System.ExceptionEncountered",
               "error": {"type": "INVALID_RESPONSE", "message": "bad"},
               "cause": {"requestId": "amzn1.echo-api.request.x"}}
    with caplog.at_level(logging.WARNING):
        data = alexa.send(request, in_session=False)
    assert_silent(data)
    assert "INVALID_RESPONSE" in caplog.text


@pytest.mark.parametrize("with_context", [True, False])
@pytest.mark.parametrize("reason", ["USER_INITIATED", "EXCEEDED_MAX_REPROMPTS", "ERROR"])
def test_session_ended(alexa, with_context, reason):
    request = {"type": "SessionEndedRequest", "reason": reason}
    if reason == "ERROR":
        request["error"] = {"type": "INVALID_RESPONSE", "message": "x"}
    from alexa_helpers import envelope

    payload = envelope(request, when=alexa.clock(), session={"new": False})
    if not with_context:
        del payload["context"]
    response = alexa.post(payload)
    assert response.status_code == 200
    assert_silent(response.get_json())



def test_finishing_one_stream_keeps_another_streams_place(alexa, app):
    save(app, "grounding-when-overwhelmed", 3, offset_ms=20_000, event_ms=1)
    token = token_for(app, "loving-kindness", 5)
    assert_silent(alexa.send(audio_event("PlaybackFinished", token, 300_000), in_session=False))
    assert saved(app).practice_id == "grounding-when-overwhelmed"
