"""Check-ins: one stress question before and after a practice, on every channel (issue 14).

Owns the `sessions` table (one row per practice started, asked or not) and the rules every
channel follows: whether to ask, which answer counts, what a listener may see of their own
answers. Channels call only this module; they never read or write `sessions` themselves.

The question is a five-point single-item stress measure asked "right now" (docs/checkin.md):
1 not at all … 5 extremely. Listeners are known only by their HMAC keys (`keys.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .library import CheckinText, Language
from .normalise import normalise
from .store import Store, _aware, now, sessions

SCALE = range(1, 6)
"""1 not at all, 2 a little, 3 moderately, 4 quite a bit, 5 extremely."""
AFTER_WINDOW = timedelta(hours=2)
"""An after-answer counts only if given within this long after the practice ended; the delay
is stored either way."""
MODES = ("off", "optional", "on")
"""settings.CHECKIN: never ask; offer on the first practice, then as the listener chose; ask
unless the listener turned it off."""
CHANNELS = ("alexa", "phone", "web")
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Session:
    """One practice a listener started, with their check-in answers."""

    session_id: int
    channel: str
    practice_id: str
    minutes: int
    language: str
    started_at: datetime
    finished_at: datetime | None
    before: int | None
    """None: not asked or skipped."""
    after: int | None
    """None: not asked, skipped, or given too late to count."""
    after_delay_s: int | None
    """Seconds from the end of the practice to the after answer (late ones too)."""
    asked: bool = False
    """The before question was put (answered or skipped)."""
    after_declined: bool = False
    """The listener skipped the after question: it is never asked again."""


class Checkins:
    def __init__(self, store: Store, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"check-in mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.store = store
        self.mode = mode

    # -- whether to ask ----------------------------------------------------------------------

    def should_ask(self, listener_key: str, minutes: int) -> bool:
        """off → never. A listener's own "off" → never. 1-minute practices → only when the
        listener turned check-ins on themselves (preference "on"). on → yes. optional → yes on
        the listener's first practice (offered once), then yes only if they answered a before
        question at least once and have not turned it off (skipping the first offer = no)."""
        if self.mode == "off":
            return False
        choice = self.choice(listener_key)
        if choice == "off":
            return False
        if minutes <= 1 or choice == "on":
            return choice == "on"
        if self.mode == "on":
            return True
        asked, answered = self.store._run(lambda conn: conn.execute(
            sa.select(sa.func.count(), sa.func.count(sessions.c.before)).where(
                sessions.c.listener_key == listener_key, sessions.c.asked.is_(True))).one())
        return asked == 0 or answered > 0

    def set_choice(self, listener_key: str, on: bool) -> None:
        """The listener's own word: "stop asking how I feel" (False) or "ask me" (True)."""
        self.store.set_preferences(listener_key, checkin="on" if on else "off")

    def choice(self, listener_key: str) -> str | None:
        """"on" | "off" | None (the listener has not chosen)."""
        return self.store.get_preferences(listener_key).checkin

    # -- one practice ------------------------------------------------------------------------

    def begin(self, listener_key: str, channel: str, practice_id: str, minutes: int,
              language: str, *, before: int | None = None, asked: bool = False,
              at: datetime | None = None) -> int:
        """Record that a practice started (every practice, asked or not: the program view's
        sessions, minutes and completion rate come from here). Returns the session id.

        An answer given here means the question was asked (`asked` is implied)."""
        if channel not in CHANNELS:
            raise ValueError(f"channel must be one of {', '.join(CHANNELS)}, not {channel!r}")
        values = {"listener_key": listener_key, "channel": channel,
                  "practice_id": practice_id, "minutes": minutes, "language": language,
                  "started_at": at or now(), "asked": asked or before is not None,
                  "before": _checked(before) if before is not None else None}
        # not retried: a drop after the insert landed would count the practice twice
        return int(self.store._run(lambda conn: conn.execute(
            sessions.insert().values(values)).inserted_primary_key[0], retry=False))

    def record_before(self, session_id: int, value: int, *,
                      listener_key: str | None = None) -> bool:
        """The before answer, when it came after `begin` (Alexa plays while it asks). True if
        stored; never twice. With `listener_key`, a session of another listener is refused
        (the web's form names the session: pass the cookie's key)."""
        return self._update(session_id, listener_key, {"before": _checked(value), "asked": True},
                            sessions.c.before.is_(None))

    def finish(self, session_id: int, at: datetime | None = None, *,
               listener_key: str | None = None) -> bool:
        """The practice played to its end; True the first time (an end is never moved)."""
        return self._update(session_id, listener_key, {"finished_at": at or now()},
                            sessions.c.finished_at.is_(None))

    def record_after(self, listener_key: str, session_id: int, value: int,
                     at: datetime | None = None) -> bool:
        """Stores the after answer and its delay; True if it counts (within AFTER_WINDOW of
        finish, session belongs to listener_key, not already answered). Never twice.

        An answer to a practice not yet marked finished ends it now (delay 0: the listener
        says they are done), or, once the practice's own length has passed, at that length:
        a channel that cannot see the end (the web) still cannot count an answer days late.
        A late answer stores only its delay, and closes the question."""
        value = _checked(value)
        at = at or now()
        found = self._get(session_id)
        if found is None or found[0] != listener_key:
            return False
        session = found[1]
        finished = session.finished_at or min(at, practice_end(session))
        delay_s = max(0, int((at - finished).total_seconds()))
        counts = at - finished <= AFTER_WINDOW
        stored = self._update(session_id, listener_key, {
            "finished_at": finished, "after_delay_s": delay_s,
            "after": value if counts else None},
            sessions.c.after_delay_s.is_(None), sessions.c.after_declined.is_(False))
        return stored and counts

    def decline_after(self, session_id: int, *, listener_key: str | None = None) -> bool:
        """Skipped: the after question is never asked again for this practice."""
        return self._update(session_id, listener_key, {"after_declined": True},
                            sessions.c.after_delay_s.is_(None))

    def awaiting_after(self, listener_key: str, at: datetime | None = None) -> Session | None:
        """The listener's latest finished session whose after question is still due: before was
        asked (answered or the listener takes check-ins), after not answered or declined, and
        finished within AFTER_WINDOW. Alexa asks it on the next launch / "I'm done".

        Only the practice the listener started last is considered, and only once it is
        finished: an older one is never dug up (its answer would land on the wrong practice
        once another has begun)."""
        if self.mode == "off":
            return None
        at = at or now()
        row = self.store._run(lambda conn: conn.execute(
            sa.select(sessions).where(sessions.c.listener_key == listener_key)
            .order_by(sessions.c.started_at.desc(), sessions.c.id.desc()).limit(1),
        ).mappings().first())
        if row is None or row["finished_at"] is None or not row["asked"] \
                or row["after_delay_s"] is not None or row["after_declined"]:
            return None
        if not at - AFTER_WINDOW <= _aware(row["finished_at"]) <= at:
            return None
        choice = self.choice(listener_key)
        if choice == "off":
            return None
        if row["before"] is None and choice != "on" and self.mode != "on":
            return None
        return _session(row)

    def own(self, listener_key: str, session_id: int) -> Session | None:
        """One of the listener's own sessions (None if it is another's, or none)."""
        found = self._get(session_id)
        return found[1] if found is not None and found[0] == listener_key else None

    def latest(self, listener_key: str) -> Session | None:
        """The practice the listener started last, on any channel."""
        rows = self._select(listener_key, limit=1)
        return rows[0] if rows else None

    # -- for the listener --------------------------------------------------------------------

    def recent_pairs(self, listener_key: str, limit: int = 20) -> list[Session]:
        """Their own last `limit` sessions with both answers, oldest first."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        return self._select(listener_key, *_paired(), limit=limit)[::-1]

    def week_change(self, listener_key: str,
                    at: datetime | None = None) -> tuple[float, int] | None:
        """Mean (after - before) over their pairs of the last 7 days and how many; None if
        none."""
        at = at or now()
        pairs = self._select(listener_key, *_paired(), sessions.c.started_at >= at - WEEK,
                             sessions.c.started_at <= at)
        if not pairs:
            return None
        changes = [p.after - p.before for p in pairs if p.after is not None
                   and p.before is not None]
        return sum(changes) / len(changes), len(changes)

    # -- reading and writing rows ------------------------------------------------------------

    def _get(self, session_id: int) -> tuple[str, Session] | None:
        row = self.store._run(lambda conn: conn.execute(
            sa.select(sessions).where(sessions.c.id == session_id)).mappings().first())
        return None if row is None else (row["listener_key"], _session(row))

    def _select(self, listener_key: str, *where: Any, limit: int | None = None) -> list[Session]:
        """The listener's sessions matching `where`, newest first."""
        statement = sa.select(sessions).where(sessions.c.listener_key == listener_key, *where) \
            .order_by(sessions.c.started_at.desc(), sessions.c.id.desc()).limit(limit)
        rows = self.store._run(lambda conn: conn.execute(statement).mappings().all())
        return [_session(row) for row in rows]

    def _update(self, session_id: int, listener_key: str | None, values: dict[str, Any],
                *unless_done: Any) -> bool:
        """UPDATE one session only while `unless_done` holds (and it belongs to
        `listener_key`, when given): a single statement, so two answers racing cannot both
        land. True if a row changed."""
        where = [sessions.c.id == session_id, *unless_done]
        if listener_key is not None:
            where.append(sessions.c.listener_key == listener_key)

        def work(conn: Connection) -> bool:
            return conn.execute(sessions.update().where(*where).values(values)).rowcount > 0

        return self.store._run(work)


def practice_end(session: Session) -> datetime:
    """When the practice ended: as recorded, or else when its length had played."""
    return session.finished_at or session.started_at + timedelta(minutes=session.minutes)


def after_open(session: Session, at: datetime | None = None) -> bool:
    """The after question may still be answered and count: not answered, not skipped, and
    within AFTER_WINDOW of the practice's end (`practice_end`)."""
    at = at or now()
    return session.after_delay_s is None and not session.after_declined \
        and at - practice_end(session) <= AFTER_WINDOW


SKIP = "skip"


def parse_answer(language: Language, said: str) -> int | str | None:
    """What a listener said or pressed, as an answer: 1 to 5 (a digit, a number word, or a
    label: "quite a bit"), `SKIP` (a skip word, or "#"), or None (not an answer: ask again or
    let it pass). The longest phrase found wins, so "not at all" is 1, not "at all"."""
    text = said.strip()
    if text == "#":
        return SKIP
    if text in ("1", "2", "3", "4", "5"):
        return int(text)
    heard = f" {normalise(text)} "
    if not heard.strip():
        return None
    words: CheckinText = language.checkin
    candidates: list[tuple[str, int | str]] = [(w, SKIP) for w in words.words.get("skip", ())]
    candidates += [(label, n) for n, label in enumerate(words.labels, start=1)]
    candidates += [(language.number(n), n) for n in SCALE if language.numbers]
    candidates += [(str(n), n) for n in SCALE]
    found = [(len(normalise(phrase)), value) for phrase, value in candidates
             if normalise(phrase) and f" {normalise(phrase)} " in heard]
    if not found:
        return None
    longest = max(length for length, _ in found)
    values = {value for length, value in found if length == longest}
    return values.pop() if len(values) == 1 else None


def checkin_choice(language: Language, said: str) -> bool | None:
    """"stop asking how I feel" → False; "ask me how I feel" → True; else None."""
    heard = f" {normalise(said)} "
    found = [(len(normalise(p)), on) for on, name in ((False, "off"), (True, "on"))
             for p in language.checkin.words.get(name, ()) if f" {normalise(p)} " in heard]
    return max(found)[1] if found else None


def _paired() -> tuple[Any, ...]:
    return sessions.c.before.is_not(None), sessions.c.after.is_not(None)


def _checked(value: int) -> int:
    """An answer on the scale; anything else is the caller's bug (parse first)."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
        raise ValueError(f"a check-in answer is 1 to 5, not {value!r}")
    return value


def _session(row: Any) -> Session:
    finished = row["finished_at"]
    return Session(
        session_id=int(row["id"]), channel=row["channel"], practice_id=row["practice_id"],
        minutes=row["minutes"], language=row["language"],
        started_at=_aware(row["started_at"]),
        finished_at=None if finished is None else _aware(finished),
        before=row["before"], after=row["after"], after_delay_s=row["after_delay_s"],
        asked=bool(row["asked"]), after_declined=bool(row["after_declined"]))
