"""Every request type through POST /alexa with full envelopes: directives, offsets, tokens,
URLs, speech (and its absence on AudioPlayer events)."""

from __future__ import annotations

import logging

import pytest
from alexa_helpers import (
    LOVING,
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

from voice_app import create_app
from voice_app.store import StoreUnavailable


@pytest.fixture
def alexa(app):
    return make_alexa_client(app)


# --- launch --------------------------------------------------------------------------------

def test_launch_welcomes_a_new_listener(alexa):
    data = alexa.send({"type": "LaunchRequest"}, new=True)
    assert "Welcome to Compassion Break" in speech_of(data)
    assert data["response"]["shouldEndSession"] is False
    assert data["response"]["reprompt"]["outputSpeech"]["ssml"]
    assert "directives" not in data["response"]


def test_launch_offers_the_unfinished_practice(alexa, app):
    save(app, offset_ms=4 * 60_000 + 10_000)
    data = alexa.send({"type": "LaunchRequest"}, new=True)
    assert ("You paused Loving-Kindness 4 minutes in. Say resume, or name another "
            "practice.") in speech_of(data)
    assert data["response"]["shouldEndSession"] is False
    yes = alexa.send(intent("AMAZON.YesIntent"))
    assert_plays(app, yes, "loving-kindness", 5, 250_000)


def test_no_after_the_offer_asks_what_next(alexa, app):
    save(app)
    alexa.send({"type": "LaunchRequest"}, new=True)
    data = alexa.send(intent("AMAZON.NoIntent"))
    assert "Name a practice" in speech_of(data) and "directives" not in data["response"]
    data = alexa.send(intent("AMAZON.YesIntent"))
    assert "directives" not in data["response"]


# --- choosing a practice ----------------------------------------------------------------------

@pytest.mark.parametrize(("slots", "minutes"), [
    ((), 1),
    ((slot("duration", "PT5M"),), 5),
    ((slot("duration", "PT4M30S"),), 5),
    ((slot("duration", "PT1H"),), 5),
    ((slot("minutes", "4"),), 5),
    ((slot("minutes", "3"),), 1),
    ((slot("minutes", "?"),), 1),
    ((slot("minutes", "99999999999999999999999"),), 5),
])
def test_start_practice_picks_the_nearest_length(alexa, app, slots, minutes):
    data = alexa.send(start(LOVING, *slots), new=True)
    assert_plays(app, data, "loving-kindness", minutes, 0)
    assert f"Here is Loving-Kindness, {'5 minutes' if minutes == 5 else '1 minute'}." \
        in speech_of(data)
    position = saved(app)
    assert (position.practice_id, position.minutes, position.offset_ms, position.status) == \
        ("loving-kindness", minutes, 0, "playing")


def test_start_practice_by_alias_without_resolution(alexa, app):
    data = alexa.send(start(slot("practice", "metta")), new=True)
    assert_plays(app, data, "loving-kindness", 1, 0)


@pytest.mark.parametrize("practice_slot", [
    slot("practice", "yoga nidra", no_match=True),
    slot("practice"),
    slot("practice", "?"),
])
def test_unknown_practice_offers_three_choices(alexa, practice_slot):
    data = alexa.send(start(practice_slot, slot("minutes", "3")), new=True)
    said = speech_of(data)
    assert "Which would you like?" in said and "directives" not in data["response"]
    assert said.count(",") >= 2 and " or " in said
    assert data["response"]["shouldEndSession"] is False
    assert alexa.attributes.get("minutes") == 3


def test_choice_after_an_offer_keeps_the_length(alexa, app):
    alexa.send(start(slot("practice", "yoga", no_match=True), slot("minutes", "5")), new=True)
    data = alexa.send(start(LOVING))
    assert_plays(app, data, "loving-kindness", 5, 0)


def test_audio_base_url_is_used_for_audio(app_config):
    app = create_app({**app_config, "AUDIO_BASE_URL": "https://cdn.example.test/cb"})
    alexa = make_alexa_client(app)
    data = alexa.send(start(LOVING), new=True)
    variant = variant_of(app, "loving-kindness", 1)
    url = play_directive(data)["audioItem"]["stream"]["url"]
    assert url == f"https://cdn.example.test/cb/{variant.file}"


@pytest.mark.parametrize(("feeling", "practice_id", "why"), [
    ("overwhelmed", "grounding-when-overwhelmed", "feeling your feet"),
    ("stressed", "grounding-when-overwhelmed", "feeling your feet"),
    ("numb", "reconnecting-when-numb", "gentle warmth"),
    ("a minute", "between-patients", "fits in a minute"),
    ("lost a patient", "the-pause", "After a death"),
    ("done with my shift", "end-of-shift", "end of a shift"),
])
def test_recommend_by_feeling(alexa, app, feeling, practice_id, why):
    data = alexa.send(intent("RecommendIntent", slot("feeling", feeling)), new=True)
    play = play_directive(data)
    assert play["audioItem"]["stream"]["token"].startswith(f"cb1:{practice_id}:")
    assert why in speech_of(data)
    assert data["response"]["shouldEndSession"] is True


def test_recommend_with_only_minutes(alexa, app):
    data = alexa.send(intent("RecommendIntent", slot("feeling"), slot("minutes", "5")),
                      new=True)
    assert_plays(app, data, "loving-kindness", 5, 0)


def test_list_practices_names_every_practice_three_at_a_time(alexa, app):
    titles = [p.title for p in app.extensions["catalog"].get().practices]
    first = alexa.send(intent("ListPracticesIntent"), new=True)
    second = alexa.send(intent("AMAZON.MoreIntent"))
    heard = [[t for t in titles if t in speech_of(page)] for page in (first, second)]
    assert [len(page) for page in heard] == [3, 3]
    assert sorted(heard[0] + heard[1]) == sorted(titles)
    assert "There are 6 practices. Between patients: Between Patients." in speech_of(first)
    assert "Say more" in speech_of(first) and "That's all of them" in speech_of(second)
    assert first["response"]["shouldEndSession"] is False
    assert second["response"]["shouldEndSession"] is False


# --- help and friends ---------------------------------------------------------------------------

def test_help_says_this_is_not_a_crisis_service(alexa):
    data = alexa.send(intent("AMAZON.HelpIntent"), new=True)
    said = speech_of(data)
    assert "not a crisis or emergency service" in said
    assert '<say-as interpret-as="telephone">988</say-as>' in said
    assert data["response"]["shouldEndSession"] is False


def test_fallback_and_unknown_intents_guide_without_error(alexa, caplog):
    for request in (intent("AMAZON.FallbackIntent"), intent("NoSuchIntent"),
                    {"type": "IntentRequest"}):
        with caplog.at_level(logging.WARNING):
            data = alexa.send(request, new=True)
        assert "didn't catch that" in speech_of(data)
        assert data["response"]["shouldEndSession"] is False
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_navigate_home_ends_quietly(alexa):
    data = alexa.send(intent("AMAZON.NavigateHomeIntent"), new=True)
    assert data["response"] == {"shouldEndSession": True}


@pytest.mark.parametrize("name", ["AMAZON.LoopOnIntent", "AMAZON.LoopOffIntent",
                                  "AMAZON.ShuffleOnIntent", "AMAZON.ShuffleOffIntent"])
def test_loop_and_shuffle_are_not_available(alexa, app, name):
    data = alexa.send(intent(name), audio_player=player(token_for(app, "loving-kindness", 5)))
    assert "aren't available for guided practices" in speech_of(data)
    assert "directives" not in data["response"]
    assert data["response"]["shouldEndSession"] is True


# --- progress ---------------------------------------------------------------------------------

def test_progress_counts_this_weeks_practice(alexa, app):
    data = alexa.send(intent("ProgressIntent"), new=True)
    assert "haven't finished a practice this week" in speech_of(data)
    store = app.extensions["store"]
    from datetime import timedelta

    now = alexa.clock()
    store.record_completion(key_of(app), "loving-kindness", 5, "alexa", now - timedelta(days=1))
    store.record_completion(key_of(app), "the-pause", 1, "phone", now - timedelta(days=2))
    store.record_completion(key_of(app), "end-of-shift", 3, "alexa", now - timedelta(days=9))
    data = alexa.send(intent("ProgressIntent"))
    assert "practised 2 times, 6 minutes in all" in speech_of(data)


# --- failures --------------------------------------------------------------------------------

def unavailable(*args, **kwargs):
    raise StoreUnavailable("database down")


def test_database_down_gets_a_polite_answer(alexa, app, monkeypatch):
    store = app.extensions["store"]
    for method in ("get_position", "save_position", "clear_position", "record_completion",
                   "completions_since"):
        monkeypatch.setattr(store, method, unavailable)
    for request in (start(LOVING), intent("AMAZON.ResumeIntent"), intent("ProgressIntent"),
                    {"type": "LaunchRequest"}):
        data = alexa.send(request, new=True)
        assert "having trouble" in speech_of(data), request
        assert "directives" not in data["response"]
    token = token_for(app, "loving-kindness", 5)
    for kind in ("PlaybackStarted", "PlaybackStopped", "PlaybackFinished"):
        assert_silent(alexa.send(audio_event(kind, token, 1000), in_session=False))
    data = alexa.send({"type": "PlaybackController.PlayCommandIssued"}, in_session=False,
                      audio_player=player(token, 1000, "STOPPED"))
    assert_silent(data)


def test_a_bug_in_a_handler_is_an_apology_not_a_500(alexa, app, monkeypatch, caplog):
    from voice_app.alexa.handlers import practice

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(practice.playback, "start", broken)
    with caplog.at_level(logging.ERROR):
        data = alexa.send(start(LOVING), new=True)
    assert "something went wrong" in speech_of(data)
    assert "RuntimeError" in caplog.text

