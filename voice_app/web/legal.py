"""What the privacy notice and the terms of use say that depends on settings: how long things
are kept (`RETENTION_DAYS` when the service has it), the crisis and hotline numbers.

The pages themselves are `privacy.html` and `terms.html`, served by `pages` at `/privacy` and
`/terms`; the skill manifest links to them (`voice_app.alexa.manifest`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Retention:
    """How long each kind of record is kept, in words for the privacy notice."""

    history_days: int | None
    """Completed practices are deleted after this many days; None: kept until deleted on
    request (the service has no expiry yet)."""
    call_state_days: int | None
    """Live call state left behind by a call that ended without notice is deleted after this
    many days; None: only when a call ends normally."""


def retention(settings: Any) -> Retention:
    """Read from settings if the service has a retention setting, so the notice never promises
    an expiry that does not run."""
    days = getattr(settings, "RETENTION_DAYS", None)
    if not isinstance(days, int) or days <= 0:
        return Retention(None, None)
    call_days = getattr(settings, "CALL_STATE_DAYS", 1)
    return Retention(days, call_days if isinstance(call_days, int) and call_days > 0 else 1)
