"""The program view's own sign-in: a password form with CSRF protection, for a phone browser.

The password is checked against `PROGRAM_PASSWORD_HASH` (werkzeug's scrypt hash, printed by
`python -m voice_app program-password`); the metrics token is never accepted (settings refuse a
hash of it). Signing in sets one cookie, `program`, only for `/program`: signed with
`SECRET_KEY`, HttpOnly, SameSite=Strict, Secure in production, good for `SIGNED_IN_FOR`, and
void as soon as the password hash changes. Every form carries the cookie's random CSRF token
(double submit, signed). Wrong passwords are throttled per address and in total.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "program"
PATH = "/program"
SIGNED_IN_FOR = 12 * 3600
"""Seconds a sign-in lasts: a working day, then the password again."""
FAILURES_PER_ADDRESS = 5
FAILURES_IN_TOTAL = 50
WINDOW_S = 15 * 60


@dataclass(frozen=True)
class Visit:
    """What the `program` cookie says."""

    csrf: str
    signed_in: bool


class Cookies:
    def __init__(self, secret: str, password_hash: str) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="program-sign-in")
        # a new password hash voids every cookie made under the old one
        self.fingerprint = hashlib.sha256(password_hash.encode()).hexdigest()[:16]

    def read(self, value: str | None) -> Visit | None:
        if not value:
            return None
        try:
            data = self.serializer.loads(value, max_age=SIGNED_IN_FOR)
        except BadSignature:
            return None
        if not isinstance(data, dict) or data.get("pw") != self.fingerprint:
            return None
        return Visit(str(data.get("csrf", "")), bool(data.get("in")))

    def make(self, signed_in: bool) -> tuple[str, Visit]:
        visit = Visit(secrets.token_urlsafe(24), signed_in)
        value = self.serializer.dumps({"csrf": visit.csrf, "in": signed_in,
                                       "pw": self.fingerprint})
        return value, visit


def same_token(visit: Visit | None, sent: Any) -> bool:
    return visit is not None and bool(visit.csrf) and isinstance(sent, str) \
        and hmac.compare_digest(visit.csrf.encode(), sent.encode())


class Throttle:
    """Wrong passwords: at most FAILURES_PER_ADDRESS per address and FAILURES_IN_TOTAL in all
    per WINDOW_S, in this process (each gunicorn worker counts its own)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.failures: dict[str, deque[float]] = {}
        self.total: deque[float] = deque()
        self.lock = threading.Lock()

    def retry_after(self, address: str) -> int:
        """0 if `address` may try now, else seconds to wait."""
        with self.lock:
            now = self.clock()
            self._expire(now)
            waits = [q[0] + WINDOW_S - now for q, limit in (
                (self.failures.get(address, deque()), FAILURES_PER_ADDRESS),
                (self.total, FAILURES_IN_TOTAL)) if len(q) >= limit]
            return int(max(waits)) + 1 if waits else 0

    def failed(self, address: str) -> None:
        with self.lock:
            now = self.clock()
            self.failures.setdefault(address, deque()).append(now)
            self.total.append(now)

    def succeeded(self, address: str) -> None:
        with self.lock:
            self.failures.pop(address, None)

    def _expire(self, now: float) -> None:
        while self.total and self.total[0] <= now - WINDOW_S:
            self.total.popleft()
        for address in list(self.failures):
            queue = self.failures[address]
            while queue and queue[0] <= now - WINDOW_S:
                queue.popleft()
            if not queue:
                del self.failures[address]
