"""Per-call state kept in the shared store between webhooks, and the keys it is filed under.

A call is filed under a hash of its CallSid; the caller only under their HMAC listener key, and
not at all when the number is withheld. The state says where the call is (menu, playing, paused,
done) and which segment was last sent, which is what the status callback saves when the caller
hangs up.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, replace
from typing import Any

from ..keys import listener_key
from ..store import Store
from . import flow

STAGES = ("menu", "length", "offer", "playing", "paused", "done", "crisis", "help",
          "forget", "checkin", "after")


@dataclass(frozen=True)
class CallState:
    listener_key: str | None = None
    """HMAC of the caller's number; None for a withheld number (nothing is saved for them)."""
    stage: str = "menu"
    misses: int = 0
    """Answers in a row that were not understood; the third ends the call kindly."""
    practice_id: str | None = None
    minutes: int | None = None
    segment: int | None = None
    """Index into the variant's phone segments of the one last sent (or paused at)."""
    language: str = "en"
    """The call's language (the catalog view, prompts, `<Gather language>`)."""
    session: int | None = None
    """The check-in session (`Checkins.begin`) of the practice this call plays."""
    supported: bool = False
    """A 5 was met with the support lines in this call (said once)."""

    def with_(self, **changes: Any) -> CallState:
        return replace(self, **changes)

    @property
    def in_practice(self) -> bool:
        return self.stage in ("playing", "paused") and self.practice_id is not None \
            and self.minutes is not None and self.segment is not None


def call_key(call_sid: str) -> str:
    """CallSids are not personal, but hashing them keeps logs and tables uniform."""
    return hashlib.sha256(f"call:{call_sid}".encode()).hexdigest()


def caller_key(secret: str, number: str) -> str | None:
    return None if flow.is_withheld(number) else listener_key(secret, "phone", number.strip())


def load(store: Store, key: str) -> CallState | None:
    data = store.get_call(key)
    if data is None:
        return None
    try:
        state = CallState(**{k: v for k, v in data.items()
                             if k in CallState.__dataclass_fields__})
    except TypeError:
        return None
    return state if state.stage in STAGES else None


def save(store: Store, key: str, state: CallState) -> None:
    store.save_call(key, asdict(state))
