"""Words of crisis on Alexa, through POST /alexa with signed envelopes: in any slot of any intent,
and as the CrisisIntent, they get the crisis line (said slowly, on a card, repeated on request)
and never a practice; a practice that was playing stops and keeps its place. Hard but ordinary
days still get a practice."""

from __future__ import annotations

import logging

import pytest
from alexa_helpers import (
    USER_ID,
    assert_plays,
    intent,
    make_alexa_client,
    player,
    saved,
    slot,
    speech_of,
    start,
    stored_rows,
    token_for,
)

from voice_app import create_app


@pytest.fixture
def alexa(app):
    return make_alexa_client(app)


def feeling(value: str, resolved: str | None = None) -> dict:
    if resolved:
        return slot("feeling", value, resolved=resolved, authority_type="Feeling")
    return slot("feeling", value, no_match=True, authority_type="Feeling")


def assert_crisis_response(data: dict, crisis_line: str = "988", session: bool = True) -> str:
    response = data["response"]
    assert not [d for d in response.get("directives", []) if d["type"] == "AudioPlayer.Play"]
    say = speech_of(data)
    assert f'<say-as interpret-as="telephone">{crisis_line}</say-as>' in say
    assert "call or text" in say and "911" in say and "prosody" in say
    assert response["shouldEndSession"] is False
    assert response["reprompt"]["outputSpeech"]["ssml"]
    card = response["card"]
    assert card["type"] == "Simple" and crisis_line in card["content"]
    if session:
        assert data["sessionAttributes"]["asked"] == "crisis"
    for word in ("practice", "meditation", "breath", "Loving"):
        assert word not in say
    return say


CRISIS_REQUESTS = [
    pytest.param(intent("RecommendIntent", feeling("suicidal")), id="feeling suicidal"),
    pytest.param(intent("RecommendIntent", feeling("like i want to die")), id="want to die"),
    pytest.param(intent("RecommendIntent", feeling("hopeless", resolved="sad")), id="hopeless"),
    pytest.param(start(slot("practice", "end it all", no_match=True)), id="practice end it all"),
    pytest.param(start(slot("practice", "kill myself", no_match=True)), id="practice slot"),
    pytest.param(intent("CrisisIntent"), id="crisis intent"),
]


@pytest.mark.parametrize("request_", CRISIS_REQUESTS)
def test_crisis_words_get_the_crisis_line_not_a_practice(app, alexa, request_):
    rows = stored_rows(app)
    data = alexa.send(request_, new=True)
    assert_crisis_response(data)
    assert stored_rows(app) == rows, "nothing is stored about a crisis"


def test_one_shot_crisis_without_a_session_still_answers(alexa):
    data = alexa.send(intent("RecommendIntent", feeling("suicidal")), in_session=False)
    assert_crisis_response(data, session=False)


def test_a_playing_practice_stops_and_keeps_its_place(app, alexa):
    token = token_for(app, "loving-kindness", 5)
    data = alexa.send(intent("CrisisIntent"), audio_player=player(token, 90_000, "PLAYING"))
    assert_crisis_response(data)
    assert [d["type"] for d in data["response"]["directives"]] == ["AudioPlayer.Stop"]
    position = saved(app)
    assert (position.practice_id, position.offset_ms, position.status) == \
        ("loving-kindness", 90_000, "paused")


def test_yes_and_repeat_say_the_number_again_and_no_ends_kindly(alexa):
    alexa.send(intent("CrisisIntent"), new=True)
    again = alexa.send(intent("AMAZON.YesIntent"))
    say = assert_crisis_response(again)
    assert say.startswith("<speak>Of course.")
    repeat = alexa.send(intent("AMAZON.RepeatIntent"))
    assert_crisis_response(repeat)
    done = alexa.send(intent("AMAZON.NoIntent"))
    assert done["response"]["shouldEndSession"] is True
    assert '<say-as interpret-as="telephone">988</say-as>' in speech_of(done)
    assert not done["response"].get("directives")


def test_the_staff_support_line_is_offered_when_configured(app_config):
    app = create_app({**app_config, "SUPPORT_LINE": "+1 555 010 0199", "CRISIS_LINE": "988"})
    alexa = make_alexa_client(app)
    data = alexa.send(intent("CrisisIntent"), new=True)
    say = assert_crisis_response(data)
    assert "staff support line" in say and "+1 555 010 0199" in say
    assert "+1 555 010 0199" in data["response"]["card"]["content"]


def test_fallback_names_the_crisis_line_briefly(alexa):
    data = alexa.send(intent("AMAZON.FallbackIntent"), new=True)
    say = speech_of(data)
    assert "If you are in crisis, call or text" in say and "988" in say
    assert data["response"]["shouldEndSession"] is False


def test_crisis_responses_are_counted_and_nothing_identifying_is_logged(app, alexa, caplog):
    caplog.set_level(logging.DEBUG)
    alexa.send(intent("RecommendIntent", feeling("i want to kill myself")), new=True)
    alexa.send(intent("AMAZON.YesIntent"))
    metrics = app.test_client().get("/metrics").get_data(as_text=True)
    assert 'compassion_crisis_responses_total{channel="alexa",event="answered"} 1.0' in metrics
    logged = caplog.text
    assert "kill myself" not in logged and USER_ID not in logged


@pytest.mark.parametrize("said, resolved, practice_id", [
    ("my patient died", "lost a patient", "the-pause"),
    ("dead tired", None, "reconnecting-when-numb"),
    ("burnt out", "numb", "reconnecting-when-numb"),
    ("numb", "numb", "reconnecting-when-numb"),
    ("overwhelmed", "overwhelmed", "grounding-when-overwhelmed"),
])
def test_hard_but_ordinary_days_still_get_a_practice(app, alexa, said, resolved, practice_id):
    data = alexa.send(intent("RecommendIntent", feeling(said, resolved)), new=True)
    stream = data["response"]["directives"][0]["audioItem"]["stream"]
    assert stream["token"].split(":")[1] == practice_id
    assert_plays(app, data, practice_id, int(stream["token"].split(":")[2]), 0)
