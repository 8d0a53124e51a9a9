"""Response shapes: speech that listens, speech that ends, play, stop, and silence.

Play responses always carry exactly one `AudioPlayer.Play` (REPLACE_ALL) with an https URL, a
token naming practice, length and audio hash, metadata for screen devices, and
`shouldEndSession: true` — except the check-in's question before a practice (`play_and_ask`),
which leaves the session open. Silent responses (AudioPlayer events, system requests) carry nothing
at all: no speech, card, reprompt or session flag. A device without an audio player never gets
an AudioPlayer directive: it hears where else to listen (`needs_audio`), and a stop only ends
the session.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.interfaces.audioplayer import (
    AudioItem,
    AudioItemMetadata,
    PlayBehavior,
    PlayDirective,
    StopDirective,
    Stream,
)
from ask_sdk_model.ui import SimpleCard

from ..settings import Settings
from .playback import Cue
from .services import supports_audio, talk
from .tokens import Token


def play(handler_input: HandlerInput, settings: Settings, cue: Cue,
         say: str | None = None) -> Response:
    builder = handler_input.response_builder
    if say:
        builder.speak(say)
    builder.add_directive(play_directive(handler_input, settings, cue))
    return builder.set_should_end_session(True).response


def play_and_ask(handler_input: HandlerInput, settings: Settings, cue: Cue, say: str,
                 reprompt: str) -> Response:
    """The Play directive with a question and the session left open: per Amazon's AudioPlayer
    reference, Alexa sends the stream to the device and pauses it to listen for the answer; the
    stream plays once the session closes, answered or not (the check-in before a practice)."""
    builder = handler_input.response_builder.speak(say).ask(reprompt)
    builder.add_directive(play_directive(handler_input, settings, cue))
    return builder.set_should_end_session(False).response


def play_directive(handler_input: HandlerInput, settings: Settings, cue: Cue) -> PlayDirective:
    token = Token(cue.practice.practice_id, cue.variant.minutes, cue.variant.sha256)
    stream = Stream(token=token.encode(), url=audio_url(settings, cue.variant.file),
                    offset_in_milliseconds=cue.offset_ms)
    metadata = AudioItemMetadata(title=cue.practice.title,
                                 subtitle=talk(handler_input).subtitle(cue.variant.minutes))
    return PlayDirective(play_behavior=PlayBehavior.REPLACE_ALL,
                         audio_item=AudioItem(stream=stream, metadata=metadata))


def needs_audio(handler_input: HandlerInput, settings: Settings) -> Response:
    """No directive: the device cannot play audio. Where to listen instead, said and on a card."""
    web = settings.PUBLIC_BASE_URL.rstrip("/")
    host = web.split("://", 1)[-1]
    speech = talk(handler_input)
    builder = handler_input.response_builder.speak(speech.needs_audio(host))
    builder.set_card(SimpleCard(speech.text("needs_audio_card_title"),
                                speech.needs_audio_card(web)))
    return builder.set_should_end_session(True).response


def replay(handler_input: HandlerInput, settings: Settings, cue: Cue) -> Response:
    """A Play directive and nothing else: the answer to an AudioPlayer event (no speech,
    card, reprompt or session flag is allowed there)."""
    return handler_input.response_builder.add_directive(
        play_directive(handler_input, settings, cue)).response


def audio_url(settings: Settings, file: str) -> str:
    return f"{settings.audio_base_url}/{file}"


def stop(handler_input: HandlerInput, *, end_session: bool = True) -> Response:
    builder = handler_input.response_builder
    if supports_audio(handler_input):
        builder.add_directive(StopDirective())
    if end_session:
        builder.set_should_end_session(True)
    return builder.response


def ask(handler_input: HandlerInput, say: str, reprompt: str | None = None) -> Response:
    reprompt = reprompt or talk(handler_input).reprompt()
    builder = handler_input.response_builder.speak(say).ask(reprompt)
    return builder.set_should_end_session(False).response


def tell(handler_input: HandlerInput, say: str) -> Response:
    return handler_input.response_builder.speak(say).set_should_end_session(True).response


def silent(handler_input: HandlerInput) -> Response:
    return handler_input.response_builder.response
