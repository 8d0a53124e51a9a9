"""What the caller hears next, and what that changes in the store: one function per scene.

Each scene builds its TwiML, saves the call's state (and, during a practice, the caller's
position, so a dropped call can be continued even without a status callback), and returns XML.
Routes decide which scene; scenes never read the request.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from ..catalog import Catalog, Practice, Variant
from ..checkins import Checkins
from ..library import DEFAULT_LANGUAGE
from ..settings import Settings
from ..store import Position, Store
from . import flow, menu, state, twiml
from .flow import Silence
from .speech import spoken_digits
from .state import CallState
from .twiml import Listen, Sound
from .voice import Voice

MAX_MISSES = 3
LENGTH_TIMEOUT_S = 4


@dataclass(frozen=True)
class Call:
    """One webhook's view of one call: where things are, and the state it arrived with."""

    settings: Settings
    store: Store
    catalog: Catalog
    voice: Voice
    key: str
    state: CallState
    checkins: Checkins | None = None

    @property
    def language(self) -> str:
        return self.voice.language_code

    def url(self, action: str, **params: str | int) -> str:
        """An action URL; a call in another language than English carries it (`lang`), since
        the practice, minutes and segment it names are that language's audio."""
        base = f"{self.settings.PUBLIC_BASE_URL.rstrip('/')}/phone/{action}"
        if self.language != DEFAULT_LANGUAGE:
            params = {**params, "lang": self.language}
        return f"{base}?{urlencode(params)}" if params else base

    def save(self, new_state: CallState) -> None:
        state.save(self.store, self.key, replace(new_state, language=self.language))

    def with_state(self, new_state: CallState) -> Call:
        return replace(self, state=new_state)

    def speaking(self, code: str) -> Call:
        """This call in language `code`: its practices, prompts, words and voice."""
        return replace(self, catalog=self.catalog.in_language(code),
                       voice=voice_for(self.settings, self.catalog, code),
                       state=replace(self.state, language=code))

    def gather(self, sounds: Sequence[Sound], listen: Listen, silence: Silence | None = None
               ) -> str:
        return twiml.gather(sounds, listen, silence, self.voice.speech)

    def hints(self, name: str) -> str:
        """A word list of the phone's section as speech hints ("yes, connect me, no")."""
        return ", ".join(self.voice.words.lists.get(name, ()))

    @property
    def asks_checkins(self) -> bool:
        """Check-ins can be asked on this call: the deployment has them, the number is known."""
        return bool(self.checkins and self.checkins.mode != "off" and self.state.listener_key)


def voice_for(settings: Settings, catalog: Catalog, code: str) -> Voice:
    """The voice of language `code` (its catalog view, its own crisis line if it has one)."""
    return Voice(catalog.in_language(code), settings.audio_base_url, settings.CRISIS_LINE,
                 code, settings.CRISIS_LINE_ES if code == "es" else "")


def other_language(call: Call) -> str | None:
    """The language the language key switches to: from English, the first other language with
    practices built; from any other, English. None without a language key or a second
    language."""
    codes = call.catalog.languages
    if "language" not in call.catalog.library.keys or len(codes) < 2:
        return None
    if call.language != DEFAULT_LANGUAGE:
        return DEFAULT_LANGUAGE
    return next(code for code in codes if code != DEFAULT_LANGUAGE)


def language_offer(call: Call) -> list[Sound]:
    """"Para español, oprime ocho.", said in the other language by its own recording."""
    other = other_language(call)
    if other is None:
        return []
    voice = call.speaking(other).voice
    return [voice.prompt("language_offer")] if voice.has("language_offer") else []


@dataclass(frozen=True)
class Place:
    """A segment of one variant of one practice: where a playing or paused call is."""

    practice: Practice
    variant: Variant
    index: int


def now_ms() -> int:
    return int(time.time() * 1000)


def menu_scene(call: Call, page: menu.Page | None = None, *, greet: bool = False,
               sorry: bool = False, misses: int = 0, lead: Sequence[Sound] = ()) -> str:
    page = page or menu.first_page(call.catalog.library)
    sounds = [call.voice.greeting()] if greet else [*lead]
    if sorry:
        sounds.append(call.voice.prompt("not_understood"))
    sounds.append(call.voice.prompt(page.prompt))
    if greet:
        # After the first menu, not before it: the first words of a practice stay within
        # reach of an English caller who listens (tests/test_phone_timing.py); the key works
        # from the greeting's first word.
        sounds += language_offer(call)
    call.save(CallState(listener_key=call.state.listener_key, stage="menu", misses=misses,
                        supported=call.state.supported))
    other = other_language(call)
    switch = call.speaking(other).voice.words.lists.get("switch_language", ()) if other else ()
    hints = ", ".join(filter(None, [menu.hints(call.catalog, call.voice.language),
                                    ", ".join(switch)]))
    listen = Listen(action=call.url("menu", menu=page.menu, page=page.number), hints=hints)
    return call.gather(sounds, listen)


def help_scene(call: Call, *, sorry: bool = False, misses: int = 0) -> str:
    """Help at the first menu: keys, not a crisis line, privacy, and key 7 to forget."""
    sounds = [call.voice.prompt("not_understood")] if sorry else []
    sounds.append(call.voice.prompt("menu_help"))
    if call.asks_checkins and call.voice.has("help_checkin"):
        sounds.append(call.voice.prompt("help_checkin"))
    call.save(CallState(listener_key=call.state.listener_key, stage="help", misses=misses,
                        supported=call.state.supported))
    return call.gather(sounds, Listen(action=call.url("help"), hints=call.hints("hints_help")))


def forget_scene(call: Call) -> str:
    """Ask before deleting; a withheld number hears that nothing is kept about it."""
    if not call.state.listener_key:
        return menu_scene(call, lead=[call.voice.prompt("forget_withheld")])
    call.save(CallState(listener_key=call.state.listener_key, stage="forget",
                        supported=call.state.supported))
    return call.gather([call.voice.prompt("forget_confirm")],
                       Listen(action=call.url("forget"), hints=call.hints("hints_forget")))


def forgotten_scene(call: Call) -> str:
    """Delete everything kept under the caller's key, say so, and go back to the menu."""
    listener = call.state.listener_key
    rows = call.store.forget(listener) if listener else 0
    return menu_scene(call, lead=[call.voice.prompt("forgotten" if rows
                                                    else "forget_nothing_saved")])


def out_of_tries(call: Call) -> str | None:
    """After the third answer in a row not understood, a kind goodbye; else None (ask again)."""
    if call.state.misses + 1 >= MAX_MISSES:
        return goodbye_scene(call, [call.voice.prompt("not_understood")])
    return None


def length_scene(call: Call, practice: Practice, *, sorry: bool = False, misses: int = 0) -> str:
    sounds = [call.voice.prompt("not_understood")] if sorry else []
    sounds.append(call.voice.lengths_question(practice))
    call.save(call.state.with_(stage="length", practice_id=practice.practice_id, misses=misses,
                               minutes=None, segment=None))
    digits = flow.length_digits(practice.lengths)
    words = call.voice.words.texts
    hints = ", ".join(words.get("hint_minute" if n == 1 else "hint_minutes", "{minutes}").format(
        minutes=n) for n in practice.lengths)
    listen = Listen(action=call.url("length", p=practice.practice_id), num_digits=digits,
                    timeout_s=LENGTH_TIMEOUT_S if digits > 1 else 5, hints=hints)
    return call.gather(sounds, listen)


def segment_scene(call: Call, place: Place, lead: Sequence[Sound] = ()) -> str:
    """Play one segment and its silence in one interruptible Gather."""
    segment = place.variant.phone[place.index]
    call.save(call.state.with_(stage="playing", practice_id=place.practice.practice_id,
                               minutes=place.variant.minutes, segment=place.index, misses=0))
    save_position(call, place, "playing")
    listen = Listen(action=call.url("play", **_where(place)),
                    hints=menu.playback_hints(call.voice.language), playback=True)
    return call.gather([*lead, call.voice.segment(segment)], listen,
                       flow.silence(segment.pause_after_ms))


def paused_scene(call: Call, place: Place, round_: int, lead: Sequence[Sound] | None = None
                 ) -> str:
    """A soft prompt and a long wait; `lead` None means the prompt for this round."""
    if lead is None:
        lead = [call.voice.prompt("paused" if round_ == 0 else "still_paused")]
    call.save(call.state.with_(stage="paused", practice_id=place.practice.practice_id,
                               minutes=place.variant.minutes, segment=place.index))
    save_position(call, place, "paused")
    listen = Listen(action=call.url("paused", **_where(place), r=round_),
                    hints=menu.playback_hints(call.voice.language), playback=True)
    return call.gather(lead, listen, flow.silence(flow.PAUSED_WAIT_S * 1000))


def _where(place: Place) -> dict[str, str | int]:
    return {"p": place.practice.practice_id, "m": place.variant.minutes, "s": place.index}


def done_scene(call: Call, place: Place) -> str:
    """The practice played to its end: kept in the history, the place cleared, the check-in
    session finished; then the after question when this practice's check-in is still due, else
    "that is the end of the practice"."""
    listener = call.state.listener_key
    session = call.state.session
    if listener:
        call.store.record_completion(listener, place.practice.practice_id, place.variant.minutes,
                                     "phone")
        call.store.clear_position(listener, now_ms())
        if session is not None and call.checkins is not None:
            call.checkins.finish(session, listener_key=listener)
            due = call.checkins.awaiting_after(listener)
            if due is not None and due.session_id == session:
                return after_scene(call)
    return practice_done_scene(call)


def practice_done_scene(call: Call, lead: Sequence[Sound] = ()) -> str:
    call.save(call.state.with_(stage="done", segment=None, session=None))
    return call.gather([*lead, call.voice.prompt("practice_done")],
                       Listen(action=call.url("done")))


# --- the check-in (docs/checkin.md) ---------------------------------------------------------

def checkin_scene(call: Call, practice: Practice, variant: Variant) -> str:
    """Before the practice: the question with its scale, one key; `#` or silence goes on."""
    text = call.voice.language.checkin.question()
    call.save(call.state.with_(stage="checkin", practice_id=practice.practice_id,
                               minutes=variant.minutes, segment=None, session=None, misses=0))
    listen = Listen(action=call.url("checkin", p=practice.practice_id, m=variant.minutes),
                    hints=checkin_hints(call), playback=True)
    return call.gather([call.voice.say("checkin_before", text)], listen)


def after_scene(call: Call) -> str:
    """After the last segment: the same question, introduced as after the practice."""
    text = call.voice.language.checkin.question(after=True)
    call.save(call.state.with_(stage="after", segment=None, misses=0))
    listen = Listen(action=call.url("after"), hints=checkin_hints(call), playback=True)
    return call.gather([call.voice.say("checkin_after", text)], listen)


def checkin_hints(call: Call) -> str:
    words = call.voice.language.checkin
    return ", ".join([*words.labels, *words.words.get("skip", ())])


def checkin_said(call: Call, name: str, text: str) -> Sound:
    """A check-in sentence: its recording (`checkin_<name>`, e.g. checkin_said_back_3) while it
    says `text`, else `<Say>` (the support lines and the week hold values: always said)."""
    return call.voice.say(f"checkin_{name}", text)


def support_sound(call: Call, *, after: bool = False) -> Sound:
    """What a 5 hears, once: the staff-support line when there is one, and the crisis line
    (`after`: the answer came after the practice)."""
    support = call.settings.SUPPORT_LINE
    text = call.voice.language.checkin.support(
        call.voice.crisis_line_text, spoken_digits(support) if support else "", after=after)
    return checkin_said(call, "support", text)


def offer_scene(call: Call, place: Place, *, greet: bool = True, sorry: bool = False,
                misses: int = 0) -> str:
    sounds = [call.voice.greeting()] if greet else []
    if sorry:
        sounds.append(call.voice.prompt("not_understood"))
    sounds.append(call.voice.resume_offer(place.practice))
    call.save(call.state.with_(stage="offer", practice_id=place.practice.practice_id,
                               minutes=place.variant.minutes, segment=place.index, misses=misses))
    return call.gather(sounds, Listen(action=call.url("resume"), hints=call.hints("hints_offer")))


def goodbye_scene(call: Call, lead: Sequence[Sound] = (), prompt: str = "goodbye") -> str:
    call.store.delete_call(call.key)
    return twiml.farewell([*lead, call.voice.prompt(prompt)], call.voice.speech)


def leave_scene(call: Call, place: Place, status: str, prompt: str = "goodbye") -> str:
    """End the call part-way through a practice, keeping the caller's place."""
    save_position(call, place, status)
    return goodbye_scene(call, prompt=prompt)


def save_position(call: Call, place: Place, status: str) -> None:
    listener = call.state.listener_key
    if not listener:
        return
    segment = place.variant.phone[place.index]
    call.store.save_position(listener, Position(
        practice_id=place.practice.practice_id, minutes=place.variant.minutes,
        audio_sha=place.variant.sha256, offset_ms=segment.start_ms, step=segment.step,
        status=status, channel="phone", event_ms=now_ms(), language=place.practice.language))


def find_place(catalog: Catalog, practice_id: str | None, minutes: int | None,
               index: int | None) -> Place | None:
    """The place named by an action URL or a saved state, or None if the catalog lost it."""
    practice = catalog.get(practice_id or "")
    variant = practice.variant(minutes or 0) if practice else None
    if practice is None or variant is None or index is None or not 0 <= index < len(variant.phone):
        return None
    return Place(practice, variant, index)


# --- words of crisis ------------------------------------------------------------------------

CRISIS_ROUNDS = 2
"""The crisis response is said again once after silence, then the call ends kindly (the number
said once more), so an open line does not loop."""


def crisis_scene(call: Call, place: Place | None = None, *, round_: int = 0,
                 lead: Sequence[Sound] = ()) -> str:
    """The crisis line instead of a practice, and an offer to connect the call. A practice that
    was playing keeps its place (paused). Never counted as a miss."""
    if place is not None:
        save_position(call, place, "paused")
    sounds = [*lead, call.voice.prompt("crisis")]
    if call.settings.SUPPORT_LINE:
        sounds.append(call.voice.support_offer(call.settings.SUPPORT_LINE))
    sounds.append(call.voice.prompt("crisis_connect"))
    call.save(call.state.with_(stage="crisis", misses=0))
    listen = Listen(action=call.url("crisis", r=round_), hints=call.hints("hints_crisis"))
    return call.gather(sounds, listen)


def crisis_dial_scene(call: Call, number: str, caller: str, called: str,
                      prompt: str = "crisis_connecting") -> str:
    """Put the caller through. Their own caller id goes with the call (the Lifeline routes by
    area code); a withheld one is replaced by the number they called, which Twilio accepts and
    the Lifeline can still route by."""
    caller_id = called if flow.is_withheld(caller) and not flow.is_withheld(called) else None
    call.save(call.state.with_(stage="crisis", misses=0))
    return twiml.dial([call.voice.prompt(prompt)], number, call.url("crisis-end"),
                      caller_id=caller_id, speech=call.voice.speech)


def crisis_goodbye_scene(call: Call) -> str:
    return goodbye_scene(call, prompt="crisis_goodbye")
