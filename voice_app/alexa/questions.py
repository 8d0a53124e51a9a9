"""What the skill last asked, so that "yes" and "no" answer that question and no other.

A handler that ends its answer with a yes/no question records it with `ask_about`; the next
request reads it with `asked`. A request interceptor moves the question out of the session
attributes at the start of every request, so a question lives for exactly one turn: "yes"
after "help" or after any other answer finds nothing asked.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput

from .services import in_session, services

ATTRIBUTE = "asked"
"""Session attribute: the question the last answer asked (one of the names below)."""

RESUME = "resume"
"""'Say resume, or name another practice': yes resumes the unfinished practice."""
ANOTHER = "another"
"""'Would you like one (another) now?': yes starts a suggested practice, no says goodbye."""
FORGET = "forget"
"""'Shall I delete your saved place and history?': yes deletes, no keeps everything."""
MORE = "more"
"""The practice list's 'say more for others': yes reads the next few."""
CRISIS = "crisis"
"""The crisis response's 'Would you like me to say the number again?': yes and repeat say it
again, no ends kindly; only the crisis handler answers them (`in_crisis`)."""

CHECKIN_BEFORE = "checkin_before"
"""The check-in before a practice (its Play directive sent with the question): a number or a
label answers it; skip, no, yes, next or words not understood start the practice at once."""
CHECKIN_AFTER = "checkin_after"
"""The check-in after a practice (on the next launch, or "I'm done"): answered or skipped."""

QUESTIONS = frozenset({RESUME, ANOTHER, FORGET, MORE, CRISIS, CHECKIN_BEFORE, CHECKIN_AFTER})
CRISIS_FOLLOW_UPS = frozenset({"AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.RepeatIntent"})
CHECKIN_REPLIES = frozenset({"CheckinAnswerIntent", "AMAZON.YesIntent", "AMAZON.NoIntent",
                             "AMAZON.NextIntent", "AMAZON.FallbackIntent"})
"""What Alexa may make of an answer, a skip ("skip" is also AMAZON.NextIntent's) or a mumble,
while the check-in question is open: only the check-in handler answers them (`in_checkin`)."""
_THIS_TURN = "asked_last_turn"


class TakeQuestion(AbstractRequestInterceptor):
    """Moves the recorded question from the session into this request's attributes."""

    def process(self, handler_input: HandlerInput) -> None:
        if not in_session(handler_input):
            return
        session = handler_input.attributes_manager.session_attributes
        question = session.pop(ATTRIBUTE, None)
        handler_input.attributes_manager.request_attributes[_THIS_TURN] = \
            question if question in QUESTIONS else None


def asked(handler_input: HandlerInput) -> str | None:
    """The question the previous answer asked, if any."""
    value: Any = handler_input.attributes_manager.request_attributes.get(_THIS_TURN)
    return value if isinstance(value, str) else None


def ask_about(handler_input: HandlerInput, question: str) -> None:
    """Record that this answer asks `question` (nothing is kept outside a session)."""
    if question not in QUESTIONS:
        raise ValueError(f"unknown question {question!r}")
    if in_session(handler_input):
        handler_input.attributes_manager.session_attributes[ATTRIBUTE] = question


def in_checkin(handler_input: HandlerInput) -> bool:
    """The request answers the check-in question just asked (before or after a practice)."""
    request = handler_input.request_envelope.request
    if request.object_type != "IntentRequest":
        return False
    name = getattr(getattr(request, "intent", None), "name", None)
    return name in CHECKIN_REPLIES and asked(handler_input) in (CHECKIN_BEFORE, CHECKIN_AFTER)


def in_crisis(handler_input: HandlerInput) -> bool:
    """The request carries words of crisis, names the crisis intent, or answers the crisis
    response's question: only the crisis handler may answer it."""
    request = handler_input.request_envelope.request
    if request.object_type != "IntentRequest":
        return False
    if services(handler_input).heard_crisis:
        return True
    name = getattr(getattr(request, "intent", None), "name", None)
    return name == "CrisisIntent" or (name in CRISIS_FOLLOW_UPS and asked(handler_input) == CRISIS)
