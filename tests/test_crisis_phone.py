"""Words of crisis on the phone, walked as Twilio would (signed webhooks, TwiML parsed): at the
menu, the length question, during a practice, while paused, at the end, at the call-back offer —
checked before command words, never a practice and never a "not understood"; the caller can be
connected to the crisis line (their own caller id kept), and hears the number again when that
call ends or fails."""

from __future__ import annotations

import pytest
from test_phone_calls import BASE, HOTLINE, Caller, key, rows, start_loving_kindness

from voice_app import create_app
from voice_app.store import progress

CRISIS_PROMPTS = {"crisis", "crisis_connect"}


@pytest.fixture
def app_config(app_config):
    """These calls walk the flow without the check-in (CHECKIN=off: the flow as it was);
    tests/test_phone_checkins.py walks it with the check-in."""
    return {**app_config, "CHECKIN": "off"}


def assert_crisis(caller: Caller) -> None:
    assert caller.where[0] == "crisis", caller.heard
    assert set(caller.heard) >= CRISIS_PROMPTS, caller.heard
    assert "not_understood" not in caller.heard and "starting" not in caller.heard
    assert not [p for p in caller.twiml.iter("Play") if "/phone/" in (p.text or "")
                and "/prompt-" not in p.text], "no practice audio"


def dialled(caller: Caller) -> tuple[str, dict[str, str]]:
    (dial,) = caller.twiml.iter("Dial")
    return dial.text, dict(dial.attrib)


@pytest.mark.parametrize("said", ["I want to kill myself", "honestly I just want to die",
                                  "I don't want to live anymore", "I'm suicidal"])
def test_crisis_words_at_the_menu(app, client, said):
    caller = Caller(client).dial()
    caller.answer(said=said)
    assert_crisis(caller)


def test_crisis_words_during_a_practice_come_before_the_command_words(app, client):
    """'end it all' holds 'end', which during a practice hangs up: the crisis comes first."""
    caller = start_loving_kindness(client)
    caller.answer()
    caller.answer()
    at = caller.segment
    caller.answer(said="I want to end it all")
    assert_crisis(caller) and not caller.ended
    (position,) = rows(app, progress)
    assert (position["practice_id"], position["status"]) == ("loving-kindness", "paused")
    variant = app.extensions["catalog"].get().get("loving-kindness").variant(5)
    assert position["offset_ms"] == variant.phone[at].start_ms, "the place is kept"


def test_crisis_words_while_paused_at_length_and_at_the_end(app, client):
    caller = start_loving_kindness(client)
    caller.answer("1")
    assert caller.where[0] == "paused"
    caller.answer(said="I want to hurt myself")
    assert_crisis(caller)
    other = Caller(client, "+15551230002").dial()
    other.answer("4")
    assert other.where[0] == "length"
    other.answer(said="kill myself")
    assert_crisis(other)


def test_crisis_is_never_a_miss(app, client):
    """Two answers not understood, then words of crisis: the call goes on to the crisis
    response (the third miss would have hung up), and its silence is not a miss either."""
    caller = Caller(client).dial()
    caller.answer(said="banana")
    caller.answer(said="pineapple")
    caller.answer(said="I wish I was dead")
    assert_crisis(caller) and not caller.ended
    caller.answer()  # silence: said once more
    assert_crisis(caller)
    caller.answer()  # silence again: a kind goodbye with the number
    assert caller.ended and caller.heard == ["crisis_goodbye"]


@pytest.mark.parametrize("how", [{"digits": "1"}, {"said": "yes please"},
                                 {"said": "connect me"}])
def test_connecting_keeps_the_callers_own_caller_id(app, client, how):
    caller = Caller(client).dial()
    caller.answer(said="I want to die")
    caller.answer(**how)
    number, attributes = dialled(caller)
    assert number == "988"
    assert "callerId" not in attributes, "the Lifeline routes by the caller's area code"
    assert attributes["action"] == f"{BASE}/phone/crisis-end"
    assert caller.heard[0] == "crisis_connecting"
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'compassion_crisis_responses_total{channel="phone",event="connected"} 1.0' in metrics


def test_a_withheld_caller_is_connected_with_the_hotlines_number(app, client):
    caller = Caller(client, "anonymous").dial()
    caller.answer(said="I want to kill myself")
    caller.answer("1")
    assert dialled(caller) == ("988", {"action": f"{BASE}/phone/crisis-end", "method": "POST",
                                       "timeout": "40", "callerId": HOTLINE})


def test_crisis_dial_setting_and_the_staff_support_line(app_config):
    app = create_app({**app_config, "CRISIS_DIAL": "+18002738255",
                      "SUPPORT_LINE": "+1 555 010 0199"})
    caller = Caller(app.test_client()).dial()
    caller.answer(said="I want to die")
    support = [s for s in caller.heard if "staff support line" in s]
    assert support and "5 5 5 0 1 0 0 1 9 9" in support[0]
    caller.answer("1")
    assert dialled(caller)[0] == "+18002738255"
    other = Caller(app.test_client(), "+15551230003").dial()
    other.answer(said="I want to die")
    other.answer("2")
    assert dialled(other)[0] == "+1 555 010 0199"


def test_when_the_dial_fails_or_ends_the_caller_hears_the_number_again(app, client):
    caller = Caller(client).dial()
    caller.answer(said="suicidal")
    caller.answer("1")
    caller.twiml = caller.post(f"{BASE}/phone/crisis-end", DialCallStatus="failed",
                               ErrorCode="13224")
    assert caller.heard == ["crisis_dial_failed"] and caller.where == ("crisis", {"r": "1"})
    caller.answer("1")  # try again
    assert dialled(caller)[0] == "988"
    caller.twiml = caller.post(f"{BASE}/phone/crisis-end", DialCallStatus="completed")
    assert caller.ended and caller.heard == ["crisis_goodbye"]


def test_star_goes_back_to_the_menu_and_no_ends_kindly(app, client):
    caller = Caller(client).dial()
    caller.answer(said="I want to die")
    caller.answer("*")
    assert caller.where[0] == "menu"
    other = Caller(client, "+15551230004").dial()
    other.answer(said="I want to die")
    other.answer(said="no thanks")
    assert other.ended and other.heard == ["crisis_goodbye"]


def test_a_recording_naming_another_line_is_replaced_by_say(app_config):
    app = create_app({**app_config, "CRISIS_LINE": "1 800 273 8255"})
    caller = Caller(app.test_client()).dial()
    caller.answer(said="I want to die")
    said = [s for s in caller.heard if "Lifeline" in s]
    assert said and "1 8 0 0 2 7 3 8 2 5 5" in said[0] and "9 8 8" not in said[0]


@pytest.mark.parametrize("said, practice_id", [
    ("my patient died", "the-pause"), ("I lost a patient today", "the-pause"),
    ("I'm dead tired", "reconnecting-when-numb"), ("burnt out", "reconnecting-when-numb"),
    ("I feel numb", "reconnecting-when-numb"),
    ("this shift is killing me, I'm overwhelmed", "grounding-when-overwhelmed"),
])
def test_hard_days_still_get_a_practice(app, client, said, practice_id):
    caller = Caller(client).dial()
    caller.answer(said=said)
    stage, query = caller.where
    assert stage in ("length", "play"), caller.heard
    assert query["p"] == practice_id


def test_nothing_about_the_crisis_is_stored(app, client):
    caller = Caller(client).dial()
    caller.answer(said="I want to die")
    caller.answer("1")
    caller.hang_up()
    assert rows(app, progress) == []
    assert app.extensions["store"].get_position(key()) is None
