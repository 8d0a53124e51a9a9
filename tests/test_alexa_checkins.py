"""The check-in on Alexa, through POST /alexa with signed envelopes (issue 14): with
ALEXA_CHECKIN on, the before question comes with the practice's Play directive and the session
open; an answer, a skip or silence all start the practice; a 5 is met with care; a stressed
listener who named nothing gets a grounding practice; the after question comes on the next
launch or "I'm done", counted only within the window; the listener's own controls and history.
With it off (the default), nothing is asked, and every practice is still recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from alexa_helpers import (
    LOVING,
    assert_silent,
    intent,
    key_of,
    make_alexa_client,
    play_directive,
    player,
    saved,
    slot,
    speech_of,
    start,
    token_for,
)

from voice_app import create_app
from voice_app.checkins import AFTER_WINDOW
from voice_app.store import sessions

QUESTION = ("Before we begin, one quick question, which you can skip. Right now, how stressed "
            "do you feel? One, not at all; two, a little; three, moderately; four, quite a bit; "
            "five, extremely.")
AFTER = "And now, after the practice. Right now, how stressed do you feel?"


@pytest.fixture
def checkin_app(app_config):
    return create_app({**app_config, "ALEXA_CHECKIN": "1", "SUPPORT_LINE": "555 0100"})


@pytest.fixture
def alexa(checkin_app):
    return make_alexa_client(checkin_app)


def rows(app) -> list[dict]:
    store = app.extensions["store"]
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            sa.select(sessions).order_by(sessions.c.id)).mappings().all()]


def level(value: str | None = None, resolved: str | None = None) -> dict:
    if value is None:
        return intent("CheckinAnswerIntent", slot("level"))
    if resolved is None:
        return intent("CheckinAnswerIntent", slot("level", value, no_match=True,
                                                  authority_type="StressLevel"))
    return intent("CheckinAnswerIntent", slot("level", value, resolved=resolved,
                                              authority_type="StressLevel"))


def plays(data: dict) -> str:
    """The token of the one Play directive."""
    return play_directive(data)["audioItem"]["stream"]["token"]


def ask_before(app, alexa, request: dict | None = None) -> dict:
    data = alexa.send(request or start(LOVING, slot("minutes", "5")), new=True)
    assert data["response"]["shouldEndSession"] is False, data
    assert data["sessionAttributes"]["asked"] == "checkin_before"
    return data


# --- before ------------------------------------------------------------------------------------

def test_the_question_comes_with_the_practice_and_the_session_open(checkin_app, alexa):
    data = ask_before(checkin_app, alexa)
    assert plays(data) == token_for(checkin_app, "loving-kindness", 5)
    assert play_directive(data)["audioItem"]["stream"]["offsetInMilliseconds"] == 0
    assert speech_of(data) == f"<speak>Here is Loving-Kindness, 5 minutes. {QUESTION}</speak>"
    reprompt = data["response"]["reprompt"]["outputSpeech"]["ssml"]
    assert "If you say nothing, the practice begins." in reprompt
    assert saved(checkin_app).status == "playing"
    assert rows(checkin_app) == []  # recorded once the answer (or the silence) is known


@pytest.mark.parametrize(("request_", "value", "said"), [
    pytest.param(level("quite a bit", "4"), 4, "Quite a bit. Thank you.", id="label resolved"),
    pytest.param(level("four"), 4, "Quite a bit. Thank you.", id="number word"),
    pytest.param(level("2"), 2, "A little. Thank you.", id="digit"),
    pytest.param(level("not at all"), 1, "Not at all. Thank you.", id="label unresolved"),
])
def test_an_answer_is_said_back_and_the_practice_starts_at_once(checkin_app, alexa, request_,
                                                                 value, said):
    ask_before(checkin_app, alexa)
    data = alexa.send(request_)
    assert speech_of(data) == f"<speak>{said}</speak>"
    assert plays(data) == token_for(checkin_app, "loving-kindness", 5)
    assert data["response"]["shouldEndSession"] is True
    (row,) = rows(checkin_app)
    assert (row["practice_id"], row["minutes"], row["channel"], row["language"]) == \
        ("loving-kindness", 5, "alexa", "en")
    assert (row["before"], row["asked"], row["finished_at"]) == (value, True, None)


@pytest.mark.parametrize("request_", [
    pytest.param(level(), id="skip"), pytest.param(intent("AMAZON.NoIntent"), id="no"),
    pytest.param(intent("AMAZON.NextIntent"), id="next (Alexa's skip)"),
    pytest.param(intent("AMAZON.YesIntent"), id="yes"),
    pytest.param(intent("AMAZON.FallbackIntent"), id="not understood"),
    pytest.param(level("purple"), id="not an answer"),
])
def test_a_skip_starts_the_practice_at_once(checkin_app, alexa, request_):
    ask_before(checkin_app, alexa)
    data = alexa.send(request_)
    assert speech_of(data) == "<speak>All right, no question this time.</speak>"
    assert plays(data) == token_for(checkin_app, "loving-kindness", 5)
    (row,) = rows(checkin_app)
    assert (row["before"], row["asked"]) == (None, True)


def test_a_silent_listener_gets_the_practice(checkin_app, alexa):
    """Silence after the reprompt ends the session: no answer can carry a Play directive then,
    so the Play already went with the question; the session end records the practice."""
    ask_before(checkin_app, alexa)
    ended = alexa.send({"type": "SessionEndedRequest", "reason": "EXCEEDED_MAX_REPROMPTS"})
    assert_silent(ended)
    (row,) = rows(checkin_app)
    assert (row["practice_id"], row["before"], row["asked"]) == ("loving-kindness", None, True)
    assert saved(checkin_app).status == "playing"
    started = alexa.send({"type": "AudioPlayer.PlaybackStarted",
                          "token": token_for(checkin_app, "loving-kindness", 5),
                          "offsetInMilliseconds": 0}, in_session=False)
    assert_silent(started)
    assert len(rows(checkin_app)) == 1


def test_a_five_is_met_once_with_care_and_the_practice_goes_on(checkin_app, alexa):
    ask_before(checkin_app, alexa)
    data = alexa.send(level("extremely", "5"))
    say = speech_of(data)
    assert say.startswith("<speak>Extremely. Thank you. Thank you for telling me.")
    assert '<say-as interpret-as="telephone">555 0100</say-as>' in say
    assert '<say-as interpret-as="telephone">988</say-as>' in say
    assert say.count("988") == 1 and "The practice is here for you now." in say
    assert plays(data) == token_for(checkin_app, "loving-kindness", 5)
    assert "card" not in data["response"]
    assert data["response"]["shouldEndSession"] is True
    assert rows(checkin_app)[0]["before"] == 5


@pytest.mark.parametrize(("answer", "practice_id"), [
    (level("extremely", "5"), "grounding-when-overwhelmed"),
    (level("quite a bit", "4"), "grounding-when-overwhelmed"),
    (level("moderately", "3"), "loving-kindness"),
    (level(), "loving-kindness"),
])
def test_a_stressed_listener_who_named_nothing_gets_grounding(checkin_app, alexa, answer,
                                                              practice_id):
    """(Five minutes asked for: the question is not put before a one-minute practice.)"""
    asked = ask_before(checkin_app, alexa, intent("RecommendIntent", slot("minutes", "5")))
    assert plays(asked).startswith("cb1:loving-kindness:5:")  # the library's first, meanwhile
    data = alexa.send(answer)
    assert plays(data).startswith(f"cb1:{practice_id}:")
    (row,) = rows(checkin_app)
    assert row["practice_id"] == practice_id
    if practice_id == "grounding-when-overwhelmed":
        assert "Here is Grounding" in speech_of(data)
        assert saved(checkin_app).practice_id == practice_id


def test_a_named_practice_stays_whatever_the_answer(checkin_app, alexa):
    ask_before(checkin_app, alexa)
    data = alexa.send(level("extremely", "5"))
    assert plays(data).startswith("cb1:loving-kindness:")


def test_words_of_crisis_in_the_answer_get_the_crisis_line(checkin_app, alexa):
    ask_before(checkin_app, alexa)
    data = alexa.send(level("i want to die"))
    assert "Suicide and Crisis Lifeline" in speech_of(data)
    assert data["sessionAttributes"]["asked"] == "crisis"
    assert not [d for d in data["response"].get("directives", [])
                if d["type"] == "AudioPlayer.Play"]


def directive_types(data: dict) -> list[str]:
    return [d["type"] for d in data["response"].get("directives", [])]


def at_the_question(checkin_app, alexa, request_: dict, device: str | None) -> dict:
    """`request_` said at the before question, the device reporting `device` (None: no player
    context) for the practice whose Play went out with the question."""
    ask_before(checkin_app, alexa)
    token = token_for(checkin_app, "loving-kindness", 5)
    return alexa.send(request_, audio_player=player(token, 0, device) if device else None)


@pytest.mark.parametrize("request_", [
    pytest.param(level("i want to die"), id="words of crisis in the answer"),
    pytest.param(intent("CrisisIntent"), id="the crisis intent"),
])
@pytest.mark.parametrize("device", [
    pytest.param(None, id="no player context"),
    pytest.param("IDLE", id="idle"),
    pytest.param("STOPPED", id="stopped"),
    pytest.param("PAUSED", id="paused"),
])
def test_a_crisis_at_the_before_question_stops_the_queued_practice(checkin_app, alexa,
                                                                   request_, device):
    """The Play went out with the question: whatever the device reports, a Stop goes with the
    crisis line, the waiting practice is forgotten, and the session's end records nothing."""
    data = at_the_question(checkin_app, alexa, request_, device)
    assert "Suicide and Crisis Lifeline" in speech_of(data)
    assert directive_types(data) == ["AudioPlayer.Stop"]
    assert data["sessionAttributes"]["checkin"] is None
    assert data["response"]["shouldEndSession"] is False
    ended = alexa.send({"type": "SessionEndedRequest", "reason": "EXCEEDED_MAX_REPROMPTS"})
    assert_silent(ended)
    assert rows(checkin_app) == []


@pytest.mark.parametrize("request_", [
    pytest.param(intent("AMAZON.StopIntent"), id="stop"),
    pytest.param(intent("AMAZON.CancelIntent"), id="cancel"),
    pytest.param(intent("DoneIntent"), id="i'm done"),
])
@pytest.mark.parametrize("device", [
    pytest.param(None, id="no player context"),
    pytest.param("IDLE", id="idle"),
    pytest.param("PAUSED", id="paused"),
])
def test_stop_at_the_before_question_stops_the_queued_practice(checkin_app, alexa, request_,
                                                               device):
    """The Play went out with the question: a Stop goes back whatever the device reports, so
    the stream does not play when the session closes. A practice stopped before it began is
    not a session: nothing is recorded, then or at the session's end."""
    data = at_the_question(checkin_app, alexa, request_, device)
    assert directive_types(data) == ["AudioPlayer.Stop"]
    assert data["response"]["shouldEndSession"] is True
    assert "reprompt" not in data["response"]
    assert (data.get("sessionAttributes") or {}).get("checkin") is None
    if device == "PAUSED":
        assert saved(checkin_app).status == "stopped"  # the place is kept, as ever
    alexa.send({"type": "SessionEndedRequest", "reason": "USER_INITIATED"})
    assert rows(checkin_app) == []


def test_optional_mode_asks_again_only_someone_who_answered(checkin_app, alexa):
    ask_before(checkin_app, alexa)
    alexa.send(level())  # skipped the first offer: not asked again
    again = alexa.send(start(LOVING, slot("minutes", "5")), new=True)
    assert again["response"]["shouldEndSession"] is True and "reprompt" not in again["response"]
    assert [r["asked"] for r in rows(checkin_app)] == [True, False]


def test_someone_who_answered_is_asked_again_but_not_for_one_minute(checkin_app, alexa):
    ask_before(checkin_app, alexa)
    alexa.send(level("a little", "2"))
    ask_before(checkin_app, alexa)
    alexa.send(level("a little", "2"))
    short = alexa.send(start(slot("practice", "between patients", resolved="between-patients"),
                             slot("minutes", "1")), new=True)
    assert short["response"]["shouldEndSession"] is True
    assert [r["asked"] for r in rows(checkin_app)] == [True, True, False]


def test_the_question_is_asked_in_spanish_for_a_spanish_request(checkin_app, alexa):
    alexa.locale = "es-US"
    data = ask_before(checkin_app, alexa, start(slot("practice", "bondad amorosa",
                                                     resolved="loving-kindness"),
                                                slot("minutes", "5")))
    assert "Antes de empezar, una pregunta rápida" in speech_of(data)
    answered = alexa.send(level("bastante", "4"))
    assert speech_of(answered) == "<speak>Bastante. Gracias.</speak>"
    assert rows(checkin_app)[0]["language"] == "es"


# --- after -------------------------------------------------------------------------------------

def finish_practice(app, alexa, before: str = "3", minutes: int = 5) -> str:
    ask_before(app, alexa)
    alexa.send(level(before, before))
    token = token_for(app, "loving-kindness", minutes)
    alexa.clock.advance(minutes=minutes)
    alexa.send({"type": "AudioPlayer.PlaybackFinished", "token": token,
                "offsetInMilliseconds": 300_000}, in_session=False)
    return token


def test_the_after_question_comes_on_the_next_launch(checkin_app, alexa):
    finish_practice(checkin_app, alexa)
    assert rows(checkin_app)[0]["finished_at"] is not None
    alexa.clock.advance(minutes=4)
    launch = alexa.send({"type": "LaunchRequest"}, new=True)
    assert speech_of(launch).startswith(f"<speak>{AFTER}")
    assert launch["sessionAttributes"]["asked"] == "checkin_after"
    alexa.clock.advance(seconds=20)
    answered = alexa.send(level("a little", "2"))
    assert speech_of(answered).startswith("<speak>A little. Thank you. Would you like another")
    assert answered["sessionAttributes"]["asked"] == "another"
    (row,) = rows(checkin_app)
    assert (row["before"], row["after"], row["after_delay_s"]) == (3, 2, 260)
    history = alexa.send(intent("CheckinHistoryIntent"))
    assert ("Over your last 1 practices with a check-in, your stress was 3 on average before, "
            "and 2 after.") in speech_of(history)
    again = alexa.send({"type": "LaunchRequest"}, new=True)
    assert "Welcome to Compassion Break" in speech_of(again)  # never asked twice


def test_a_skipped_after_question_is_not_asked_again(checkin_app, alexa):
    finish_practice(checkin_app, alexa)
    alexa.send({"type": "LaunchRequest"}, new=True)
    skipped = alexa.send(intent("AMAZON.NoIntent"))
    assert speech_of(skipped).startswith("<speak>All right, no question this time.")
    assert rows(checkin_app)[0]["after_declined"] is True
    assert "Welcome" in speech_of(alexa.send({"type": "LaunchRequest"}, new=True))


@pytest.mark.parametrize("request_", [
    pytest.param({"type": "SessionEndedRequest", "reason": "EXCEEDED_MAX_REPROMPTS"},
                 id="silence"),
    pytest.param({"type": "SessionEndedRequest", "reason": "USER_INITIATED"}, id="ended"),
    pytest.param(intent("AMAZON.StopIntent"), id="stop"),
    pytest.param(intent("AMAZON.CancelIntent"), id="cancel"),
])
def test_an_after_question_left_unanswered_is_not_asked_again(checkin_app, alexa, request_):
    token = finish_practice(checkin_app, alexa)
    launch = alexa.send({"type": "LaunchRequest"}, new=True)
    assert launch["sessionAttributes"]["checkin_after"] == rows(checkin_app)[0]["id"]
    alexa.send(request_, audio_player=player(token, 300_000, "FINISHED"))
    (row,) = rows(checkin_app)
    assert (row["after_declined"], row["after"], row["after_delay_s"]) == (True, None, None)
    assert "Welcome" in speech_of(alexa.send({"type": "LaunchRequest"}, new=True))


def test_an_after_question_cut_off_by_an_error_is_asked_again(checkin_app, alexa):
    """A session ended by an error: the listener may never have heard the question."""
    finish_practice(checkin_app, alexa)
    alexa.send({"type": "LaunchRequest"}, new=True)
    alexa.send({"type": "SessionEndedRequest", "reason": "ERROR",
                "error": {"type": "INTERNAL_SERVICE_ERROR", "message": "gone"}})
    assert rows(checkin_app)[0]["after_declined"] is False
    assert speech_of(alexa.send({"type": "LaunchRequest"}, new=True)).startswith(
        f"<speak>{AFTER}")


def test_stop_after_im_done_declines_the_after_question(checkin_app, alexa):
    """"I'm done" stopped the practice and asked after; "stop" (the device paused) ends it."""
    ask_before(checkin_app, alexa)
    alexa.send(level("quite a bit", "4"))
    token = token_for(checkin_app, "loving-kindness", 5)
    alexa.clock.advance(minutes=3)
    done = alexa.send(intent("DoneIntent"), new=True, audio_player=player(token, 180_000))
    assert speech_of(done).startswith(f"<speak>{AFTER}")
    stopped = alexa.send(intent("AMAZON.StopIntent"),
                         audio_player=player(token, 180_000, "PAUSED"))
    assert stopped["response"]["shouldEndSession"] is True
    assert saved(checkin_app).offset_ms == 180_000  # the place is kept
    assert rows(checkin_app)[0]["after_declined"] is True


@pytest.mark.parametrize(("before", "care"), [("5", False), ("4", True)])
def test_a_five_after_is_met_with_care_unless_it_was_heard_before(checkin_app, alexa, before,
                                                                  care):
    """A 5 before was met with the support lines already: a 5 after does not repeat them."""
    finish_practice(checkin_app, alexa, before=before)
    alexa.send({"type": "LaunchRequest"}, new=True)
    answered = alexa.send(level("extremely", "5"))
    say = speech_of(answered)
    assert say.startswith("<speak>Extremely. Thank you.")
    assert ("Thank you for telling me." in say) is care
    assert ("988" in say) is care and ("555 0100" in say) is care
    assert "The practice is here for you now." not in say  # it is over
    assert answered["sessionAttributes"]["asked"] == "another"
    assert (rows(checkin_app)[0]["before"], rows(checkin_app)[0]["after"]) == (int(before), 5)


def test_a_five_after_is_not_met_twice_when_a_newer_practice_started(checkin_app, alexa):
    """The asked session is no longer the listener's latest (a practice began on the phone
    meanwhile): its before answer is still found."""
    finish_practice(checkin_app, alexa, before="5")
    alexa.send({"type": "LaunchRequest"}, new=True)
    checkin_app.extensions["checkins"].begin(key_of(checkin_app), "phone", "loving-kindness", 5,
                                             "en", at=alexa.clock())
    answered = alexa.send(level("extremely", "5"))
    assert "988" not in speech_of(answered)
    assert [(r["channel"], r["after"]) for r in rows(checkin_app)] == \
        [("alexa", 5), ("phone", None)]


def test_after_the_window_the_after_question_is_not_asked(checkin_app, alexa):
    finish_practice(checkin_app, alexa)
    alexa.clock.advance(seconds=AFTER_WINDOW.total_seconds() + 60)
    launch = alexa.send({"type": "LaunchRequest"}, new=True)
    assert "Welcome to Compassion Break" in speech_of(launch)


def test_a_late_after_answer_stores_only_its_delay(checkin_app, alexa):
    finish_practice(checkin_app, alexa)
    alexa.clock.advance(seconds=AFTER_WINDOW.total_seconds() - 30)
    assert speech_of(alexa.send({"type": "LaunchRequest"}, new=True)).startswith(
        f"<speak>{AFTER}")
    alexa.clock.advance(minutes=2)
    answered = alexa.send(level("not at all", "1"))
    assert "Not at all. Thank you." in speech_of(answered)
    (row,) = rows(checkin_app)
    assert row["after"] is None
    assert row["after_delay_s"] == AFTER_WINDOW.total_seconds() + 90


def test_im_done_during_a_practice_stops_it_and_asks_after(checkin_app, alexa):
    ask_before(checkin_app, alexa)
    alexa.send(level("quite a bit", "4"))
    token = token_for(checkin_app, "loving-kindness", 5)
    alexa.clock.advance(minutes=3)
    done = alexa.send(intent("DoneIntent"), new=True, audio_player=player(token, 180_000))
    assert [d["type"] for d in done["response"]["directives"]] == ["AudioPlayer.Stop"]
    assert speech_of(done).startswith(f"<speak>{AFTER}")
    assert saved(checkin_app).offset_ms == 180_000  # the place is kept
    alexa.send(level("a little", "2"))
    (row,) = rows(checkin_app)
    assert (row["before"], row["after"], row["after_delay_s"]) == (4, 2, 0)
    assert row["finished_at"] is not None


def test_im_done_after_stop_asking_does_not_ask_after(checkin_app, alexa):
    ask_before(checkin_app, alexa)
    alexa.send(level("quite a bit", "4"))
    token = token_for(checkin_app, "loving-kindness", 5)
    alexa.clock.advance(minutes=1)
    alexa.send(intent("CheckinOffIntent"), new=True, audio_player=player(token, 60_000))
    alexa.clock.advance(minutes=2)
    done = alexa.send(intent("DoneIntent"), new=True, audio_player=player(token, 180_000))
    assert directive_types(done) == ["AudioPlayer.Stop"]
    assert speech_of(done) == "<speak>All right. Take care.</speak>"
    assert rows(checkin_app)[0]["after_delay_s"] is None


def test_im_done_with_checkins_turned_off_does_not_ask_after(checkin_app, alexa, app_config):
    """A practice answered before while check-ins were on; then the service turned CHECKIN
    off (same database): "I'm done" asks nothing."""
    ask_before(checkin_app, alexa)
    alexa.send(level("quite a bit", "4"))
    token = token_for(checkin_app, "loving-kindness", 5)
    off_app = create_app({**app_config, "ALEXA_CHECKIN": "1", "CHECKIN": "off"})
    assert off_app.extensions["checkins"].mode == "off"
    off = make_alexa_client(off_app, alexa.clock)
    off.clock.advance(minutes=3)
    done = off.send(intent("DoneIntent"), new=True, audio_player=player(token, 180_000))
    assert directive_types(done) == ["AudioPlayer.Stop"]
    assert speech_of(done) == "<speak>All right. Take care.</speak>"
    assert rows(off_app)[0]["after_delay_s"] is None


def test_im_done_with_nothing_to_ask_says_goodbye(checkin_app, alexa):
    done = alexa.send(intent("DoneIntent"), new=True)
    assert speech_of(done) == "<speak>All right. Take care.</speak>"
    assert done["response"]["shouldEndSession"] is True


# --- the listener's controls -------------------------------------------------------------------

def test_stop_asking_and_ask_me_again(checkin_app, alexa):
    off = alexa.send(intent("CheckinOffIntent"), new=True)
    assert speech_of(off).startswith("<speak>All right, I will not ask how you feel any more.")
    key = key_of(checkin_app)
    assert checkin_app.extensions["checkins"].choice(key) == "off"
    quiet = alexa.send(start(LOVING, slot("minutes", "5")), new=True)
    assert quiet["response"]["shouldEndSession"] is True
    on = alexa.send(intent("CheckinOnIntent"), new=True)
    assert "I will ask how you feel before and after each practice" in speech_of(on)
    assert checkin_app.extensions["checkins"].choice(key) == "on"
    ask_before(checkin_app, alexa)
    short = alexa.send(start(slot("practice", "between patients", resolved="between-patients"),
                             slot("minutes", "1")), new=True)
    assert short["sessionAttributes"]["asked"] == "checkin_before"  # they asked for it


def test_stop_asking_while_asked_starts_the_practice(checkin_app, alexa):
    ask_before(checkin_app, alexa)
    data = alexa.send(intent("CheckinOffIntent"))
    assert speech_of(data).startswith("<speak>All right, I will not ask how you feel any more.")
    assert plays(data) == token_for(checkin_app, "loving-kindness", 5)
    assert rows(checkin_app)[0]["before"] is None


def test_history_with_nothing_yet(checkin_app, alexa):
    data = alexa.send(intent("CheckinHistoryIntent"), new=True)
    assert "You have no check-ins with an answer before and after yet." in speech_of(data)


def test_history_counts_only_this_listener(checkin_app, alexa):
    other = make_alexa_client(checkin_app, alexa.clock)
    other.user_id = "amzn1.ask.account.SOMEONE-ELSE"
    finish_practice(checkin_app, other, before="5")
    other.send({"type": "LaunchRequest"}, new=True)
    other.send(level("1", "1"))
    mine = alexa.send(intent("CheckinHistoryIntent"), new=True)
    assert "You have no check-ins" in speech_of(mine)


# --- with ALEXA_CHECKIN off (the default) ------------------------------------------------------

def test_off_nothing_is_asked_but_every_practice_is_recorded(app, built_library):
    alexa = make_alexa_client(app)
    assert app.extensions["settings"].ALEXA_CHECKIN is False
    data = alexa.send(start(LOVING, slot("minutes", "5")), new=True)
    assert speech_of(data) == "<speak>Here is Loving-Kindness, 5 minutes.</speak>"
    assert data["response"]["shouldEndSession"] is True and "reprompt" not in data["response"]
    (row,) = rows(app)
    assert (row["practice_id"], row["asked"], row["before"], row["finished_at"]) == \
        ("loving-kindness", False, None, None)
    alexa.clock.advance(minutes=5)
    alexa.send({"type": "AudioPlayer.PlaybackFinished", "offsetInMilliseconds": 300_000,
                "token": token_for(app, "loving-kindness", 5)}, in_session=False)
    assert rows(app)[0]["finished_at"] is not None
    launch = alexa.send({"type": "LaunchRequest"}, new=True)
    assert "Welcome to Compassion Break" in speech_of(launch)
    suggested = alexa.send(intent("RecommendIntent", slot("feeling", "numb", resolved="when-numb",
                                                          authority_type="Feeling")))
    assert plays(suggested).startswith("cb1:reconnecting-when-numb:")
    assert [r["practice_id"] for r in rows(app)] == ["loving-kindness", "reconnecting-when-numb"]


def test_off_the_controls_say_so_and_store_nothing(app, built_library):
    alexa = make_alexa_client(app)
    off = alexa.send(intent("CheckinOffIntent"), new=True)
    assert "turned check-ins off on Alexa" in speech_of(off)
    assert app.extensions["checkins"].choice(key_of(app)) is None
    answer = alexa.send(level("quite a bit", "4"))
    assert speech_of(answer) == "<speak>Name a practice, or tell me how you feel.</speak>"
    done = alexa.send(intent("DoneIntent"))
    assert speech_of(done) == "<speak>All right. Take care.</speak>"
    assert rows(app) == []


def test_a_device_without_audio_records_nothing(checkin_app):
    alexa = make_alexa_client(checkin_app)
    alexa.plays_audio = False
    data = alexa.send(start(LOVING), new=True)
    assert "can't play them" in speech_of(data)
    assert rows(checkin_app) == []


def test_forget_me_deletes_the_check_ins_too(checkin_app, alexa):
    finish_practice(checkin_app, alexa)
    alexa.send(intent("ForgetMeIntent"), new=True)
    alexa.send(intent("AMAZON.YesIntent"))
    assert rows(checkin_app) == []


def test_the_session_after_a_day_is_not_dug_up(checkin_app, alexa):
    finish_practice(checkin_app, alexa)
    alexa.clock.advance(**{"days": 1})
    assert "Welcome" in speech_of(alexa.send({"type": "LaunchRequest"}, new=True))
    assert timedelta(days=1) > AFTER_WINDOW


# --- the interaction models --------------------------------------------------------------------

@pytest.mark.parametrize(("locale", "labels", "numbers", "off"), [
    ("en-US", ["not at all", "a little", "moderately", "quite a bit", "extremely"],
     ["one", "two", "three", "four", "five"], "stop asking how i feel"),
    ("es-US", ["nada", "un poco", "moderado", "bastante", "muchísimo"],
     ["uno", "dos", "tres", "cuatro", "cinco"], "deja de preguntar"),
])
def test_the_stress_level_type_is_made_from_the_checkin_labels(locale, labels, numbers, off):
    """A custom 1-5 type: the spoken labels, which AMAZON.NUMBER would miss, with the number
    words as synonyms; the controls' samples are the check-in's own words."""
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "skill-package" / "interactionModels" / \
        "custom" / f"{locale}.json"
    model = json.loads(path.read_text())["interactionModel"]["languageModel"]
    (stress,) = [t for t in model["types"] if t["name"] == "StressLevel"]
    assert [v["id"] for v in stress["values"]] == ["1", "2", "3", "4", "5"]
    assert [v["name"]["value"] for v in stress["values"]] == labels
    assert [v["name"]["synonyms"] for v in stress["values"]] == [[n] for n in numbers]
    intents = {i["name"]: i for i in model["intents"]}
    assert intents["CheckinAnswerIntent"]["slots"] == [{"name": "level", "type": "StressLevel"}]
    assert "{level}" in intents["CheckinAnswerIntent"]["samples"]
    assert off in intents["CheckinOffIntent"]["samples"]
    assert intents["DoneIntent"]["samples"] and intents["CheckinHistoryIntent"]["samples"]
