"""What the privacy notice and the terms of use say that depends on settings: how long things
are kept (`RETENTION_DAYS`), the crisis and hotline numbers.

The pages themselves are `privacy.html` and `terms.html`, served by `pages` at `/privacy` and
`/terms`; the skill manifest links to them (`voice_app.alexa.manifest`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..settings import Settings
from ..store import CALL_STATE_DAYS


@dataclass(frozen=True)
class Retention:
    """How long each kind of record is kept, in words for the privacy notice."""

    history_days: int
    """Completed practices (and places left untouched) are deleted after this many days."""
    call_state_days: int
    """Live call state left behind by a call that ended without notice is deleted after this
    many days."""


def retention(settings: Settings) -> Retention:
    """From the settings the prune and the sweep run with, so the notice says what happens."""
    return Retention(settings.RETENTION_DAYS, CALL_STATE_DAYS)
