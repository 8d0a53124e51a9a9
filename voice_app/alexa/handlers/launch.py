"""Opening the skill: a short welcome, or an offer to pick up an unfinished practice.

What this device's player says wins while it is playing or paused one of our streams (the
context has no timestamp to weigh against the store, and it is what the listener hears);
otherwise the saved position, newest across devices.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from .. import questions, responses, speech
from ..listening import live_cue, saved_position
from ..services import player_state, services
from .base import Handler


class Launch(Handler):
    request_types = frozenset({"LaunchRequest"})

    def handle(self, handler_input: HandlerInput) -> Response:
        live = live_cue(handler_input)
        if live is not None:
            questions.ask_about(handler_input, questions.RESUME)
            say = speech.welcome_playing if player_state(handler_input).activity == "PLAYING" \
                else speech.welcome_back
            return responses.ask(handler_input, say(live.practice.title, live.offset_ms),
                                 speech.resume_reprompt())
        position = saved_position(handler_input)
        practice = services(handler_input).catalog.get(position.practice_id) \
            if position else None
        if position is None or practice is None:
            return responses.ask(handler_input, speech.welcome())
        questions.ask_about(handler_input, questions.RESUME)
        return responses.ask(handler_input,
                             speech.welcome_back(practice.title, position.offset_ms),
                             speech.resume_reprompt())
