"""Help at the hotline's main menu (key 0) and forgetting a caller (7, then 1 to confirm):
signed webhooks walked like Twilio, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alexa_helpers import postgres_schema
from test_phone_calls import CALLER, Caller, key, rows

from voice_app import create_app
from voice_app.phone import menu
from voice_app.store import Position, history, progress

OTHER = "+15551230002"


@pytest.fixture
def app_config(app_config):
    """These calls walk the flow without the check-in (CHECKIN=off: the flow as it was);
    tests/test_phone_checkins.py walks it with the check-in."""
    return {**app_config, "CHECKIN": "off"}


@pytest.fixture(params=["sqlite", "postgresql"])
def phone_app(request, app_config):
    if request.param == "sqlite":
        yield create_app(app_config)
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        app = create_app({**app_config, "DATABASE_URL": url})
        yield app
        app.extensions["store"].dispose()


def keep_something(app, number: str = CALLER) -> None:
    store = app.extensions["store"]
    store.save_position(key(number), Position("loving-kindness", 5, "ab" * 32, 1000, 0,
                                              "stopped", "phone", 1))
    store.record_completion(key(number), "the-pause", 1, "phone",
                            datetime(2026, 11, 1, tzinfo=UTC))


def to_help(client, number: str = CALLER) -> Caller:
    caller = Caller(client, number).dial()
    if caller.where[0] == "resume":
        caller.answer("2")
    assert "menu_main_1" in caller.heard
    caller.answer("0")
    assert caller.where == ("help", {})
    return caller


def test_zero_at_the_menu_plays_help_that_names_crisis_line_privacy_and_forgetting(app):
    caller = to_help(app.test_client())
    assert caller.heard == ["menu_help"]
    catalog = app.extensions["catalog"].get()
    text = catalog.prompts["menu_help"].text
    assert "not a crisis line" in text and "call 9 8 8." in text
    assert "privacy" in text and "press seven" in text
    caller.answer("*")
    assert caller.heard == ["menu_main_1"]


def test_help_said_aloud_at_the_menu(app):
    caller = Caller(app.test_client()).dial().answer(said="help")
    assert caller.heard == ["menu_help"]


def test_forget_deletes_the_callers_place_and_history_only(phone_app):
    keep_something(phone_app)
    keep_something(phone_app, OTHER)
    caller = to_help(phone_app.test_client())
    caller.answer(menu.FORGET_KEY)
    assert caller.heard == ["forget_confirm"] and caller.where == ("forget", {})
    assert len(rows(phone_app, progress)) == 2
    caller.answer(menu.CONFIRM_KEY)
    assert caller.heard == ["forgotten", "menu_main_1"]
    assert caller.where == ("menu", {"menu": "main", "page": "1"})
    assert [r["listener_key"] for r in rows(phone_app, progress)] == [key(OTHER)]
    assert [r["listener_key"] for r in rows(phone_app, history)] == [key(OTHER)]
    caller.answer("0").answer(menu.FORGET_KEY).answer(said="yes")
    assert caller.heard == ["forget_nothing_saved", "menu_main_1"]


@pytest.mark.parametrize("answer", [{"digits": "*"}, {"digits": "2"}, {"digits": ""},
                                    {"said": "no, keep them"}])
def test_anything_but_a_clear_yes_keeps_everything(app, answer):
    keep_something(app)
    caller = to_help(app.test_client())
    caller.answer(menu.FORGET_KEY).answer(**answer)
    assert caller.heard == ["forget_kept", "menu_main_1"]
    assert len(rows(app, progress)) == 1 and len(rows(app, history)) == 1


def test_a_withheld_number_hears_that_nothing_is_kept(app):
    caller = to_help(app.test_client(), number="anonymous")
    caller.answer(menu.FORGET_KEY)
    assert caller.heard == ["forget_withheld", "menu_main_1"]
    assert rows(app, progress) == [] and rows(app, history) == []


def test_a_confirmation_outside_the_question_deletes_nothing(app):
    """Key 1 posted to the forget action when the call was not asked (a replayed or stale
    Gather) goes back to the menu and deletes nothing."""
    keep_something(app)
    caller = Caller(app.test_client()).dial()
    assert caller.where == ("menu", {"menu": "main", "page": "1"})
    caller.twiml = caller.post("https://compassion.example.test/phone/forget", Digits="1")
    assert caller.heard == ["forget_kept", "menu_main_1"]
    assert len(rows(app, progress)) == 1


def test_three_unknown_answers_at_the_help_end_the_call_kindly(app):
    caller = to_help(app.test_client())
    caller.answer("5").answer("5")
    assert caller.heard == ["not_understood", "menu_help"]
    caller.answer("5")
    assert caller.ended


def test_zero_is_help_only_on_the_main_menu(app):
    caller = Caller(app.test_client()).dial().answer("9")
    caller.answer("0")
    assert "menu_help" not in caller.heard


def test_help_names_another_configured_crisis_line_with_say(app_config):
    app = create_app({**app_config, "CRISIS_LINE": "116 123"})
    caller = to_help(app.test_client())
    (said,) = [v.text for v in caller.twiml.iter("Say")]
    assert "hang up and call 1 1 6 1 2 3." in said and "press seven" in said


def test_forget_by_voice(app):
    keep_something(app)
    caller = to_help(app.test_client())
    caller.answer(said="delete my data")
    assert caller.heard == ["forget_confirm"]
    caller.answer(said="yes please")
    assert caller.heard == ["forgotten", "menu_main_1"]
    assert rows(app, progress) == [] and rows(app, history) == []
