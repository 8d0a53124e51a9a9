""""Forget me": delete everything kept under this listener's key, after a yes.

The question is asked first ("Shall I delete them?"); the Yes handler calls `forget` when
that was the question, and No keeps everything.
"""

from __future__ import annotations

import logging

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from .. import questions, responses
from ..services import services, talk
from .base import Handler

logger = logging.getLogger(__name__)


class ForgetMe(Handler):
    intents = frozenset({"ForgetMeIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        questions.ask_about(handler_input, questions.FORGET)
        speech = talk(handler_input)
        return responses.ask(handler_input, speech.text("forget_question"),
                             speech.text("forget_reprompt"))


def forget(handler_input: HandlerInput) -> Response:
    """Delete this listener's place and history, and say so."""
    found = services(handler_input)
    rows = found.store.forget(found.listener_key)
    logger.info("forgot a listener on request: %d rows deleted", rows)
    return responses.tell(handler_input, talk(handler_input).forgotten(rows))
