"""Requests without a conversation: AudioPlayer events, PlaybackController buttons, system
errors and session ends. None of them may be answered with speech, a card or a reprompt; only
PlaybackController commands answer with AudioPlayer directives."""

from __future__ import annotations

import logging

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from .. import playback, responses
from ..checkin import decline_open_after, silent_before
from ..listening import (
    current_cue,
    finish,
    play_and_save,
    resume_cue,
    retry_after_failure,
    save_player,
)
from .base import Handler

logger = logging.getLogger(__name__)


class PlaybackStarted(Handler):
    request_types = frozenset({"AudioPlayer.PlaybackStarted"})

    def handle(self, handler_input: HandlerInput) -> Response:
        save_player(handler_input, "playing")
        return responses.silent(handler_input)


class PlaybackStopped(Handler):
    request_types = frozenset({"AudioPlayer.PlaybackStopped"})

    def handle(self, handler_input: HandlerInput) -> Response:
        save_player(handler_input, "paused", only_current=True)
        return responses.silent(handler_input)


class PlaybackFinished(Handler):
    request_types = frozenset({"AudioPlayer.PlaybackFinished"})

    def handle(self, handler_input: HandlerInput) -> Response:
        finish(handler_input)
        return responses.silent(handler_input)


class PlaybackQuietEvents(Handler):
    """Nothing is queued after a practice."""

    request_types = frozenset({"AudioPlayer.PlaybackNearlyFinished"})

    def handle(self, handler_input: HandlerInput) -> Response:
        return responses.silent(handler_input)


class PlaybackFailed(Handler):
    """One retry from the same place; a second failure stops there and keeps the place."""

    request_types = frozenset({"AudioPlayer.PlaybackFailed"})

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        error = getattr(request, "error", None)
        logger.warning("playback failed: %s %s", getattr(error, "object_type", ""),
                       getattr(error, "message", ""))
        return retry_after_failure(handler_input)


class PlaybackButtons(Handler):
    """Play, pause, next and previous buttons on a device or the companion app."""

    request_types = frozenset({"PlaybackController.PlayCommandIssued",
                               "PlaybackController.PauseCommandIssued",
                               "PlaybackController.NextCommandIssued",
                               "PlaybackController.PreviousCommandIssued"})

    def handle(self, handler_input: HandlerInput) -> Response:
        command = handler_input.request_envelope.request.object_type
        if command == "PlaybackController.PauseCommandIssued":
            save_player(handler_input, "paused")
            return responses.stop(handler_input, end_session=False)
        if command == "PlaybackController.PlayCommandIssued":
            cue = resume_cue(handler_input)
        else:
            here = current_cue(handler_input)
            steps = 1 if command == "PlaybackController.NextCommandIssued" else -1
            cue = playback.move(here, steps) if here else None
        return play_and_save(handler_input, cue) if cue else responses.silent(handler_input)


class SystemException(Handler):
    request_types = frozenset({"System.ExceptionEncountered"})

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        error = getattr(request, "error", None)
        logger.warning("Alexa reported an error with our response: %s %s",
                       getattr(error, "object_type", ""), getattr(error, "message", ""))
        return responses.silent(handler_input)


class SessionEnded(Handler):
    request_types = frozenset({"SessionEndedRequest"})

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        reason = getattr(getattr(request, "reason", None), "value", None)
        if reason == "ERROR":
            error = getattr(request, "error", None)
            logger.warning("session ended with an error: %s %s",
                           getattr(error, "object_type", ""), getattr(error, "message", ""))
        silent_before(handler_input)  # the before question was left unanswered: it plays
        if reason != "ERROR":  # the listener may not have heard it: asked again next time
            decline_open_after(handler_input)  # left unanswered: not asked again
        return responses.silent(handler_input)
