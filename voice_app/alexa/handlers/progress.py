""""How much have I practised this week?": completions over the last seven days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from .. import questions, responses
from ..services import services, talk
from .base import Handler

WEEK = timedelta(days=7)


class Progress(Handler):
    intents = frozenset({"ProgressIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        found = services(handler_input)
        now = datetime.fromtimestamp(found.event_ms / 1000, UTC)
        done = found.store.completions_since(found.listener_key, now - WEEK)
        total = sum(c.minutes for c in done)
        questions.ask_about(handler_input, questions.ANOTHER)
        speech = talk(handler_input)
        return responses.ask(handler_input, speech.progress(len(done), total),
                             speech.text("another_reprompt"))
