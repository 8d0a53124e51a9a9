"""The check-in on the phone (issue 14), walked as Twilio would: one key 1-5 after the length is
chosen and before the first segment, `#` or silence goes on, the answer said back, a 5 met once
with the support lines, the same question after the last segment and before goodbye; the help's
keys turn check-ins off and on (5) and say the last week's change (6). Every practice started is
a row of `sessions`, asked or not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alexa_helpers import postgres_schema
from test_phone_calls import BASE, CALLER, TOKEN, Caller, key, rows
from twilio.request_validator import RequestValidator

from voice_app import create_app
from voice_app.store import now, sessions

QUESTION_EN = ("Right now, how stressed do you feel? One, not at all; two, a little; three, "
               "moderately; four, quite a bit; five, extremely.")


@pytest.fixture
def app_config(app_config):
    return {**app_config, "CHECKIN": "optional", "SUPPORT_LINE": "+1 555 010 0199"}


def said(caller: Caller) -> list[str]:
    """The check-in's sentences the caller hears, recorded (their text) or `<Say>`."""
    catalog = caller.client.application.extensions["catalog"].get()
    texts = {f"{BASE}/audio/{p.file}": p.text for code in catalog.languages
             for name, p in catalog.in_language(code).prompts.items()
             if name.startswith("checkin_") and name not in ("checkin_before", "checkin_after")}
    return [verb.text if verb.tag == "Say" else texts[verb.text]
            for verb in caller.twiml.iter() if verb.tag == "Say" or verb.text in texts]


def recorded(caller: Caller) -> list[str]:
    return [name for name in caller.heard if name.startswith("checkin_")]


def at_the_menu(client, number: str = CALLER) -> Caller:
    caller = Caller(client, number).dial()
    if caller.where[0] == "resume":
        caller.answer("2")
    return caller


def to_the_question(client, number: str = CALLER, minutes: str = "5") -> Caller:
    return at_the_menu(client, number).answer("4").answer(minutes)


def play_to_the_end(caller: Caller) -> Caller:
    while caller.where[0] == "play":
        caller.answer()
    return caller


def session_rows(app) -> list[dict]:
    return [dict(r) for r in rows(app, sessions)]


def test_before_and_after_on_a_first_practice(app, client):
    caller = to_the_question(client)
    assert caller.where == ("checkin", {"p": "loving-kindness", "m": "5"})
    assert caller.heard == ["checkin_before"]  # recorded: its text is the checkin: section's
    question = app.extensions["catalog"].get().prompts["checkin_before"].text
    assert question.endswith(QUESTION_EN)
    g = caller.twiml.find("Gather")
    assert g.get("numDigits") == "1" and g.get("finishOnKey") == ""  # '#' arrives as a key
    assert "quite a bit" in g.get("hints") and "skip" in g.get("hints")
    assert app.extensions["store"].get_position(key()) is None  # nothing moved yet
    assert session_rows(app) == []

    caller.answer("3")
    assert said(caller) == ["Moderately. Thank you."]
    assert recorded(caller) == ["checkin_said_back_3"]  # recorded, not <Say>
    assert caller.heard[1] == "starting" and caller.where[0] == "play" and caller.segment == 0
    [row] = session_rows(app)
    assert (row["channel"], row["practice_id"], row["minutes"], row["language"], row["asked"],
            row["before"], row["after"]) == ("phone", "loving-kindness", 5, "en", True, 3, None)

    play_to_the_end(caller)
    assert caller.where[0] == "after" and caller.heard == ["checkin_after"]
    assert app.extensions["store"].get_position(key()) is None  # done: the place is cleared
    caller.answer("2")
    assert said(caller) == ["A little. Thank you."] and caller.heard[-1] == "practice_done"
    [row] = session_rows(app)
    assert (row["before"], row["after"], row["after_delay_s"]) == (3, 2, 0)
    assert row["finished_at"] is not None
    caller.answer()
    assert caller.ended and caller.heard == ["goodbye"]


def test_hash_skips_the_question_and_no_after_question_follows(app, client):
    caller = to_the_question(client).answer("#")
    assert said(caller) == ["All right, no question this time."]
    assert caller.where == ("play", {"p": "loving-kindness", "m": "5", "s": "0"})
    play_to_the_end(caller)
    assert caller.heard == ["practice_done"]  # a skipped before is not followed by an after
    [row] = session_rows(app)
    assert (row["asked"], row["before"], row["after"], row["after_declined"]) == (
        True, None, None, False)
    assert row["finished_at"] is not None
    # Skipping the first offer is a "no, thanks": the next practice is not asked.
    again = to_the_question(client)
    assert again.where[0] == "play" and again.heard[0] == "starting"
    assert [r["asked"] for r in session_rows(app)] == [True, False]


def test_silence_goes_on_to_the_practice_at_once(app, client):
    caller = to_the_question(client).answer()
    assert said(caller) == [] and caller.heard[0] == "starting" and caller.segment == 0
    [row] = session_rows(app)
    assert row["asked"] and row["before"] is None


def test_a_skipped_or_silent_after_question_closes_it(app, client):
    caller = play_to_the_end(to_the_question(client).answer(said="quite a bit"))
    assert said(caller) == [] and caller.where[0] == "after"
    caller.answer()  # silence
    assert caller.heard == ["practice_done"] and caller.where[0] == "done"
    [row] = session_rows(app)
    assert (row["before"], row["after"], row["after_declined"]) == (4, None, True)


def test_a_five_is_met_once_with_care_and_the_practice_goes_on(app, client):
    caller = to_the_question(client).answer("5")
    texts = said(caller)
    assert texts[0] == "Extremely. Thank you."
    assert "1 5 5 5 0 1 0 0 1 9 9" in texts[1] and "9 8 8" in texts[1]
    assert caller.twiml.find("Gather/Say").text == texts[1]  # a configured line: said
    assert caller.heard[2] == "starting" and caller.segment == 0
    play_to_the_end(caller)
    caller.answer("5")
    assert said(caller) == ["Extremely. Thank you."]  # not said twice in a call
    assert caller.heard[-1] == "practice_done"
    [row] = session_rows(app)
    assert (row["before"], row["after"]) == (5, 5)
    assert texts[1].endswith("The practice is here for you now.")


def test_a_five_only_after_the_practice_is_met_with_care_that_knows_it_is_over(app, client):
    caller = to_the_question(client).answer("3")
    play_to_the_end(caller)
    caller.answer("5")
    texts = said(caller)
    assert texts[0] == "Extremely. Thank you." and "9 8 8" in texts[1]
    assert "practice is here for you" not in texts[1]
    assert caller.heard[-1] == "practice_done"


def test_a_five_without_a_support_line_names_the_crisis_line(app_config):
    app = create_app({**app_config, "SUPPORT_LINE": ""})
    caller = to_the_question(app.test_client()).answer(said="extremely")
    texts = said(caller)
    assert texts[0] == "Extremely. Thank you." and "9 8 8" in texts[1]
    assert "staff support" not in texts[1]


def test_an_answer_is_taken_once(app, client):
    caller = to_the_question(client)
    url = caller.twiml.find("Gather").get("action")
    caller.answer("3")
    again = Caller(client)
    again.sid = caller.sid
    again.twiml = again.post(url, Digits="4")  # the provider repeats the request
    assert again.where[0] == "play" and again.segment == 0
    assert [(r["before"]) for r in session_rows(app)] == [3]


def test_the_help_turns_check_ins_off_and_on(app, client):
    caller = Caller(client).dial().answer("0")
    assert caller.heard == ["menu_help", "help_checkin"]
    caller.answer("5")
    assert said(caller) == ["All right, I will not ask how you feel any more. You can turn it "
                            "back on any time."]
    assert caller.heard[-1] == "menu_main_1"
    checkins = app.extensions["checkins"]
    assert checkins.choice(key()) == "off"
    caller.answer("4").answer("5")
    assert caller.where[0] == "play"  # not asked

    other = at_the_menu(client).answer("0").answer("5")
    assert said(other) == ["All right, I will ask how you feel before and after each practice."]
    assert checkins.choice(key()) == "on"
    other.answer("1")  # a one-minute practice: asked now that the caller turned it on
    assert other.where == ("checkin", {"p": "between-patients", "m": "1"})


def test_saying_stop_asking_at_the_question_turns_it_off(app, client):
    caller = to_the_question(client).answer(said="stop asking how I feel")
    assert said(caller)[0].startswith("All right, I will not ask")
    assert caller.where[0] == "play" and caller.segment == 0
    assert app.extensions["checkins"].choice(key()) == "off"
    play_to_the_end(caller)
    assert caller.heard == ["practice_done"]


def test_the_help_says_the_last_weeks_change(app, client):
    checkins = app.extensions["checkins"]
    week = app.extensions["catalog"].get().library.language("en").checkin
    caller = Caller(client).dial().answer("0").answer("6")
    assert said(caller) == [week.week(None)] and caller.heard[-1] == "menu_main_1"
    for before, after in ((4, 2), (3, 2)):
        started = now() - timedelta(days=2)
        session = checkins.begin(key(), "phone", "loving-kindness", 5, "en", before=before,
                                 at=started)
        checkins.record_after(key(), session, after, at=started + timedelta(minutes=6))
    caller.answer("0").answer("6")
    assert said(caller) == [week.week(checkins.week_change(key()))]
    assert "1.5 points lower" in said(caller)[0]


def test_one_minute_practices_are_not_asked_unless_turned_on(app, client):
    caller = Caller(client).dial().answer("1")
    assert caller.where == ("play", {"p": "between-patients", "m": "1", "s": "0"})
    [row] = session_rows(app)
    assert (row["asked"], row["minutes"]) == (False, 1)


def test_a_withheld_number_is_never_asked_and_nothing_is_kept(app, client):
    caller = to_the_question(client, number="anonymous")
    assert caller.where[0] == "play"
    assert session_rows(app) == []
    assert Caller(client, "anonymous").dial().answer("0").heard == ["menu_help"]


def test_check_in_off_is_the_flow_as_it_was(app_config):
    app = create_app({**app_config, "CHECKIN": "off"})
    client = app.test_client()
    caller = to_the_question(client)
    assert caller.heard[0] == "starting" and caller.segment == 0 and said(caller) == []
    play_to_the_end(caller)
    assert caller.heard == ["practice_done"]
    help_ = Caller(client).dial().answer("0")
    assert help_.heard == ["menu_help"]
    help_.answer("5")
    assert help_.heard == ["not_understood", "menu_help"]
    [row] = session_rows(app)  # the practice itself is still counted
    assert (row["asked"], row["before"], row["finished_at"] is not None) == (False, None, True)


def test_the_check_in_never_moves_a_saved_place(app, client):
    first = to_the_question(client).answer("#").answer().answer()
    first.hang_up()
    store = app.extensions["store"]
    saved = store.get_position(key())
    assert (saved.practice_id, saved.status) == ("loving-kindness", "stopped")
    caller = Caller(client).dial().answer("2")  # not now: the menu
    app.extensions["checkins"].set_choice(key(), True)
    caller.answer("2").answer("3")
    assert caller.where == ("checkin", {"p": "grounding-when-overwhelmed", "m": "3"})
    assert store.get_position(key()) == saved
    caller.hang_up()  # hung up at the question: the old place stays
    assert store.get_position(key()) == saved
    again = Caller(client).dial()
    assert again.where[0] == "resume"


def test_a_call_back_finishes_the_same_session_and_asks_after(app, client):
    caller = to_the_question(client).answer("4").answer().answer()
    caller.hang_up()
    again = Caller(client).dial().answer("1")
    assert again.where[0] == "play" and again.segment == 2
    play_to_the_end(again)
    assert again.where[0] == "after"
    again.answer("3")
    [row] = session_rows(app)
    assert (row["before"], row["after"]) == (4, 3)


def test_crisis_words_at_the_question_get_the_crisis_line(app, client):
    caller = to_the_question(client).answer(said="I want to kill myself")
    assert caller.heard[0] == "crisis"
    assert session_rows(app) == [] and app.extensions["store"].get_position(key()) is None


def test_the_question_in_spanish(app, client):
    caller = Caller(client).dial().answer("8").answer("4").answer("5")
    assert caller.where == ("checkin", {"p": "loving-kindness", "m": "5", "lang": "es"})
    spanish = app.extensions["catalog"].get().in_language("es").prompts["checkin_before"]
    assert caller.twiml.find("Gather/Play").text.endswith(spanish.file)
    assert caller.twiml.find("Gather").get("language") == "es-US"
    assert "bastante" in caller.twiml.find("Gather").get("hints")
    caller.answer(said="bastante")
    assert said(caller) == ["Bastante. Gracias."] and recorded(caller) == ["checkin_said_back_4"]
    caller.answer("5")  # a key during the practice is a command, not an answer
    assert caller.where[0] == "play"
    play_to_the_end(caller)
    assert caller.where == ("after", {"lang": "es"})
    caller.answer("5")
    texts = said(caller)
    assert texts[0] == "Muchísimo. Gracias." and "oprime el 2 para español" in texts[1]
    say = caller.twiml.find("Gather/Say")  # the support lines are said, in a Spanish voice
    assert say.get("voice") == "Polly.Lupe-Neural" and say.get("language") == "es-US"
    [row] = session_rows(app)
    assert (row["language"], row["before"], row["after"]) == ("es", 4, 5)


@pytest.mark.parametrize("path", ["/phone/checkin?p=loving-kindness&m=five",
                                  "/phone/checkin?p=../x&m=5",
                                  "/phone/checkin?p=loving-kindness&m=5&lang=XX"])
def test_malformed_check_in_urls_are_400_and_nothing_is_stored(app, client, path):
    form = {"CallSid": "CA" + "f" * 32, "From": CALLER, "Digits": "3"}
    signature = RequestValidator(TOKEN).compute_signature(f"{BASE}{path}", form)
    response = client.post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 400
    assert session_rows(app) == []


def test_an_unsigned_answer_is_refused_and_stores_nothing(app, client):
    caller = to_the_question(client)
    path = caller.twiml.find("Gather").get("action").removeprefix(BASE)
    response = client.post(path, data={"CallSid": caller.sid, "From": CALLER, "Digits": "3"},
                           headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"})
    assert response.status_code == 403
    assert session_rows(app) == []
    caller.answer("2")
    assert [r["before"] for r in session_rows(app)] == [2]


def test_a_reworded_question_is_said_not_played_from_a_stale_recording(app):
    from voice_app.phone.scenes import voice_for

    settings = app.extensions["settings"]
    catalog = app.extensions["catalog"].get()
    for code in ("en", "es"):
        voice = voice_for(settings, catalog, code)
        words = voice.language.checkin
        assert voice.say("checkin_before", words.question()).url  # the recording says it
        assert voice.say("checkin_after", words.question(after=True)).url
        assert all(voice.say(f"checkin_said_back_{n}", words.said_back(n)).url
                   for n in range(1, 6))
        reworded = voice.say("checkin_before", "Right now, how tense are you? One, ...")
        assert reworded.url is None and reworded.text.startswith("Right now, how tense")


def test_a_whole_check_in_call_on_postgresql(app_config, postgres_url):
    with postgres_schema(postgres_url) as url:
        app = create_app({**app_config, "DATABASE_URL": url})
        try:
            client = app.test_client()
            caller = play_to_the_end(to_the_question(client).answer("4"))
            caller.answer("2")
            assert said(caller) == ["A little. Thank you."]
            again = to_the_question(client).answer("#")  # answered once: asked again
            assert said(again) == ["All right, no question this time."]
            turned = at_the_menu(client).answer("0").answer("5")
            assert app.extensions["checkins"].choice(key()) == "off"
            turned.answer("0").answer("6")
            assert "2 points lower" in said(turned)[0]
            assert [(r["before"], r["after"]) for r in sorted(
                session_rows(app), key=lambda r: r["id"])] == [(4, 2), (None, None)]
        finally:
            app.extensions["store"].dispose()
