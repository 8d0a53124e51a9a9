"""Alexa request verification on `cryptography`: signature, certificate, timestamp, skill id.

Order: the certificate URL and chain (certs.py), then `Signature-256` (RSA PKCS#1 v1.5 with
SHA-256 over the raw body, base64), then — once the body is known to be Amazon's — the JSON's
timestamp (within 150 seconds of now) and application id (equal to ALEXA_SKILL_ID). Each failure
raises `VerificationError` naming the check; nothing has been read from the store or written.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from .certs import Clock, SigningCertificates, VerificationError, utc_now

TIMESTAMP_TOLERANCE_S = 150
SIGNATURE_HEADER = "Signature-256"
CERT_URL_HEADER = "SignatureCertChainUrl"


class RequestVerifier:
    """Checks that a request comes from Alexa, for this skill, just now."""

    def __init__(self, skill_id: str, certificates: SigningCertificates | None = None,
                 clock: Clock = utc_now) -> None:
        self.skill_id = skill_id
        self.certificates = certificates or SigningCertificates(clock=clock)
        self.clock = clock

    def check_signature(self, headers: Mapping[str, str], body: bytes) -> None:
        url = headers.get(CERT_URL_HEADER)
        if not url:
            raise VerificationError("signature-cert-url", f"no {CERT_URL_HEADER} header")
        encoded = headers.get(SIGNATURE_HEADER)
        if not encoded:
            raise VerificationError("signature", f"no {SIGNATURE_HEADER} header")
        key = self.certificates.public_key(url)
        try:
            signature = base64.b64decode(encoded, validate=True)
            key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, binascii.Error, ValueError):
            raise VerificationError("signature", "does not match the body") from None

    def check_envelope(self, payload: Mapping[str, Any]) -> None:
        event_ms = request_time_ms(payload)
        if event_ms is None:
            raise VerificationError("timestamp", "missing or unreadable")
        skew_s = abs(self.clock().timestamp() - event_ms / 1000)
        if skew_s > TIMESTAMP_TOLERANCE_S:
            raise VerificationError("timestamp", f"{skew_s:.0f} s from now")
        if not self.skill_id:
            raise VerificationError("application-id", "ALEXA_SKILL_ID is not set")
        check_application_id(payload, self.skill_id)


def check_application_id(payload: Mapping[str, Any], skill_id: str) -> None:
    """Every application id in the envelope (context and session) must be this skill's."""
    found = [_dig(payload, "context", "System", "application", "applicationId"),
             _dig(payload, "session", "application", "applicationId")]
    present = [value for value in found if value is not None]
    if not present or any(value != skill_id for value in present):
        raise VerificationError("application-id", "not this skill's application id")


def parse_body(body: bytes) -> dict[str, Any]:
    """The request JSON; a body that is not a JSON object is refused as check 'json'."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise VerificationError("json", f"not JSON: {error}") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("request"), dict):
        raise VerificationError("json", "not an Alexa request envelope")
    return payload


def request_time_ms(payload: Mapping[str, Any]) -> int | None:
    """The request timestamp (ISO 8601, or ms since the epoch in some old events) in ms."""
    value = _dig(payload, "request", "timestamp")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def user_id(payload: Mapping[str, Any]) -> str | None:
    found = _dig(payload, "context", "System", "user", "userId") \
        or _dig(payload, "session", "user", "userId")
    return found if isinstance(found, str) and found else None


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data
