"""A listener's place in a practice: saved on play, pause and events; found again on resume.

The store orders writes by the request's own timestamp, so an event that arrives late never
overwrites newer progress. Stops for a stream that was already replaced are ignored too.

A place is shared across languages: it remembers the language of its audio (`Position.language`),
and a resume plays the audio it was in, whatever the language of the request that resumes it
(the welcome back says which language that is). A stream token names its audio by hash, so the
language of a device's stream is the language whose audio has that hash (`audio_view`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from ..catalog import Catalog
from ..metrics import count_practice
from ..store import Position
from . import responses
from .playback import Cue, locate
from .services import PlayerState, player_state, services, supports_audio
from .tokens import Token, parse_token

logger = logging.getLogger(__name__)

CHANNEL = "alexa"


LIVE = frozenset({"PLAYING", "PAUSED"})
"""Player activities in which the device's own token and offset are trusted over the store."""
DONE = frozenset({"FINISHED", "IDLE"})
"""Player activities with nothing left to resume on the device."""


def play_and_save(handler_input: HandlerInput, cue: Cue, say: str | None = None, *,
                  started: bool = False) -> Response:
    """Remember the cue as playing, then answer with the Play directive (`started`: a practice
    begins, counted for /metrics).

    A device without an audio player gets a spoken pointer to the web instead, and nothing is
    stored or counted."""
    found = services(handler_input)
    if not supports_audio(handler_input):
        return responses.needs_audio(handler_input, found.settings)
    save_cue(handler_input, cue)
    if started:
        count_practice("started", CHANNEL)
    return responses.play(handler_input, found.settings, cue, say)


def save_cue(handler_input: HandlerInput, cue: Cue) -> None:
    """Remember `cue` as playing (its Play directive is in this answer)."""
    found = services(handler_input)
    found.store.save_position(found.listener_key, Position(
        practice_id=cue.practice.practice_id, minutes=cue.variant.minutes,
        audio_sha=cue.variant.sha256, offset_ms=cue.offset_ms, step=cue.step,
        status="playing", channel=CHANNEL, event_ms=found.event_ms,
        language=cue.practice.language))


def save_player(handler_input: HandlerInput, status: str, *, only_current: bool = False) -> bool:
    """Save where the device's player is (its token and offset) with `status`.

    `only_current`: ignore a stream other than the one stored (a stop for a stream that a newer
    Play replaced). True if a position was stored.
    """
    found = services(handler_input)
    state = player_state(handler_input)
    if state.token is None:
        return False
    if only_current:
        stored = found.store.get_position(found.listener_key)
        if stored is not None and _token_of(stored) != state.token:
            logger.debug("ignoring %s for a replaced stream", status)
            return False
    stored_step = _step_for(handler_input, state)
    return found.store.save_position(found.listener_key, Position(
        practice_id=state.token.practice_id, minutes=state.token.minutes,
        audio_sha=state.token.audio_sha, offset_ms=state.offset_ms, step=stored_step,
        status=status, channel=CHANNEL, event_ms=found.event_ms,
        language=audio_view(handler_input, state.token).language))


def audio_view(handler_input: HandlerInput, token: Token) -> Catalog:
    """The catalog view in the language of the audio `token` names: the language whose variant
    has its hash; for audio rebuilt since, the language of the saved place when it is the same
    practice; else the request's language."""
    found = services(handler_input)
    for code in found.catalog.languages:
        view = found.catalog.in_language(code)
        practice = view.get(token.practice_id)
        if practice is not None and any(v.sha256 == token.audio_sha for v in practice.variants):
            return view
    stored = found.store.get_position(found.listener_key)
    if stored is not None and stored.practice_id == token.practice_id:
        return found.catalog.in_language(stored.language)
    return found.catalog


def _step_for(handler_input: HandlerInput, state: PlayerState) -> int:
    assert state.token is not None
    catalog = audio_view(handler_input, state.token)
    practice = catalog.get(state.token.practice_id)
    variant = practice.variant(state.token.minutes) if practice else None
    return variant.step_at(state.offset_ms) if variant else 0


def _token_of(position: Position) -> Token:
    return Token(position.practice_id, position.minutes, position.audio_sha)


def saved_position(handler_input: HandlerInput) -> Position | None:
    found = services(handler_input)
    return found.store.get_position(found.listener_key)


def saved_cue(handler_input: HandlerInput) -> Cue | None:
    """Where the listener left off (any device), adjusted for audio rebuilt since."""
    position = saved_position(handler_input)
    if position is None:
        return None
    return locate(saved_view(handler_input, position), position.practice_id, position.minutes,
                  position.audio_sha, position.offset_ms, position.step)


def saved_view(handler_input: HandlerInput, position: Position) -> Catalog:
    """The catalog view in the language of a saved place's audio."""
    return services(handler_input).catalog.in_language(position.language)


def device_cue(handler_input: HandlerInput) -> Cue | None:
    """What this device is playing right now, by its player's token and offset."""
    state = player_state(handler_input)
    if state.token is None:
        return None
    catalog = audio_view(handler_input, state.token)
    practice = catalog.get(state.token.practice_id)
    variant = practice.variant(state.token.minutes) if practice else None
    step = variant.step_at(state.offset_ms) if variant else 0
    return locate(catalog, state.token.practice_id, state.token.minutes, state.token.audio_sha,
                  state.offset_ms, step)


def current_cue(handler_input: HandlerInput) -> Cue | None:
    """For next, previous, repeat and start over: the device's stream, else the saved one."""
    return device_cue(handler_input) or saved_cue(handler_input)


def resume_cue(handler_input: HandlerInput) -> Cue | None:
    """For resume: this device's stream while it is playing or paused (the context has no
    timestamp to compare, and what the device holds is what the listener hears); else the
    saved position (newest by event time, across devices); else the device's last stream,
    unless it played to its end."""
    activity = player_state(handler_input).activity
    if activity in LIVE and (cue := device_cue(handler_input)) is not None:
        return cue
    saved = saved_cue(handler_input)
    if saved is not None or activity in DONE:
        return saved
    return device_cue(handler_input)


def live_cue(handler_input: HandlerInput) -> Cue | None:
    """The device's stream when it is one of ours and playing or paused right now."""
    if player_state(handler_input).activity not in LIVE:
        return None
    return device_cue(handler_input)


def finished_on_device(handler_input: HandlerInput) -> Cue | None:
    """The practice this device last played to its end, if that is what its player says."""
    if player_state(handler_input).activity != "FINISHED":
        return None
    return device_cue(handler_input)


def finish(handler_input: HandlerInput) -> None:
    """The stream played to its end: record the practice, end its check-in session (the
    listener's latest, when it is this practice on Alexa) and forget the position (unless the
    saved position is already another stream's)."""
    found = services(handler_input)
    token = player_state(handler_input).token
    if token is None:
        return
    at = datetime.fromtimestamp(found.event_ms / 1000, UTC)
    found.store.record_completion(found.listener_key, token.practice_id, token.minutes, CHANNEL,
                                  at)
    count_practice("finished", CHANNEL)
    latest = found.checkins.latest(found.listener_key)
    if latest is not None and latest.channel == CHANNEL and latest.finished_at is None \
            and (latest.practice_id, latest.minutes) == (token.practice_id, token.minutes):
        found.checkins.finish(latest.session_id, at, listener_key=found.listener_key)
    stored = found.store.get_position(found.listener_key)
    if stored is None or _token_of(stored) == token:
        found.store.clear_position(found.listener_key, found.event_ms)


RETRYING = "retrying"
"""Stored status while the one retry after a PlaybackFailed is under way."""


def retry_after_failure(handler_input: HandlerInput) -> Response:
    """A stream failed: play it once more from where it was; if that fails too, stop there and
    keep the place for a resume.

    The retry is remembered in the stored position (status `retrying`), so a second failure of
    the same stream ends the loop; PlaybackStarted sets `playing` again, so a failure much
    later gets its own retry. Amazon allows AudioPlayer directives, and nothing else, in the
    answer to a PlaybackFailed."""
    found = services(handler_input)
    request = handler_input.request_envelope.request
    token = parse_token(getattr(request, "token", None))
    if token is None:
        return responses.silent(handler_input)
    stored = found.store.get_position(found.listener_key)
    same = stored is not None and _token_of(stored) == token
    offset_ms = _failed_offset(handler_input, token, stored if same else None)
    status = "paused" if same and stored is not None and stored.status == RETRYING \
        else RETRYING
    view = audio_view(handler_input, token)
    cue = locate(view, token.practice_id, token.minutes, token.audio_sha, offset_ms,
                 stored.step if same and stored is not None else 0)
    if cue is None:
        return responses.silent(handler_input)
    found.store.save_position(found.listener_key, Position(
        practice_id=token.practice_id, minutes=token.minutes, audio_sha=token.audio_sha,
        offset_ms=offset_ms, step=cue.step, status=status, channel=CHANNEL,
        event_ms=found.event_ms, language=view.language))
    if status != RETRYING:
        logger.warning("playback failed twice; keeping the place for a resume")
        return responses.silent(handler_input)
    return responses.replay(handler_input, found.settings, cue)


def _failed_offset(handler_input: HandlerInput, token: Token, stored: Position | None) -> int:
    """Where the failed stream was: the device's playback state if it is that stream, else the
    offset we last asked it to play from."""
    state = getattr(handler_input.request_envelope.request, "current_playback_state", None)
    offset = getattr(state, "offset_in_milliseconds", None)
    if parse_token(getattr(state, "token", None)) == token and offset:
        return int(offset)
    return stored.offset_ms if stored is not None else 0
