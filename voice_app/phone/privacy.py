"""The help at the first menu, and forgetting a caller: everything kept under their key is
deleted after a clear yes, asked in this call."""

from __future__ import annotations

from flask import Response

from ..checkins import checkin_choice
from . import menu, scenes
from .scenes import Call
from .webhook import crisis_first, open_call, xml


def help_() -> Response:
    """The answer to the help at the first menu: 7 to forget, star for the menu; with
    check-ins on, 5 turns them off (or on again) and 6 says the last week's change."""
    call, hook = open_call()
    if (reply := crisis_first(call, hook)) is not None:
        return reply
    language = call.voice.language
    if call.asks_checkins and hook.said and not hook.digits:
        choice = checkin_choice(language, hook.said)
        if choice is not None:
            return xml(_checkins_turned(call, choice))
    command = menu.answer_help(call.catalog.library, language, hook.digits, hook.said,
                              checkins=call.asks_checkins)
    if command == "checkins":
        return xml(_checkins_turned(call, not call.checkins.should_ask(
            call.state.listener_key, 5)))
    if command == "week":
        text = language.checkin.week(call.checkins.week_change(call.state.listener_key))
        return xml(scenes.menu_scene(call, lead=[scenes.checkin_said(call, "week", text)]))
    if command == "forget":
        return xml(scenes.forget_scene(call))
    if command == "help":
        return xml(scenes.help_scene(call))
    if command == "menu":
        return xml(scenes.menu_scene(call))
    ended = scenes.out_of_tries(call)
    return xml(ended or scenes.help_scene(call, sorry=True, misses=call.state.misses + 1))


def _checkins_turned(call: Call, on: bool) -> str:
    """Turn the caller's check-ins on or off, say so, and back to the menu."""
    call.checkins.set_choice(call.state.listener_key, on)
    name = "turned_on" if on else "turned_off"
    text = call.voice.language.checkin.texts[name]
    return scenes.menu_scene(call, lead=[scenes.checkin_said(call, name, text)])


def forget() -> Response:
    """The answer to 'delete your saved place and history?': only a clear yes, asked in this
    call, deletes."""
    call, hook = open_call()
    if (reply := crisis_first(call, hook)) is not None:
        return reply
    if call.state.stage == "forget" and menu.answer_forget(call.voice.language, hook.digits,
                                                           hook.said):
        return xml(scenes.forgotten_scene(call))
    return xml(scenes.menu_scene(call, lead=[call.voice.prompt("forget_kept")]))
