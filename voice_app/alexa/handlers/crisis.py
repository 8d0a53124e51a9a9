"""Words of crisis, on any intent: the crisis line instead of a practice, every time.

`services.in_crisis` routes here every request whose slots hold words of crisis (checked against
the catalog's lexicon before dispatch), the CrisisIntent, and the answers to this handler's own
question. A practice that is playing is stopped and its place kept; a practice waiting for the
check-in's before answer (its Play already sent with the question) is stopped whatever the
device reports, and forgotten: it never plays after a crisis. Nothing about the crisis is
stored, only counted (`compassion_crisis_responses_total`). The card repeats the numbers in the
Alexa app.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.interfaces.audioplayer import StopDirective
from ask_sdk_model.ui import SimpleCard

from ...metrics import count_crisis
from .. import questions
from ..checkin import drop_pending
from ..listening import save_player
from ..services import player_state, services, supports_audio, talk
from .base import Handler

PLAYING = frozenset({"PLAYING", "PAUSED", "BUFFER_UNDERRUN"})


class Crisis(Handler):
    intents = frozenset({"CrisisIntent"})
    answers_crisis = True

    def handle(self, handler_input: HandlerInput) -> Response:
        settings = services(handler_input).settings
        lines = (settings.CRISIS_LINE, settings.SUPPORT_LINE)
        request = handler_input.request_envelope.request
        name = getattr(getattr(request, "intent", None), "name", "")
        builder = handler_input.response_builder
        speech = talk(handler_input)
        if name == "AMAZON.NoIntent" and not services(handler_input).heard_crisis:
            return builder.speak(speech.crisis_goodbye(settings.CRISIS_LINE)) \
                .set_should_end_session(True).response
        again = name in ("AMAZON.YesIntent", "AMAZON.RepeatIntent") \
            and not services(handler_input).heard_crisis
        if not again:
            count_crisis("alexa")
        stop = drop_pending(handler_input) and supports_audio(handler_input)
        if player_state(handler_input).activity in PLAYING and player_state(handler_input).token:
            save_player(handler_input, "paused")  # their place is kept for later
            stop = True
        if stop:
            builder.add_directive(StopDirective())
        questions.ask_about(handler_input, questions.CRISIS)
        say = speech.crisis_again(*lines) if again else speech.crisis_response(*lines)
        return builder.speak(say).ask(speech.text("crisis_reprompt")) \
            .set_card(SimpleCard(speech.text("crisis_card_title"), speech.crisis_card(*lines))) \
            .set_should_end_session(False).response
