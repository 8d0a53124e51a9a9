"""The check-in on Alexa (issue 14; docs/checkin.md): the stress question before and after a
practice, asked only when `ALEXA_CHECKIN` is on (Amazon's health policy:
docs/alexa-certification.md) and `checkins.should_ask` agrees.

Every practice started goes through `start_practice`, asked or not, so that `checkins.begin`
records it (the program view counts sessions from it).

Before: the question is spoken with the practice's Play directive and the session left open
(`responses.play_and_ask`): Alexa sends the stream, pauses it to listen, and plays it when the
session closes. An answer or a skip starts the practice at once (the Play again, after the
answer said back); a listener who stays silent hears the reprompt, the session ends and the
practice plays: the SessionEndedRequest records the practice as asked and unanswered. The
practice waiting for the answer lives in the session (`PENDING`), and is recorded only once the
answer (or the silence) is known, since a 4 or 5 with no practice named changes which practice
plays (`recommend`, the calming needs). Words of crisis, stop, cancel or "I'm done" at the
question stop the queued stream and forget it (`drop_pending`): it never began, so it is not a
session.

After: AudioPlayer events cannot speak, so the after question is asked when the listener comes
back: on the next launch while `checkins.awaiting_after` says it is due, or when they say "I'm
done". The answer counts within `checkins.AFTER_WINDOW` of the practice's end; its delay is
stored either way (`record_after`). An after question left open (the session ends silently,
or stop or cancel) is declined, so it is not asked again (`decline_open_after`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from ..checkins import Session, after_open, parse_answer
from ..metrics import count_practice
from ..recommend import STRESSED, recommend
from . import questions, responses
from .listening import CHANNEL, play_and_save, save_cue
from .playback import Cue
from .services import (
    in_session,
    resolved_ids,
    services,
    session_get,
    session_set,
    slot_text,
    supports_audio,
    talk,
)

PENDING = "checkin"
"""Session attribute: the practice whose before answer is awaited."""
AFTER = "checkin_after"
"""Session attribute: the session id whose after answer is awaited."""


def event_time(handler_input: HandlerInput) -> datetime:
    return datetime.fromtimestamp(services(handler_input).event_ms / 1000, UTC)


def enabled(handler_input: HandlerInput) -> bool:
    return services(handler_input).settings.ALEXA_CHECKIN


# -- before -----------------------------------------------------------------------------------

def start_practice(handler_input: HandlerInput, cue: Cue, say: str, *, chosen: bool,
                   said: str = "", minutes: float | None = None) -> Response:
    """Start `cue`: with the before question when it is due, else at once. `chosen`: the
    listener named the practice or a need (a stressed answer will not change it); `said` and
    `minutes` are what they asked with, for a recommendation after the answer."""
    found = services(handler_input)
    if not supports_audio(handler_input):
        return responses.needs_audio(handler_input, found.settings)
    asking = enabled(handler_input) and in_session(handler_input) \
        and found.checkins.should_ask(found.listener_key, cue.variant.minutes)
    if not asking:
        begin(handler_input, cue)
        return play_and_save(handler_input, cue, say, started=True)
    session_set(handler_input, **{PENDING: {
        "practice_id": cue.practice.practice_id, "minutes": cue.variant.minutes,
        "language": cue.practice.language, "chosen": chosen, "said": said,
        "asked_minutes": minutes}})
    questions.ask_about(handler_input, questions.CHECKIN_BEFORE)
    save_cue(handler_input, cue)
    count_practice("started", CHANNEL)
    speech = talk(handler_input)
    return responses.play_and_ask(handler_input, found.settings, cue,
                                  f"{say} {speech.checkin_question()}",
                                  speech.text("checkin_reprompt"))


def begin(handler_input: HandlerInput, cue: Cue, *, before: int | None = None,
          asked: bool = False) -> int:
    found = services(handler_input)
    return found.checkins.begin(found.listener_key, CHANNEL, cue.practice.practice_id,
                                cue.variant.minutes, cue.practice.language, before=before,
                                asked=asked, at=event_time(handler_input))


def pending_cue(handler_input: HandlerInput) -> tuple[Cue, dict[str, Any]] | None:
    """The practice waiting for the before answer, and what was asked with it."""
    pending = session_get(handler_input, PENDING)
    if not isinstance(pending, dict):
        return None
    view = services(handler_input).catalog.in_language(str(pending.get("language")))
    practice = view.get(str(pending.get("practice_id")))
    minutes = pending.get("minutes")
    variant = practice.variant(minutes) if practice and isinstance(minutes, int) else None
    if practice is None or variant is None:
        return None
    return Cue(practice, variant, 0, 0), pending


def answer_before(handler_input: HandlerInput, value: int | None,
                  opening: str = "") -> Response:
    """The answer (1-5), or None for a skip, silence-like mumble or "stop asking": said back,
    a 5 met with care, then the practice at once."""
    waiting = pending_cue(handler_input)
    session_set(handler_input, **{PENDING: None})
    speech = talk(handler_input)
    if waiting is None:
        return responses.ask(handler_input, speech.text("ask_what_next"))
    cue, pending = waiting
    found = services(handler_input)
    parts = [opening] if opening else []
    if value is None:
        parts.append(speech.checkin_text("skipped"))
    else:
        parts.append(speech.said_back(value))
        if value == 5:
            parts.append(speech.support(found.settings.CRISIS_LINE, found.settings.SUPPORT_LINE))
        if value >= STRESSED and not pending.get("chosen"):
            cue, why = _calming(handler_input, cue, pending, value)
            if why:
                parts.append(why)
    begin(handler_input, cue, before=value, asked=True)
    return play_and_save(handler_input, cue, " ".join(parts))


def _calming(handler_input: HandlerInput, cue: Cue, pending: dict[str, Any],
             value: int) -> tuple[Cue, str]:
    """A stressed listener who named nothing: the calming practice instead, and why."""
    found = services(handler_input)
    asked = pending.get("asked_minutes")
    suggestion = recommend(found.catalog.in_language(cue.practice.language),
                           str(pending.get("said") or ""),
                           float(asked) if isinstance(asked, int | float) else None,
                           found.language, before=value,
                           calming=talk(handler_input).words.lists.get("calming_needs", ()))
    if suggestion is None or suggestion.practice.practice_id == cue.practice.practice_id:
        return cue, ""
    say = talk(handler_input).recommending(suggestion.practice, suggestion.variant.minutes,
                                           suggestion.why)
    return Cue(suggestion.practice, suggestion.variant, 0, 0), say


def silent_before(handler_input: HandlerInput) -> None:
    """The session ended with the before question open (no answer after the reprompt): the
    practice plays, asked and unanswered."""
    waiting = pending_cue(handler_input)
    if waiting is not None:
        begin(handler_input, waiting[0], asked=True)


def drop_pending(handler_input: HandlerInput) -> bool:
    """Forget the practice waiting for the before answer (words of crisis, stop, cancel or
    "I'm done" at the question). True if one was waiting: its Play directive went out with the
    question, so the caller must add a Stop, or the queued stream plays when the session
    closes. Nothing is recorded: a practice stopped before it began is not a session, and the
    session's end then finds nothing waiting (`silent_before`)."""
    if session_get(handler_input, PENDING) is None:
        return False
    session_set(handler_input, **{PENDING: None})
    return True


# -- after ------------------------------------------------------------------------------------

def due_after(handler_input: HandlerInput, *, unfinished: bool = False) -> Session | None:
    """The practice whose after question is due: the one `checkins.awaiting_after` names or,
    with `unfinished` ("I'm done" during a practice), the latest practice on Alexa that is not
    finished yet, asked before and answered."""
    if not enabled(handler_input):
        return None
    found = services(handler_input)
    at = event_time(handler_input)
    due = found.checkins.awaiting_after(found.listener_key, at)
    if due is not None or not unfinished:
        return due
    # the rules `awaiting_after` applies to a finished practice hold here too: no question when
    # the service or the listener turned check-ins off
    if found.checkins.mode == "off" or found.checkins.choice(found.listener_key) == "off":
        return None
    latest = found.checkins.latest(found.listener_key)
    if latest is None or latest.channel != CHANNEL or latest.finished_at is not None \
            or latest.before is None:
        return None
    return latest if after_open(latest, at) else None


def ask_after(handler_input: HandlerInput, session: Session, opening: str = "") -> Response:
    session_set(handler_input, **{AFTER: session.session_id})
    questions.ask_about(handler_input, questions.CHECKIN_AFTER)
    speech = talk(handler_input)
    say = " ".join(p for p in (opening, speech.checkin_question(after=True)) if p)
    return responses.ask(handler_input, say, speech.text("checkin_after_reprompt"))


def answer_after(handler_input: HandlerInput, value: int | None) -> Response:
    """Stored with its delay (counted only within the window), or declined; then "another?"."""
    found = services(handler_input)
    session_id = session_get(handler_input, AFTER)
    session_set(handler_input, **{AFTER: None})
    speech = talk(handler_input)
    if not isinstance(session_id, int):
        return responses.ask(handler_input, speech.text("ask_what_next"))
    if value is None:
        found.checkins.decline_after(session_id, listener_key=found.listener_key)
        parts = [speech.checkin_text("skipped")]
    else:
        found.checkins.record_after(found.listener_key, session_id, value,
                                    event_time(handler_input))
        parts = [speech.said_back(value)]
        if value == 5 and not _five_before(handler_input, session_id):
            parts.append(speech.support(found.settings.CRISIS_LINE, found.settings.SUPPORT_LINE,
                                        after=True))
    questions.ask_about(handler_input, questions.ANOTHER)
    parts.append(speech.text("another_reprompt"))
    return responses.ask(handler_input, " ".join(parts), speech.text("another_reprompt"))


def decline_open_after(handler_input: HandlerInput) -> None:
    """The after question was left open (the session ended silently, or stop or cancel): it
    counts as skipped, so the next launch does not ask the same question again."""
    session_id = session_get(handler_input, AFTER)
    if not isinstance(session_id, int):
        return
    session_set(handler_input, **{AFTER: None})
    found = services(handler_input)
    found.checkins.decline_after(session_id, listener_key=found.listener_key)


def _five_before(handler_input: HandlerInput, session_id: int) -> bool:
    """The session's before answer was 5: the listener heard the support lines then, and a 5
    after does not repeat them."""
    found = services(handler_input)
    session = found.checkins.own(found.listener_key, session_id)
    return session is not None and session.before == 5


# -- reading an answer ------------------------------------------------------------------------

def heard_value(handler_input: HandlerInput) -> int | None:
    """1 to 5 from the level slot (its resolved id, else the words: a digit, a number word or a
    label); None for a skip or anything else."""
    for resolved in resolved_ids(handler_input, "level"):
        if resolved in ("1", "2", "3", "4", "5"):
            return int(resolved)
    said = slot_text(handler_input, "level")
    if not said:
        return None
    found = services(handler_input)
    value = parse_answer(found.catalog.library.language(found.language), said)
    return value if isinstance(value, int) else None
