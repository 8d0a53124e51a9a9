"""Yes and no answer the question asked; opening and resuming trust a device that is playing
our stream; a failed stream is retried once; resume after the end offers another; the offer
asks once."""

from __future__ import annotations

import pytest
from alexa_helpers import (
    assert_plays,
    assert_silent,
    audio_event,
    intent,
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

YES, NO = intent("AMAZON.YesIntent"), intent("AMAZON.NoIntent")


@pytest.fixture
def alexa(app):
    return make_alexa_client(app)


# --- yes and no ---------------------------------------------------------------------------------

def test_yes_after_progress_starts_a_practice(alexa, app):
    data = alexa.send(intent("ProgressIntent"), new=True)
    assert "Would you like one now?" in speech_of(data)
    assert alexa.attributes["asked"] == "another"
    assert_plays(app, alexa.send(YES), "loving-kindness", 1, 0)


def test_no_after_progress_says_goodbye_and_ends(alexa):
    alexa.send(intent("ProgressIntent"), new=True)
    data = alexa.send(NO)
    assert speech_of(data) == "<speak>All right. Take care.</speak>"
    assert data["response"]["shouldEndSession"] is True


def test_a_question_lasts_one_turn(alexa, app):
    save(app)
    alexa.send({"type": "LaunchRequest"}, new=True)
    assert alexa.attributes["asked"] == "resume"
    alexa.send(intent("AMAZON.HelpIntent"))
    assert "asked" not in alexa.attributes
    data = alexa.send(YES)
    assert "directives" not in data["response"] and "Name a practice" in speech_of(data)


def test_yes_with_nothing_asked_asks_what_next(alexa):
    data = alexa.send(YES, new=True)
    assert "Name a practice" in speech_of(data) and "directives" not in data["response"]


def test_yes_after_the_list_reads_more(alexa, app):
    first = alexa.send(intent("ListPracticesIntent"), new=True)
    assert alexa.attributes["asked"] == "more"
    second = alexa.send(YES)
    assert "That's all of them" in speech_of(second)
    assert speech_of(first) != speech_of(second)
    assert "asked" not in alexa.attributes


def test_a_forged_question_is_ignored(alexa):
    alexa.attributes = {"asked": "delete-everything"}
    data = alexa.send(YES)
    assert "Name a practice" in speech_of(data)


# --- opening and resuming while the device plays ----------------------------------------------

def test_opening_while_a_practice_plays_does_not_say_paused(alexa, app):
    save(app, offset_ms=20_000)  # older stored place: the device is further on
    token = token_for(app, "loving-kindness", 5)
    data = alexa.send({"type": "LaunchRequest"}, new=True,
                      audio_player=player(token, 130_000, "PLAYING"))
    said = speech_of(data)
    assert "paused" not in said
    assert "You're in the middle of Loving-Kindness, 2 minutes in." in said
    resumed = alexa.send(YES, audio_player=player(token, 131_000, "PLAYING"))
    assert_plays(app, resumed, "loving-kindness", 5, 131_000)


def test_opening_while_paused_on_the_device_uses_the_device_offset(alexa, app):
    save(app, offset_ms=20_000)
    token = token_for(app, "loving-kindness", 5)
    data = alexa.send({"type": "LaunchRequest"}, new=True,
                      audio_player=player(token, 190_000, "PAUSED"))
    assert "You paused Loving-Kindness 3 minutes in." in speech_of(data)


@pytest.mark.parametrize(("activity", "offset_ms"), [("PLAYING", 150_000),
                                                      ("PAUSED", 150_000),
                                                      ("STOPPED", 20_000)])
def test_resume_trusts_a_playing_or_paused_device(alexa, app, activity, offset_ms):
    save(app, offset_ms=20_000)
    token = token_for(app, "loving-kindness", 5)
    data = alexa.send(intent("AMAZON.ResumeIntent"), new=True,
                      audio_player=player(token, 150_000, activity))
    assert_plays(app, data, "loving-kindness", 5, offset_ms)


def test_a_device_playing_someone_elses_stream_is_not_trusted(alexa, app):
    save(app, offset_ms=20_000)
    data = alexa.send(intent("AMAZON.ResumeIntent"), new=True,
                      audio_player=player("spotify:track:1", 150_000, "PLAYING"))
    assert_plays(app, data, "loving-kindness", 5, 20_000)


# --- resume after the end -------------------------------------------------------------------------

def test_resume_after_a_practice_finished_offers_another(alexa, app):
    token = token_for(app, "loving-kindness", 5)
    end = variant_of(app, "loving-kindness", 5).duration_ms
    assert_silent(alexa.send(audio_event("PlaybackFinished", token, end), in_session=False))
    assert saved(app) is None
    data = alexa.send(intent("AMAZON.ResumeIntent"), new=True,
                      audio_player=player(token, end, "FINISHED"))
    assert "directives" not in data["response"]
    assert "You finished Loving-Kindness. Would you like another practice?" in speech_of(data)
    assert data["response"]["shouldEndSession"] is False
    assert_plays(app, alexa.send(YES), "loving-kindness", 1, 0)


# --- a failed stream ------------------------------------------------------------------------------

def failed(token, offset_ms):
    request = audio_event("PlaybackFailed", token, offset_ms)
    request["currentPlaybackState"] = player(token, offset_ms, "STOPPED")
    return request


def test_a_failed_stream_is_retried_once_then_the_place_is_kept(alexa, app):
    token = token_for(app, "loving-kindness", 5)
    save(app, offset_ms=40_000, status="playing")
    first = alexa.send(failed(token, 61_000), in_session=False)
    assert_silent(first, directives=True)
    stream = play_directive(first)["audioItem"]["stream"]
    assert (stream["token"], stream["offsetInMilliseconds"]) == (token, 61_000)
    assert first["response"]["directives"][0]["playBehavior"] == "REPLACE_ALL"
    assert (saved(app).offset_ms, saved(app).status) == (61_000, "retrying")
    alexa.clock.advance(seconds=2)
    second = alexa.send(failed(token, 61_000), in_session=False)
    assert_silent(second)
    assert (saved(app).offset_ms, saved(app).status) == (61_000, "paused")
    alexa.clock.advance(seconds=60)
    resumed = alexa.send(intent("AMAZON.ResumeIntent"), new=True)
    assert_plays(app, resumed, "loving-kindness", 5, 61_000)


def test_a_retry_that_starts_gets_its_own_retry_later(alexa, app):
    token = token_for(app, "loving-kindness", 5)
    save(app, offset_ms=0, status="playing")
    alexa.send(failed(token, 0), in_session=False)
    alexa.clock.advance(seconds=1)
    assert_silent(alexa.send(audio_event("PlaybackStarted", token, 0), in_session=False))
    assert saved(app).status == "playing"
    alexa.clock.advance(seconds=90)
    again = alexa.send(failed(token, 90_000), in_session=False)
    assert play_directive(again)["audioItem"]["stream"]["offsetInMilliseconds"] == 90_000


def test_a_failure_without_the_device_offset_retries_from_the_stored_place(alexa, app):
    token = token_for(app, "loving-kindness", 5)
    save(app, offset_ms=72_000, status="playing")
    request = audio_event("PlaybackFailed", token, 0)
    request["currentPlaybackState"] = player(None, 0, "IDLE")
    data = alexa.send(request, in_session=False)
    assert play_directive(data)["audioItem"]["stream"]["offsetInMilliseconds"] == 72_000


def test_a_failure_of_a_stream_we_did_not_issue_is_silent(alexa, app):
    assert_silent(alexa.send(failed("someone-elses-token", 5), in_session=False))
    assert saved(app) is None


# --- the offer asks once --------------------------------------------------------------------------

@pytest.mark.parametrize("practice_slot", [slot("practice"),
                                           slot("practice", "yoga", no_match=True)])
def test_the_offer_asks_which_once(alexa, practice_slot):
    said = speech_of(alexa.send(start(practice_slot), new=True))
    assert said.count("?") == 1 and said.count("Which") == 1, said
