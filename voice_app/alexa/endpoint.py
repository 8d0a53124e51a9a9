"""`POST /alexa`: admit the request (size, verification, JSON), then dispatch through ask-sdk.

A refused request answers 400 with a log line naming the failed check, before anything is read
from or written to the store. An oversized body is refused with 413 by Flask's
MAX_CONTENT_LENGTH before it is read.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope
from flask import Blueprint, abort, current_app, jsonify, request

from ..crisis import heard_crisis
from ..keys import listener_key
from ..settings import Settings
from .certs import VerificationError
from .services import Services, language_of
from .verify import RequestVerifier, check_application_id, parse_body, request_time_ms, user_id

logger = logging.getLogger(__name__)

blueprint = Blueprint("alexa", __name__)


@dataclass(frozen=True)
class AlexaEndpoint:
    skill: CustomSkill
    verifier: RequestVerifier | None
    """None only when ALEXA_VERIFY=0 (development)."""


@blueprint.post("/alexa")
def alexa():  # type: ignore[no-untyped-def]
    endpoint: AlexaEndpoint = current_app.extensions["alexa"]
    settings: Settings = current_app.extensions["settings"]
    body = request.get_data(cache=False)
    try:
        payload = admit(endpoint, settings, body)
        envelope = endpoint.skill.serializer.deserialize(body.decode("utf-8"), RequestEnvelope)
    except VerificationError as error:
        logger.warning("alexa request refused: %s check failed: %s", error.check, error.detail)
        abort(400)
    except SerializationException as error:
        logger.warning("alexa request refused: envelope check failed: %s", error)
        abort(400)
    catalog = current_app.extensions["catalog"].get()
    language = language_of(catalog, request_locale(payload))
    found = Services(
        settings=settings, store=current_app.extensions["store"],
        catalog=catalog.in_language(language), language=language,
        listener_key=listener_key(settings.SECRET_KEY, "alexa", user_id(payload) or ""),
        event_ms=request_time_ms(payload) or int(time.time() * 1000),
        checkins=current_app.extensions["checkins"],
        heard_crisis=heard_crisis(catalog.crisis, slot_texts(payload)))
    response = endpoint.skill.invoke(request_envelope=envelope, context=found)
    return jsonify(endpoint.skill.serializer.serialize(response))


def request_locale(payload: dict[str, Any]) -> str | None:
    request = payload.get("request")
    locale = request.get("locale") if isinstance(request, dict) else None
    return locale if isinstance(locale, str) else None


def slot_texts(payload: dict[str, Any]) -> list[str]:
    """Every word a listener said into a slot: the values heard and the names they resolved to
    (a custom slot passes words it does not know through as the value)."""
    request = payload.get("request")
    intent = request.get("intent") if isinstance(request, dict) else None
    slots = intent.get("slots") if isinstance(intent, dict) else None
    texts: list[str] = []
    for found in (slots or {}).values():
        if not isinstance(found, dict):
            continue
        texts.append(str(found.get("value") or ""))
        resolutions = (found.get("resolutions") or {}).get("resolutionsPerAuthority") or []
        for authority in resolutions if isinstance(resolutions, list) else []:
            for value in (authority.get("values") or []) if isinstance(authority, dict) else []:
                texts.append(str(((value or {}).get("value") or {}).get("name") or ""))
    return texts


def admit(endpoint: AlexaEndpoint, settings: Settings, body: bytes) -> dict[str, Any]:
    """The request JSON, if it passes every check that is switched on."""
    if endpoint.verifier is None:
        logger.warning("Alexa request verification is OFF (ALEXA_VERIFY=0): development only")
    else:
        endpoint.verifier.check_signature(request.headers, body)
    payload = parse_body(body)
    if endpoint.verifier is not None:
        endpoint.verifier.check_envelope(payload)
    elif settings.ALEXA_SKILL_ID:
        check_application_id(payload, settings.ALEXA_SKILL_ID)
    if user_id(payload) is None:
        raise VerificationError("user-id", "the request names no user")
    return payload
