"""What a handler needs beyond the request: settings, store, catalog, the listener's key, time.

The `/alexa` route builds one `Services` per request and passes it to ask-sdk as the invocation
context, so handlers never reach for Flask globals and tests can see exactly what they use.
Also the few readers of the request envelope that several handlers share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

from ..catalog import Catalog
from ..checkins import Checkins
from ..library import DEFAULT_LANGUAGE
from ..settings import Settings
from ..store import Store
from .speech import Speech
from .tokens import Token, parse_token


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    catalog: Catalog
    """The view in the request's language (`catalog.in_language`): its practices and audio."""
    listener_key: str
    """HMAC of the Alexa user id: the only identity the skill keeps."""
    event_ms: int
    """The request's own timestamp in ms since the epoch: orders out-of-order events."""
    checkins: Checkins
    """The check-in API (`voice_app.checkins`): whether to ask, and where answers go."""
    heard_crisis: bool = False
    """A slot value of this request holds words of crisis (`voice_app.crisis`): only the crisis
    handler may answer it."""
    language: str = DEFAULT_LANGUAGE
    """The request's language, from its locale ("es-US" → "es"): every word said is in it."""

    @property
    def speech(self) -> Speech:
        own = self.settings.CRISIS_LINE_ES if self.language == "es" else ""
        return Speech.of(self.catalog.library.language(self.language), own)


def language_of(catalog: Catalog, locale: str | None) -> str:
    """The library language a request's locale asks for: the language whose locale it is
    ("es-US"), else the one named by its first part ("es-MX" → "es"), else English."""
    languages = catalog.library.languages
    locale = (locale or "").strip()
    for code, language in languages.items():
        if language.locale.lower() == locale.lower():
            return code
    prefix = locale.split("-")[0].lower()
    return prefix if prefix in languages else DEFAULT_LANGUAGE


def talk(handler_input: HandlerInput) -> Speech:
    """What to say, in the request's language."""
    return services(handler_input).speech


@dataclass(frozen=True)
class PlayerState:
    """What the device says it was playing (the request's AudioPlayer context)."""

    token: Token | None
    offset_ms: int
    activity: str


def services(handler_input: HandlerInput) -> Services:
    context = handler_input.context
    if not isinstance(context, Services):
        raise TypeError("the /alexa route passes Services as the invocation context")
    return context


def request_type(handler_input: HandlerInput) -> str:
    return str(handler_input.request_envelope.request.object_type)


def in_session(handler_input: HandlerInput) -> bool:
    return handler_input.request_envelope.session is not None


def player_state(handler_input: HandlerInput) -> PlayerState:
    """The device's player; AudioPlayer events and PlaybackController commands carry their own
    token and offset, which win over the context."""
    context = handler_input.request_envelope.context
    player = getattr(context, "audio_player", None)
    token = getattr(player, "token", None)
    offset = getattr(player, "offset_in_milliseconds", None)
    activity = getattr(player, "player_activity", None)
    request = handler_input.request_envelope.request
    token = getattr(request, "token", None) or token
    request_offset = getattr(request, "offset_in_milliseconds", None)
    offset = request_offset if request_offset is not None else offset
    return PlayerState(parse_token(token), int(offset or 0), _activity_name(activity))


def supports_audio(handler_input: HandlerInput) -> bool:
    """False when the request says this device has no AudioPlayer (it would fail a Play).

    A request without device information is given the benefit of the doubt: every request
    from a device carries `context.System.device.supportedInterfaces`."""
    system = getattr(handler_input.request_envelope.context, "system", None)
    device = getattr(system, "device", None)
    if device is None:
        return True
    interfaces = getattr(device, "supported_interfaces", None)
    return getattr(interfaces, "audio_player", None) is not None


def _activity_name(activity: Any) -> str:
    return str(getattr(activity, "value", activity or "IDLE"))


def slot(handler_input: HandlerInput, name: str) -> Any | None:
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    slots = getattr(intent, "slots", None) or {}
    return slots.get(name)


def slot_text(handler_input: HandlerInput, name: str) -> str | None:
    value = getattr(slot(handler_input, name), "value", None)
    return value.strip() if isinstance(value, str) and value.strip() and value != "?" else None


def resolved_ids(handler_input: HandlerInput, name: str) -> tuple[str, ...]:
    """Entity-resolution ids with ER_SUCCESS_MATCH, best first (empty if none matched)."""
    return tuple(v.id or v.name for v in _matched_values(handler_input, name))


def resolved_names(handler_input: HandlerInput, name: str) -> tuple[str, ...]:
    """The canonical slot values entity resolution matched (synonyms resolve to these)."""
    return tuple(v.name for v in _matched_values(handler_input, name) if v.name)


def _matched_values(handler_input: HandlerInput, name: str) -> list[Any]:
    resolutions = getattr(slot(handler_input, name), "resolutions", None)
    found: list[Any] = []
    for authority in getattr(resolutions, "resolutions_per_authority", None) or ():
        code = getattr(getattr(authority.status, "code", None), "value", None)
        if code == "ER_SUCCESS_MATCH":
            found += [v.value for v in authority.values or ()]
    return found


def session_get(handler_input: HandlerInput, key: str) -> Any:
    if not in_session(handler_input):
        return None
    return handler_input.attributes_manager.session_attributes.get(key)


def session_set(handler_input: HandlerInput, **values: Any) -> None:
    if in_session(handler_input):
        handler_input.attributes_manager.session_attributes.update(values)
