"""Webhook checks: the `X-Twilio-Signature` of every request, and well-formed parameters.

The signature covers the URL the provider requested, which the app cannot see behind a TLS
proxy (it sees http and the proxy's port), so the URL is rebuilt from `PUBLIC_BASE_URL` and the
path and query the app received. A failed check answers 403 before anything is read or stored.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from flask import Request, abort
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

from ..settings import Settings

logger = logging.getLogger(__name__)

CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
DIGITS = re.compile(r"^[0-9*#]{0,3}$")
MAX_SPEECH_CHARS = 500
SIGNALWIRE_HEADER = "X-SignalWire-Signature"
"""SignalWire's compatibility API signs the Twilio way under its own header name."""


@dataclass(frozen=True)
class Webhook:
    """The parameters of a webhook the hotline reads (the provider sends many more)."""

    call_sid: str
    caller: str
    called: str
    """The number the caller dialled (ours): the caller id for a `<Dial>` when theirs is
    withheld."""
    digits: str
    said: str
    call_status: str
    dial_status: str = ""
    """`DialCallStatus` on a `<Dial>` action: completed, answered, busy, no-answer, failed,
    canceled."""


def public_url(settings: Settings, request: Request) -> str:
    """The URL the provider signed: PUBLIC_BASE_URL + the path and query as received."""
    query = request.query_string.decode("latin-1")
    url = settings.PUBLIC_BASE_URL.rstrip("/") + request.path
    return f"{url}?{query}" if query else url


def check_signature(settings: Settings, request: Request) -> None:
    """Abort 403 unless the request is signed with TWILIO_AUTH_TOKEN (skipped when unset)."""
    if not settings.TWILIO_AUTH_TOKEN:
        return
    signature = request.headers.get(SIGNATURE_HEADER) or request.headers.get(SIGNALWIRE_HEADER, "")
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    if not signature or not validator.validate(public_url(settings, request), request.form,
                                               signature, algorithm):
        logger.warning("phone webhook refused: bad or missing signature on %s", request.path)
        abort(403)


def read_webhook(request: Request) -> Webhook:
    """The parameters, or 400 when one is malformed (the message names it, no traceback)."""
    form = request.form
    call_sid = form.get("CallSid", "")
    if not CALL_SID.match(call_sid):
        abort(400, "CallSid is missing or malformed")
    digits = form.get("Digits", "").strip()
    if not DIGITS.match(digits):
        abort(400, "Digits must be keypad keys")
    said = form.get("SpeechResult", "")
    if len(said) > MAX_SPEECH_CHARS:
        abort(400, "SpeechResult is too long")
    return Webhook(call_sid=call_sid, caller=form.get("From", ""), called=form.get("To", ""),
                   digits=digits, said=said.strip(),
                   call_status=form.get("CallStatus", "").strip().lower(),
                   dial_status=form.get("DialCallStatus", "").strip().lower())


def query_int(request: Request, name: str, low: int, high: int) -> int:
    """An integer query parameter the TwiML put in an action URL; 400 if absent or odd."""
    raw = request.args.get(name, "")
    if not raw.isdigit() or not low <= int(raw) <= high:
        abort(400, f"query parameter {name} must be a whole number from {low} to {high}")
    return int(raw)


def query_word(request: Request, name: str, pattern: str = r"^[a-z0-9-]{1,100}$") -> str:
    raw = request.args.get(name, "")
    if not re.match(pattern, raw):
        abort(400, f"query parameter {name} is malformed")
    return raw
