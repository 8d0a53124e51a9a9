"""What every hotline webhook does first: check the signature, read the parameters, open the
call's state, and answer words of crisis before anything else."""

from __future__ import annotations

import logging

from flask import Response, current_app, request

from ..crisis import heard_crisis
from ..metrics import count_crisis
from . import scenes, security, state
from .scenes import Call, Place
from .state import CallState
from .voice import Voice

logger = logging.getLogger(__name__)


def verify() -> None:
    security.check_signature(current_app.extensions["settings"], request)


def open_call() -> tuple[Call, security.Webhook]:
    settings = current_app.extensions["settings"]
    catalog = current_app.extensions["catalog"].get()
    store = current_app.extensions["store"]
    hook = security.read_webhook(request)
    key = state.call_key(hook.call_sid)
    listener = state.caller_key(settings.SECRET_KEY, hook.caller)
    found = state.load(store, key) or CallState(listener_key=listener)
    voice = Voice(catalog, settings.audio_base_url, settings.CRISIS_LINE)
    return Call(settings, store, catalog, voice, key, found), hook


def xml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


def crisis_first(call: Call, hook: security.Webhook, place: Place | None = None
                 ) -> Response | None:
    """Words of crisis, at any prompt, come before menus and commands: the crisis response,
    never a practice (a practice that was playing keeps its place). None if there were none."""
    if not hook.said or not heard_crisis(call.catalog.crisis, [hook.said]):
        return None
    count_crisis("phone")
    logger.info("phone: crisis response given")
    return xml(scenes.crisis_scene(call, place))
