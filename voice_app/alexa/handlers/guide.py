"""Finding the way: help (which says this is not a crisis service), fallback, home, yes and no."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from .. import responses, speech
from ..listening import play_and_save, resume_cue
from ..services import services, session_get, session_set
from .base import Handler


class Help(Handler):
    intents = frozenset({"AMAZON.HelpIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        crisis_line = services(handler_input).settings.CRISIS_LINE
        return responses.ask(handler_input, speech.help_text(crisis_line))


class Fallback(Handler):
    intents = frozenset({"AMAZON.FallbackIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        crisis_line = services(handler_input).settings.CRISIS_LINE
        return responses.ask(handler_input, speech.fallback(crisis_line))


class NavigateHome(Handler):
    """Leaving for the home screen: end quietly."""

    intents = frozenset({"AMAZON.NavigateHomeIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.set_should_end_session(True).response


class Yes(Handler):
    """"Yes" accepts the open offer (resuming a paused practice); otherwise asks what to do."""

    intents = frozenset({"AMAZON.YesIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        if session_get(handler_input, "offer") == "resume":
            session_set(handler_input, offer=None)
            cue = resume_cue(handler_input)
            if cue is not None:
                return play_and_save(handler_input, cue)
        return responses.ask(handler_input, speech.ASK_WHAT_NEXT)


class No(Handler):
    intents = frozenset({"AMAZON.NoIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        session_set(handler_input, offer=None)
        return responses.ask(handler_input, speech.NO)
