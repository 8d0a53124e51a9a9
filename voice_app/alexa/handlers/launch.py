"""Opening the skill: a short welcome, or an offer to pick up an unfinished practice."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from .. import responses, speech
from ..listening import saved_position
from ..services import services, session_set
from .base import Handler


class Launch(Handler):
    request_types = frozenset({"LaunchRequest"})

    def handle(self, handler_input: HandlerInput) -> Response:
        position = saved_position(handler_input)
        practice = services(handler_input).catalog.get(position.practice_id) \
            if position else None
        if position is None or practice is None:
            return responses.ask(handler_input, speech.welcome())
        session_set(handler_input, offer="resume")
        return responses.ask(handler_input,
                             speech.welcome_back(practice.title, position.offset_ms),
                             speech.resume_reprompt())
