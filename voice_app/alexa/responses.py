"""Response shapes: speech that listens, speech that ends, play, stop, and silence.

Play responses always carry exactly one `AudioPlayer.Play` (REPLACE_ALL) with an https URL, a
token naming practice, length and audio hash, metadata for screen devices, and
`shouldEndSession: true`. Silent responses (AudioPlayer events, system requests) carry nothing
at all: no speech, card, reprompt or session flag.
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

from ..settings import Settings
from . import speech
from .playback import Cue
from .tokens import Token


def play(handler_input: HandlerInput, settings: Settings, cue: Cue,
         say: str | None = None) -> Response:
    builder = handler_input.response_builder
    if say:
        builder.speak(say)
    token = Token(cue.practice.practice_id, cue.variant.minutes, cue.variant.sha256)
    stream = Stream(token=token.encode(), url=audio_url(settings, cue.variant.file),
                    offset_in_milliseconds=cue.offset_ms)
    metadata = AudioItemMetadata(title=cue.practice.title,
                                 subtitle=speech.subtitle(cue.variant.minutes))
    builder.add_directive(PlayDirective(play_behavior=PlayBehavior.REPLACE_ALL,
                                        audio_item=AudioItem(stream=stream, metadata=metadata)))
    return builder.set_should_end_session(True).response


def audio_url(settings: Settings, file: str) -> str:
    return f"{settings.audio_base_url}/{file}"


def stop(handler_input: HandlerInput, *, end_session: bool = True) -> Response:
    builder = handler_input.response_builder.add_directive(StopDirective())
    if end_session:
        builder.set_should_end_session(True)
    return builder.response


def ask(handler_input: HandlerInput, say: str, reprompt: str | None = None) -> Response:
    builder = handler_input.response_builder.speak(say).ask(reprompt or speech.reprompt())
    return builder.set_should_end_session(False).response


def tell(handler_input: HandlerInput, say: str) -> Response:
    return handler_input.response_builder.speak(say).set_should_end_session(True).response


def silent(handler_input: HandlerInput) -> Response:
    return handler_input.response_builder.response
