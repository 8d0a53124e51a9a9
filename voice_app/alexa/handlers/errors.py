"""The one catch-all: a spoken apology in a conversation, silence where speech is not allowed.

A database outage is expected weather, not a bug: it gets "try again in a moment" and no
traceback. A request no handler owns (an intent missing from our list) gets the fallback.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_runtime.exceptions import DispatchException

from ...store import StoreUnavailable
from .. import responses
from ..services import request_type, talk
from .base import must_be_silent

logger = logging.getLogger(__name__)


class Apology(AbstractExceptionHandler):
    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        kind = request_type(handler_input)
        if isinstance(exception, StoreUnavailable):
            logger.warning("store unavailable while handling %s", kind)
        elif isinstance(exception, DispatchException):
            logger.warning("no handler for %s", _describe(handler_input))
        else:
            logger.exception("error while handling %s", _describe(handler_input))
        if must_be_silent(kind):
            return responses.silent(handler_input)
        if isinstance(exception, StoreUnavailable):
            return responses.tell(handler_input, talk(handler_input).text("trouble"))
        if isinstance(exception, DispatchException):
            return responses.ask(handler_input, talk(handler_input).text("fallback"))
        return responses.tell(handler_input, talk(handler_input).text("apology"))


def _describe(handler_input: HandlerInput) -> str:
    request = handler_input.request_envelope.request
    intent = getattr(getattr(request, "intent", None), "name", None)
    return f"{request.object_type} {intent}" if intent else str(request.object_type)
