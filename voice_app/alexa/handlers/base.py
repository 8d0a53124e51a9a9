"""The handler base: each handler declares the intents and request types it owns.

Dispatch is by declaration, not by list order: `can_handle` answers from `intents` (for
IntentRequests) and `request_types` (for everything else), and a test proves no two handlers
claim the same name. One rule comes before declarations: a request carrying words of crisis,
or answering the crisis response's question, belongs to the crisis handler alone
(`handlers/crisis.py`), whatever intent Alexa matched; after it, an answer to the check-in
question belongs to the check-in handler alone (`handlers/checkin.py`).
"""

from __future__ import annotations

from typing import ClassVar

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput

from ..questions import in_checkin, in_crisis

INTENT_REQUEST = "IntentRequest"


class Handler(AbstractRequestHandler):
    intents: ClassVar[frozenset[str]] = frozenset()
    """Intent names this handler owns."""
    request_types: ClassVar[frozenset[str]] = frozenset()
    """Request types (other than IntentRequest) this handler owns."""

    answers_crisis: ClassVar[bool] = False
    """Only the crisis handler: it takes every request `in_crisis` says is about a crisis."""
    answers_checkin: ClassVar[bool] = False
    """Only the check-in handler: it takes every reply `in_checkin` says answers its question."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if in_crisis(handler_input):
            return self.answers_crisis
        if in_checkin(handler_input):
            return self.answers_checkin
        request = handler_input.request_envelope.request
        if request.object_type == INTENT_REQUEST:
            intent = getattr(request, "intent", None)
            return intent is not None and intent.name in self.intents
        return request.object_type in self.request_types


def must_be_silent(request_type: str) -> bool:
    """AudioPlayer events, PlaybackController commands, System requests and session ends allow
    no speech, card or reprompt; errors while handling them are answered with silence too."""
    return request_type.startswith(("AudioPlayer.", "PlaybackController.", "System.")) \
        or request_type == "SessionEndedRequest"
