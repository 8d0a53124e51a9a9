"""The help at the first menu, and forgetting a caller: everything kept under their key is
deleted after a clear yes, asked in this call."""

from __future__ import annotations

from flask import Response

from . import menu, scenes
from .webhook import crisis_first, open_call, xml


def help_() -> Response:
    """The answer to the help at the first menu: 7 to forget, star for the menu."""
    call, hook = open_call()
    if (reply := crisis_first(call, hook)) is not None:
        return reply
    command = menu.answer_help(call.catalog.library, call.voice.language, hook.digits,
                              hook.said)
    if command == "forget":
        return xml(scenes.forget_scene(call))
    if command == "help":
        return xml(scenes.help_scene(call))
    if command == "menu":
        return xml(scenes.menu_scene(call))
    ended = scenes.out_of_tries(call)
    return xml(ended or scenes.help_scene(call, sorry=True, misses=call.state.misses + 1))


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
