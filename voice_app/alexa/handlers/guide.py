"""Finding the way: help (which says this is not a crisis service), fallback, home, yes and no."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from .. import questions, responses
from ..listening import play_and_save, resume_cue
from ..services import services, talk
from . import forget, practice
from .base import Handler


class Help(Handler):
    intents = frozenset({"AMAZON.HelpIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        found = services(handler_input)
        first = found.catalog.get(found.catalog.library.first)
        return responses.ask(handler_input, talk(handler_input).help_text(
            found.settings.CRISIS_LINE, first.title if first else ""))


class Fallback(Handler):
    intents = frozenset({"AMAZON.FallbackIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        crisis_line = services(handler_input).settings.CRISIS_LINE
        return responses.ask(handler_input, talk(handler_input).fallback(crisis_line))


class NavigateHome(Handler):
    """Leaving for the home screen: end quietly."""

    intents = frozenset({"AMAZON.NavigateHomeIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.set_should_end_session(True).response


class Yes(Handler):
    """"Yes" answers the question the last answer asked (see `questions`); with nothing asked,
    it asks what to do."""

    intents = frozenset({"AMAZON.YesIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        question = questions.asked(handler_input)
        if question == questions.RESUME:
            cue = resume_cue(handler_input)
            if cue is not None:
                return play_and_save(handler_input, cue)
        if question == questions.ANOTHER:
            return practice.play_suggestion(handler_input)
        if question == questions.FORGET:
            return forget.forget(handler_input)
        if question == questions.MORE:
            return practice.list_page(handler_input, more=True)
        return responses.ask(handler_input, talk(handler_input).text("ask_what_next"))


class No(Handler):
    """"No" declines the question asked: another practice (goodbye), deleting (kept), the
    rest of the list or a resume (what next)."""

    intents = frozenset({"AMAZON.NoIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        question = questions.asked(handler_input)
        if question == questions.ANOTHER:
            return responses.tell(handler_input, talk(handler_input).text("no_more_now"))
        if question == questions.FORGET:
            return responses.ask(handler_input, talk(handler_input).text("forget_kept"))
        return responses.ask(handler_input, talk(handler_input).text("no"))
