"""TwiML for the hotline, built with the `twilio` package: pure functions from sounds to XML.

Every response is one of four shapes, the only ones the flow needs:
- `gather`: a `<Gather>` holding sounds (and pauses), then a `<Redirect>` to the same action,
  for providers that do not honour `actionOnEmptyResult` (the caller never hears a difference);
- `farewell`: sounds, then `<Hangup>`;
- `dial`: sounds, then `<Dial>` (a caller in crisis asked to be connected);
- `empty`: `<Response/>` (status callbacks).
Only `<Say>`, `<Play>` and `<Pause>` are ever nested in a `<Gather>`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from twilio.twiml.voice_response import Gather, VoiceResponse

from .flow import Silence

LANGUAGE = "en-US"
"""The default locale (English calls): `<Gather>` listens in it and `<Say>` speaks it."""


@dataclass(frozen=True)
class Speech:
    """A call's language for the provider: the locale `<Gather>` recognises speech in and `<Say>`
    speaks, and the `<Say>` voice (empty: the provider's default)."""

    locale: str = LANGUAGE
    voice: str = ""


ENGLISH = Speech()


@dataclass(frozen=True)
class Sound:
    """One thing the caller hears: a recording (`url`) or, as a fallback, `<Say>` of `text`."""

    name: str
    """Prompt name or segment file: what logs and the simulator show."""
    url: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class Listen:
    """How a `<Gather>` listens: keys to collect and how long to wait."""

    action: str
    num_digits: int = 1
    timeout_s: int = 5
    hints: str = ""
    playback: bool = False
    """During a practice: every key (also * and #) is a command, and silence moves on."""


def gather(sounds: Sequence[Sound], listen: Listen, silence: Silence | None = None,
           speech: Speech = ENGLISH) -> str:
    response = VoiceResponse()
    timeout = silence.timeout_s if silence else listen.timeout_s
    attributes = {
        "input": "dtmf speech", "action": listen.action, "method": "POST",
        "num_digits": listen.num_digits, "timeout": timeout, "speech_timeout": "auto",
        "language": speech.locale, "action_on_empty_result": True,
    }
    if listen.hints:
        attributes["hints"] = listen.hints
    if listen.playback or listen.num_digits > 1:
        # Empty finishOnKey: '#' and '*' arrive as digits instead of ending the input.
        attributes["finish_on_key"] = "" if listen.playback else "#"
    element = Gather(**attributes)
    _add_sounds(element, sounds, speech)
    for seconds in silence.pauses_s if silence else ():
        element.pause(length=seconds)
    response.append(element)
    response.redirect(listen.action, method="POST")
    return str(response.to_xml())


def farewell(sounds: Iterable[Sound], speech: Speech = ENGLISH) -> str:
    response = VoiceResponse()
    _add_sounds(response, sounds, speech)
    response.hangup()
    return str(response.to_xml())


def dial(sounds: Iterable[Sound], number: str, action: str, caller_id: str | None = None,
         ring_s: int = 40, speech: Speech = ENGLISH) -> str:
    """Sounds, then `<Dial>` connecting this caller to `number`; Twilio posts `action` when the
    dialled call ends (or fails). Without `caller_id` the caller's own number is passed on, which
    is what the 988 Lifeline routes by (area code)."""
    response = VoiceResponse()
    _add_sounds(response, sounds, speech)
    attributes: dict[str, str | int] = {"action": action, "method": "POST", "timeout": ring_s}
    if caller_id:
        attributes["caller_id"] = caller_id
    response.dial(number, **attributes)
    return str(response.to_xml())


def empty() -> str:
    return str(VoiceResponse().to_xml())


def _add_sounds(parent: VoiceResponse | Gather, sounds: Iterable[Sound], speech: Speech) -> None:
    for sound in sounds:
        if sound.url:
            parent.play(sound.url)
        elif speech.voice:
            parent.say(sound.text or "", language=speech.locale, voice=speech.voice)
        else:
            parent.say(sound.text or "", language=speech.locale)
