"""Opening the skill: a short welcome, or an offer to pick up an unfinished practice.

What this device's player says wins while it is playing or paused one of our streams (the
context has no timestamp to weigh against the store, and it is what the listener hears);
otherwise the saved position, newest across devices. A place saved in another language's audio
is offered in that language's audio, and the welcome back says so. With nothing to resume, a
listener back from a practice that played to its end is asked the check-in's after question
when it is due (`checkin.due_after`).
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from .. import questions, responses
from ..checkin import ask_after, due_after
from ..listening import live_cue, saved_position, saved_view
from ..services import player_state, services, talk
from .base import Handler


class Launch(Handler):
    request_types = frozenset({"LaunchRequest"})

    def handle(self, handler_input: HandlerInput) -> Response:
        speech = talk(handler_input)
        live = live_cue(handler_input)
        if live is not None:
            questions.ask_about(handler_input, questions.RESUME)
            say = speech.welcome_playing if player_state(handler_input).activity == "PLAYING" \
                else speech.welcome_back
            return responses.ask(handler_input, say(live.practice.title, live.offset_ms),
                                 speech.resume_reprompt())
        position = saved_position(handler_input)
        view = saved_view(handler_input, position) if position else None
        practice = view.get(position.practice_id) if view and position else None
        if position is None or view is None or practice is None:
            due = due_after(handler_input)
            if due is not None:
                return ask_after(handler_input, due)
            return responses.ask(handler_input, speech.welcome())
        questions.ask_about(handler_input, questions.RESUME)
        if view.language != services(handler_input).catalog.language:
            say = speech.welcome_back_other(practice.title, position.offset_ms, view.language)
        else:
            say = speech.welcome_back(practice.title, position.offset_ms)
        return responses.ask(handler_input, say, speech.resume_reprompt())
