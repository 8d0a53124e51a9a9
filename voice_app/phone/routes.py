"""The hotline's webhooks: `POST /phone/incoming` (the number's voice URL), the action URLs the
TwiML names, and `POST /phone/status` (the number's status callback).

Each route reads the webhook, picks the next scene with the pure rules of `flow` and `menu`, and
answers TwiML. An action URL carries where the call was (practice, minutes, segment), so a lost
or expired call state only sends the caller back to the menu.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException

from ..catalog import Practice
from ..checkins import SKIP, checkin_choice, parse_answer
from ..library import DEFAULT_LANGUAGE
from ..metrics import count_practice
from ..store import StoreUnavailable
from . import flow, menu, scenes, security, speech, twiml
from .crisis import crisis, crisis_end
from .privacy import forget, help_
from .scenes import Call, Place
from .twiml import Sound
from .voice import LAST_RESORT
from .webhook import crisis_first, open_call, verify, xml

logger = logging.getLogger(__name__)

TERMINAL = {"completed", "busy", "failed", "no-answer", "canceled"}


def incoming() -> Response:
    call, _ = open_call(incoming=True)
    listener = call.state.listener_key
    position = call.store.get_position(listener) if listener else None
    if position is not None and flow.resumable(position, scenes.now_ms()):
        # offered in the language of the audio the caller left (their place is in it)
        there = call.speaking(position.language) \
            if position.language in call.catalog.languages else call
        practice = there.catalog.get(position.practice_id)
        variant = practice.variant(position.minutes) if practice else None
        if practice and variant and variant.phone:
            index = flow.resume_segment(variant, position)
            return xml(scenes.offer_scene(there, Place(practice, variant, index)))
    return xml(scenes.menu_scene(call, greet=True))


def choose() -> Response:
    call, hook = open_call()
    if (reply := crisis_first(call, hook)) is not None:
        return reply
    page = menu.page_of(call.catalog.library, security.query_word(request, "menu"),
                        security.query_int(request, "page", 1, 99))
    other = scenes.other_language(call)
    switch = call.speaking(other).voice.words.lists.get("switch_language", ()) if other else ()
    answer = menu.answer_menu(call.catalog, page, hook.digits, hook.said, call.voice.language,
                              switch)
    if answer.language and other:
        return xml(_switch_language(call, other))
    if answer.help:
        return xml(scenes.help_scene(call))
    if answer.page:
        return xml(scenes.menu_scene(call, answer.page))
    if answer.choice is None:
        ended = scenes.out_of_tries(call)
        return xml(ended or scenes.menu_scene(call, page, sorry=bool(hook.digits or hook.said),
                                              misses=call.state.misses + 1))
    return xml(_start(call, answer.choice.practice, answer.choice.minutes))


def _switch_language(call: Call, code: str) -> str:
    """The language key (or its words) at a menu: the greeting and menu in the other language,
    which the caller's next call begins in too."""
    listener = call.state.listener_key
    if listener:
        call.store.set_preferences(listener, language=code)
    return scenes.menu_scene(call.speaking(code), greet=True)


def _start(call: Call, practice: Practice, minutes: int | None) -> str:
    if minutes is None and len(practice.variants) > 1:
        return scenes.length_scene(call, practice)
    variant = practice.nearest_variant(minutes)
    if not variant.phone:
        return scenes.menu_scene(call, sorry=True)
    listener = call.state.listener_key
    if call.asks_checkins and call.checkins.should_ask(listener, variant.minutes):
        return scenes.checkin_scene(call, practice, variant)
    return _begin(call, Place(practice, variant, 0))


def _begin(call: Call, place: Place, lead: Sequence[Sound] = (), *, asked: bool = False,
           before: int | None = None) -> str:
    """The practice starts: its check-in session recorded (every practice started is, asked or
    not), "here it is", and its first segment."""
    listener = call.state.listener_key
    session = None
    if listener and call.checkins is not None:
        session = call.checkins.begin(listener, "phone", place.practice.practice_id,
                                      place.variant.minutes, place.practice.language,
                                      before=before, asked=asked)
    call = call.with_state(call.state.with_(session=session))
    body = scenes.segment_scene(call, place, [*lead, call.voice.prompt("starting")])
    count_practice("started", "phone")
    return body


def checkin() -> Response:
    """The answer to the check-in before a practice: 1 to 5 is said back (a 5 with the support
    lines, once), `#`, a skip word, silence or anything else goes on to the practice at once;
    "stop asking" turns check-ins off. Recorded once, as the practice begins."""
    call, hook = open_call()
    if (reply := crisis_first(call, hook)) is not None:
        return reply
    practice = call.catalog.get(security.query_word(request, "p"))
    variant = practice.variant(security.query_int(request, "m", 1, 600)) if practice else None
    if practice is None or variant is None or not variant.phone:
        return xml(scenes.menu_scene(call))
    place = Place(practice, variant, 0)
    if call.state.stage != "checkin" or call.state.practice_id != practice.practice_id:
        # Not waiting for this answer (a repeated request, or the call's state was lost):
        # the practice, never a second answer or a second session.
        if call.state.session is not None and call.state.practice_id == practice.practice_id:
            return xml(scenes.segment_scene(call, place, [call.voice.prompt("starting")]))
        return xml(_begin(call, place))
    call, answer, lead = _answered(call, hook)
    return xml(_begin(call, place, lead, asked=True,
                      before=answer if isinstance(answer, int) else None))


def after() -> Response:
    """The answer to the check-in after the practice, then "that is the end of the practice":
    1 to 5 said back (a 5 with the support lines, unless this call said them already); `#`,
    silence or anything else closes the question for good."""
    call, hook = open_call()
    if (reply := crisis_first(call, hook)) is not None:
        return reply
    listener, session = call.state.listener_key, call.state.session
    if call.state.stage != "after" or not listener or session is None \
            or call.checkins is None:
        return xml(scenes.practice_done_scene(call))
    call, answer, lead = _answered(call, hook)
    if isinstance(answer, int):
        call.checkins.record_after(listener, session, answer)
    else:
        call.checkins.decline_after(session, listener_key=listener)
    return xml(scenes.practice_done_scene(call, lead))


def _answered(call: Call, hook: security.Webhook
              ) -> tuple[Call, int | str | None, list[Sound]]:
    """What the caller answered to the check-in question (1 to 5, SKIP, or None: silence,
    anything else, or "stop asking", which turns check-ins off), and what they hear back: the
    answer in a few words (a 5 also the support lines, once a call), "no question this time",
    or that check-ins are off (or on)."""
    language = call.voice.language
    words = language.checkin
    choice = checkin_choice(language, hook.said) if hook.said and not hook.digits else None
    if choice is not None:
        call.checkins.set_choice(call.state.listener_key, choice)
        name = "turned_on" if choice else "turned_off"
        return call, None, [scenes.checkin_said(call, name, words.texts[name])]
    answer = parse_answer(language, hook.digits or hook.said)
    if answer == SKIP:
        return call, SKIP, [scenes.checkin_said(call, "skipped", words.texts["skipped"])]
    if not isinstance(answer, int):
        return call, None, []
    lead = [scenes.checkin_said(call, f"said_back_{answer}", words.said_back(answer))]
    if answer == 5 and not call.state.supported:
        lead.append(scenes.support_sound(call, after=call.state.stage == "after"))
        call = call.with_state(call.state.with_(supported=True))
    return call, answer, lead


def length() -> Response:
    call, hook = open_call()
    if (reply := crisis_first(call, hook)) is not None:
        return reply
    practice = call.catalog.get(security.query_word(request, "p"))
    if practice is None or not practice.variants:
        return xml(scenes.menu_scene(call))
    language = call.voice.language
    if hook.digits == call.catalog.library.keys.get("back") or speech.said_command(
            hook.said, {"menu": language.commands.get("menu", ())}):
        return xml(scenes.menu_scene(call))
    keyed = hook.digits.strip("#*")
    minutes = int(keyed) if keyed else speech.said_minutes(language, hook.said, bare=True)
    if minutes:
        return xml(_start(call, practice, minutes))
    ended = scenes.out_of_tries(call)
    return xml(ended or scenes.length_scene(call, practice, sorry=bool(hook.digits or hook.said),
                                            misses=call.state.misses + 1))


def _place_in_url(call: Call) -> Place | None:
    """Where an action URL says the call was, or None if the catalog no longer has it."""
    place = scenes.find_place(call.catalog, security.query_word(request, "p"),
                              security.query_int(request, "m", 1, 600),
                              security.query_int(request, "s", 0, 9999))
    if place is None:
        logger.info("phone: an action URL names audio the catalog no longer has; menu")
    return place


def play() -> Response:
    call, hook = open_call()
    place = _place_in_url(call)
    if (reply := crisis_first(call, hook, place)) is not None:
        return reply
    if place is None:
        return xml(scenes.menu_scene(call))
    command = flow.playback_command(hook.digits, hook.said, call.voice.language)
    if command == "pause":
        return xml(scenes.paused_scene(call, place, 0))
    return xml(_move(call, place, command, stray_key=bool(hook.digits)))


def _move(call: Call, place: Place, command: str, *, stray_key: bool) -> str:
    """Commands shared by playing and paused: where to go next, or how to leave."""
    if command == "none":
        following = place.index + 1
        return _play_or_finish(call, place, following if following < len(place.variant.phone)
                               else None)
    if command == "next":
        return _play_or_finish(call, place, flow.next_step(place.variant, place.index))
    if command == "back":
        return _play_or_finish(call, place, flow.previous_step(place.variant, place.index))
    if command == "menu":
        scenes.save_position(call, place, "stopped")
        return scenes.menu_scene(call)
    if command == "end":
        return scenes.leave_scene(call, place, "stopped")
    # help, resume, or something not understood: this segment again (keys hear the help first)
    help_first = command == "help" or (command == "unknown" and stray_key)
    return scenes.segment_scene(call, place, [call.voice.prompt("help_keys")] if help_first
                                else [])


def _play_or_finish(call: Call, place: Place, index: int | None) -> str:
    if index is None:
        body = scenes.done_scene(call, place)
        count_practice("finished", "phone")
        return body
    return scenes.segment_scene(call, Place(place.practice, place.variant, index))


def paused() -> Response:
    call, hook = open_call()
    place = _place_in_url(call)
    if (reply := crisis_first(call, hook, place)) is not None:
        return reply
    if place is None:
        return xml(scenes.menu_scene(call))
    round_ = security.query_int(request, "r", 0, flow.PAUSED_ROUNDS)
    command = flow.paused_command(hook.digits, hook.said, call.voice.language)
    if command == "none":
        if round_ + 1 >= flow.PAUSED_ROUNDS:
            return xml(scenes.leave_scene(call, place, "paused", prompt="paused_goodbye"))
        return xml(scenes.paused_scene(call, place, round_ + 1))
    if command == "help":
        return xml(scenes.paused_scene(call, place, round_, [call.voice.prompt("help_keys")]))
    if command == "unknown":
        # A stray key hears the paused prompt again; talk nearby is met with silence.
        return xml(scenes.paused_scene(call, place, round_, None if hook.digits else []))
    if command == "end":
        return xml(scenes.leave_scene(call, place, "paused"))
    return xml(_move(call, place, command, stray_key=False))


def done() -> Response:
    call, hook = open_call()
    if (reply := crisis_first(call, hook)) is not None:
        return reply
    if hook.digits or speech.said_word(call.voice.language, hook.said, "another"):
        return xml(scenes.menu_scene(call))
    return xml(scenes.goodbye_scene(call))


def resume() -> Response:
    call, hook = open_call()
    if (reply := crisis_first(call, hook)) is not None:
        return reply
    found = call.state
    place = scenes.find_place(call.catalog, found.practice_id, found.minutes, found.segment) \
        if found.stage == "offer" else None
    if place is None:
        return xml(scenes.menu_scene(call))
    language = call.voice.language
    if hook.digits == "1" or (not hook.digits and speech.said_word(language, hook.said, "yes")):
        return xml(scenes.segment_scene(call.with_state(found.with_(
            session=_resumed_session(call, place))), place))
    if hook.digits == "2" or not (hook.digits or hook.said) or \
            speech.said_word(language, hook.said, "no"):
        return xml(scenes.menu_scene(call))
    ended = scenes.out_of_tries(call)
    return xml(ended or scenes.offer_scene(call, place, greet=False, sorry=True,
                                           misses=found.misses + 1))


def _resumed_session(call: Call, place: Place) -> int | None:
    """A practice continued on a call-back is the same practice: its check-in session, if the
    caller's latest one is this practice and not finished, so the end and after answer land
    there (none is begun: it is not a new practice)."""
    listener = call.state.listener_key
    if not listener or call.checkins is None:
        return None
    latest = call.checkins.latest(listener)
    if latest is None or latest.finished_at is not None or latest.channel != "phone" \
            or (latest.practice_id, latest.minutes) != (place.practice.practice_id,
                                                         place.variant.minutes):
        return None
    return latest.session_id


def status() -> Response:
    """The number's status callback: when a call ends mid-practice, keep the caller's place."""
    call, hook = open_call()
    if hook.call_status in TERMINAL:
        found = call.state
        place = scenes.find_place(call.catalog, found.practice_id, found.minutes, found.segment)
        if found.in_practice and place is not None:
            scenes.save_position(call, place, "paused" if found.stage == "paused" else "stopped")
        call.store.delete_call(call.key)
    return Response(status=204)


ROUTES = (
    ("/incoming", incoming),
    ("/menu", choose),
    ("/length", length),
    ("/play", play),
    ("/paused", paused),
    ("/done", done),
    ("/resume", resume),
    ("/checkin", checkin),
    ("/after", after),
    ("/crisis", crisis),
    ("/crisis-end", crisis_end),
    ("/help", help_),
    ("/forget", forget),
    ("/status", status),
)


def make_blueprint() -> Blueprint:
    """A fresh blueprint per app (a Flask blueprint's setup cannot change once registered)."""
    blueprint = Blueprint("phone", __name__, url_prefix="/phone")
    blueprint.before_request(verify)
    for path, view in ROUTES:
        blueprint.add_url_rule(path, view_func=view, methods=["POST"])
    blueprint.register_error_handler(HTTPException, _http_error)
    blueprint.register_error_handler(StoreUnavailable, _store_down)
    blueprint.register_error_handler(Exception, _unexpected)
    return blueprint


def _http_error(error: HTTPException) -> HTTPException:
    # 400 and 403 stay plain HTTP errors: the provider logs them; nothing is said or stored.
    return error


def _store_down(error: StoreUnavailable) -> Response:
    logger.warning("phone: store unavailable, apologising to the caller")
    return apology()


def _unexpected(error: Exception) -> Response:
    logger.exception("phone: unhandled error")
    return apology()


def apology() -> Response:
    """Valid TwiML saying sorry and hanging up: a caller never hears an application error (in
    the call's language when its URL names one: the store may be what failed)."""
    speech = twiml.ENGLISH
    try:
        settings = current_app.extensions["settings"]
        catalog = current_app.extensions["catalog"].get()
        code = request.args.get("lang", "")
        voice = scenes.voice_for(settings, catalog, code if code in catalog.languages
                                 else DEFAULT_LANGUAGE)
        sound, speech = voice.prompt("trouble"), voice.speech
    except Exception:  # the apology itself must not fail
        sound = twiml.Sound("trouble", text=LAST_RESORT)
    return Response(twiml.farewell([sound], speech), mimetype="text/xml")
