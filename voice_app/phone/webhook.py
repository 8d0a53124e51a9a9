"""What every hotline webhook does first: check the signature, read the parameters, open the
call's state, and answer words of crisis before anything else."""

from __future__ import annotations

import logging

from flask import Response, current_app, request

from ..crisis import heard_crisis
from ..library import DEFAULT_LANGUAGE
from ..metrics import count_crisis
from . import scenes, security, state
from .scenes import Call, Place, voice_for
from .state import CallState

logger = logging.getLogger(__name__)

LANG = r"^[a-z]{2,3}$"
"""A language code in a webhook URL (`?lang=es`); anything else is refused with 400."""


def verify() -> None:
    security.check_signature(current_app.extensions["settings"], request)


def open_call(*, incoming: bool = False) -> tuple[Call, security.Webhook]:
    """The call this webhook belongs to, in its language: the `lang` of the URL (the number's
    own webhook, `?lang=es`, or an action URL of a call in that language), else the call's
    state, else (a new call) the language the caller chose last time; English when that
    language has no practices built."""
    settings = current_app.extensions["settings"]
    catalog = current_app.extensions["catalog"].get()
    store = current_app.extensions["store"]
    hook = security.read_webhook(request)
    asked = security.query_word(request, "lang", LANG) if "lang" in request.args else None
    key = state.call_key(hook.call_sid)
    listener = state.caller_key(settings.SECRET_KEY, hook.caller)
    found = state.load(store, key)
    if found is None or incoming:  # a new call starts afresh
        found = CallState(listener_key=listener)
    code = asked or (found.language if not incoming else None)
    if code is None and listener:
        code = store.get_preferences(listener).language
    code = code if code in catalog.languages else DEFAULT_LANGUAGE
    if asked and asked != code:
        logger.warning("phone: lang=%s has no practices built; English", asked)
    found = found.with_(language=code)
    call = Call(settings, store, catalog.in_language(code), voice_for(settings, catalog, code),
                key, found, current_app.extensions.get("checkins"))
    return call, hook


def xml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


def crisis_first(call: Call, hook: security.Webhook, place: Place | None = None
                 ) -> Response | None:
    """Words of crisis, at any prompt, come before menus and commands: the crisis response,
    never a practice (a practice that was playing keeps its place). None if there were none.

    A caller who has not left the English call and says words of crisis in another language
    (only in it: "quiero morirme") is answered in that language, with its way to the line."""
    if not hook.said or not heard_crisis(call.catalog.crisis, [hook.said]):
        return None
    count_crisis("phone")
    logger.info("phone: crisis response given")
    heard_in = [code for code, lexicon in call.catalog.crisis.items()
                if lexicon.matches(hook.said)]
    if call.language == DEFAULT_LANGUAGE and DEFAULT_LANGUAGE not in heard_in:
        spoken = next((code for code in heard_in if code in call.catalog.languages), None)
        call = call.speaking(spoken) if spoken else call
    return xml(scenes.crisis_scene(call, place))
