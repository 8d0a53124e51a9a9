"""Opaque listener keys: HMAC(SECRET_KEY, identifier). No raw Alexa user id or phone number is
ever stored or logged; only these keys are."""

from __future__ import annotations

import hashlib
import hmac


def listener_key(secret: str, channel: str, identifier: str) -> str:
    """A stable key for one Alexa user id or one caller number (channel: 'alexa' or 'phone')."""
    message = f"{channel}:{identifier}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
