"""Playback intents: pause, stop and cancel keep the place; resume, start over, next, previous
and repeat move within a practice by its steps; loop and shuffle are politely declined.
"Resume" after a practice played to its end offers another instead of replaying its end."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from .. import playback, questions, responses
from ..checkin import decline_open_after, drop_pending
from ..listening import (
    current_cue,
    finished_on_device,
    play_and_save,
    resume_cue,
    save_player,
    saved_position,
)
from ..services import player_state, talk
from .base import Handler

ACTIVE = frozenset({"PLAYING", "PAUSED", "BUFFER_UNDERRUN"})


class Pause(Handler):
    intents = frozenset({"AMAZON.PauseIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        save_player(handler_input, "paused")
        return responses.stop(handler_input)


class StopOrCancel(Handler):
    """During audio these stop playback and keep the place; in a conversation, goodbye.

    At the check-in's before question the practice's Play already went out with the question:
    it is stopped whatever the device reports (else it plays once the session closes) and
    forgotten. A practice stopped before it began is not a session: nothing is recorded. At the
    after question, stop or cancel skip it (never asked again)."""

    intents = frozenset({"AMAZON.StopIntent", "AMAZON.CancelIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        waiting = drop_pending(handler_input)
        decline_open_after(handler_input)
        if player_state(handler_input).activity in ACTIVE:
            save_player(handler_input, "stopped")
            return responses.stop(handler_input)
        if waiting:
            responses.stop(handler_input)  # adds the Stop directive
        return responses.tell(handler_input, talk(handler_input).text("goodbye"))


class Resume(Handler):
    intents = frozenset({"AMAZON.ResumeIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        cue = resume_cue(handler_input)
        if cue is not None:
            return play_and_save(handler_input, cue)
        done = finished_on_device(handler_input)
        if done is not None:
            questions.ask_about(handler_input, questions.ANOTHER)
            speech = talk(handler_input)
            return responses.ask(handler_input, speech.finished(done.practice.title),
                                 speech.text("another_reprompt"))
        position = saved_position(handler_input)
        say = talk(handler_input).gone(position.practice_id.replace("-", " ")) if position \
            else talk(handler_input).text("nothing_to_resume")
        return responses.ask(handler_input, say)


class StartOver(Handler):
    intents = frozenset({"AMAZON.StartOverIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        cue = current_cue(handler_input)
        if cue is None:
            return responses.ask(handler_input, talk(handler_input).text("nothing_playing"))
        return play_and_save(handler_input, playback.from_beginning(cue))


class StepMove(Handler):
    """Next, previous and repeat: to the start of a step, by the catalog's chapter times."""

    intents = frozenset({"AMAZON.NextIntent", "AMAZON.PreviousIntent", "AMAZON.RepeatIntent"})
    STEPS = {"AMAZON.NextIntent": 1, "AMAZON.PreviousIntent": -1, "AMAZON.RepeatIntent": 0}

    def handle(self, handler_input: HandlerInput) -> Response:
        cue = current_cue(handler_input)
        if cue is None:
            return responses.ask(handler_input, talk(handler_input).text("nothing_playing"))
        name = handler_input.request_envelope.request.intent.name
        moved = playback.move(cue, self.STEPS[name])
        if moved is None:
            return responses.tell(handler_input, talk(handler_input).text("last_step"))
        return play_and_save(handler_input, moved)


class LoopAndShuffle(Handler):
    intents = frozenset({"AMAZON.LoopOnIntent", "AMAZON.LoopOffIntent",
                         "AMAZON.ShuffleOnIntent", "AMAZON.ShuffleOffIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        return responses.tell(handler_input, talk(handler_input).text("not_available"))
