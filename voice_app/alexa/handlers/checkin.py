"""The check-in by voice (voice_app/alexa/checkin.py has the rules): answers and skips, "how
have my check-ins been", "stop asking how I feel" and "ask me how I feel", and "I'm done"."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from .. import questions, responses
from ..checkin import (
    answer_after,
    answer_before,
    ask_after,
    drop_pending,
    due_after,
    enabled,
    heard_value,
)
from ..listening import save_player
from ..services import player_state, services, talk
from .base import Handler

PLAYING = frozenset({"PLAYING", "PAUSED", "BUFFER_UNDERRUN"})


class CheckinAnswer(Handler):
    """A number or label, a skip, or what Alexa made of them (yes, no, next, fallback) while the
    question is open; outside it, an answer is not needed: what next."""

    intents = frozenset({"CheckinAnswerIntent"})
    answers_checkin = True

    def handle(self, handler_input: HandlerInput) -> Response:
        name = handler_input.request_envelope.request.intent.name
        value = heard_value(handler_input) if name == "CheckinAnswerIntent" else None
        question = questions.asked(handler_input)
        if question == questions.CHECKIN_BEFORE:
            return answer_before(handler_input, value)
        if question == questions.CHECKIN_AFTER:
            return answer_after(handler_input, value)
        return responses.ask(handler_input, talk(handler_input).text("ask_what_next"))


class CheckinHistory(Handler):
    """"How have my check-ins been?": the listener's own last 20 pairs, in one sentence."""

    intents = frozenset({"CheckinHistoryIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        found = services(handler_input)
        pairs = [(s.before, s.after) for s in found.checkins.recent_pairs(found.listener_key)
                 if s.before is not None and s.after is not None]
        speech = talk(handler_input)
        return responses.ask(handler_input, " ".join([speech.checkin_history(pairs),
                                                      speech.text("ask_what_next")]))


class CheckinChoice(Handler):
    """"Stop asking how I feel" and "ask me how I feel": the listener's own choice. Said while
    the before question is open, "stop asking" also starts the practice at once."""

    intents = frozenset({"CheckinOffIntent", "CheckinOnIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        speech = talk(handler_input)
        if not enabled(handler_input):
            return responses.ask(handler_input, " ".join([speech.text("checkin_not_here"),
                                                          speech.text("ask_what_next")]))
        on = handler_input.request_envelope.request.intent.name == "CheckinOnIntent"
        found = services(handler_input)
        found.checkins.set_choice(found.listener_key, on)
        said = speech.checkin_text("turned_on" if on else "turned_off")
        if questions.asked(handler_input) == questions.CHECKIN_BEFORE:
            return answer_before(handler_input, None, opening=said)
        return responses.ask(handler_input, " ".join([said, speech.text("ask_what_next")]))


class Done(Handler):
    """"I'm done": a practice that is playing stops (its place kept), and the after question is
    asked when it is due; otherwise a kind goodbye.

    Said at the before question, the practice sent with it is stopped whatever the device
    reports, and forgotten: it never began, so it is not a session (nothing is recorded) and
    there is nothing to ask after it."""

    intents = frozenset({"DoneIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        state = player_state(handler_input)
        stopping = state.activity in PLAYING and state.token is not None
        if stopping:
            save_player(handler_input, "stopped")
        waiting = drop_pending(handler_input)
        if stopping or waiting:
            responses.stop(handler_input, end_session=False)  # adds the Stop directive
        if waiting:
            return responses.tell(handler_input, talk(handler_input).text("no_more_now"))
        due = due_after(handler_input, unfinished=True)
        if due is not None:
            return ask_after(handler_input, due)
        return responses.tell(handler_input, talk(handler_input).text("no_more_now"))
