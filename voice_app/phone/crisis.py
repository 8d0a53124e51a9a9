"""The crisis response's webhooks: connecting a caller in crisis to the crisis line (or the
staff-support line), and what they hear when that call ends or fails. The response itself is
`scenes.crisis_scene`, reached from any prompt through `webhook.crisis_first`."""

from __future__ import annotations

import logging

from flask import Response, request

from ..crisis import heard_crisis
from ..metrics import count_crisis
from . import scenes, security, speech, twiml
from .webhook import open_call, xml

logger = logging.getLogger(__name__)


def crisis() -> Response:
    """The answer to the crisis response: connect (1 or yes), the staff-support line (2, when
    there is one), the menu (*), or nothing: said once more, then a kind goodbye."""
    call, hook = open_call()
    settings = call.settings
    round_ = security.query_int(request, "r", 0, scenes.CRISIS_ROUNDS)
    language = call.voice.language
    if hook.digits == "1" or (not hook.digits and speech.said_word(language, hook.said, "connect")
                              and not speech.said_word(language, hook.said, "no")):
        count_crisis("phone", "connected")
        number, prompt = crisis_dial(call)
        return xml(scenes.crisis_dial_scene(call, number, hook.caller, hook.called, prompt))
    if hook.digits == "2" and settings.SUPPORT_LINE:
        count_crisis("phone", "connected-support")
        return xml(scenes.crisis_dial_scene(call, settings.SUPPORT_LINE, hook.caller,
                                            hook.called))
    if hook.digits == call.catalog.library.keys.get("back"):
        return xml(scenes.menu_scene(call))
    if heard_crisis(call.catalog.crisis, [hook.said]):
        return xml(scenes.crisis_scene(call, round_=round_))
    if hook.digits or hook.said or round_ + 1 >= scenes.CRISIS_ROUNDS:
        return xml(scenes.crisis_goodbye_scene(call))
    return xml(scenes.crisis_scene(call, round_=round_ + 1))


def crisis_dial(call: scenes.Call) -> tuple[str, str]:
    """The number a caller in crisis is put through to, and what they hear first: the
    language's own line when the deployment has one (CRISIS_LINE_ES); otherwise CRISIS_DIAL,
    and, for a language the main line serves through an option (988: press 2 for Spanish), a
    recording that tells them so."""
    if call.voice.own_line:
        return call.voice.own_line, "crisis_connecting"
    via = call.voice.language.crisis_via != "{line}"
    return call.settings.CRISIS_DIAL, "crisis_connecting_via" \
        if via and call.voice.has("crisis_connecting_via") else "crisis_connecting"


def crisis_end() -> Response:
    """`<Dial>` ended: after a call that went through, the number once more and goodbye; after
    one that did not (busy, no answer, failed: Twilio error 13224 for a number it cannot dial),
    how to reach the line themselves, and a key to try again."""
    call, hook = open_call()
    if hook.dial_status in ("completed", "answered"):
        return xml(scenes.crisis_goodbye_scene(call))
    logger.warning("phone: the crisis line call did not go through (%s)",
                   hook.dial_status or "no status")
    call.save(call.state.with_(stage="crisis", misses=0))
    return xml(call.gather([call.voice.prompt("crisis_dial_failed")],
                           twiml.Listen(action=call.url("crisis", r=1),
                                        hints=call.hints("hints_crisis_again"))))
