"""The check-in API (`voice_app.checkins`) on SQLite and the real PostgreSQL: when to ask, which
after-answer counts, ownership, what a listener sees of their own answers, forgetting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from voice_app import create_app
from voice_app.checkins import AFTER_WINDOW, Checkins, after_open
from voice_app.settings import SettingsError, load_settings
from voice_app.store import sessions

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
ME, OTHER = "a" * 64, "b" * 64


@pytest.fixture
def checkins(store):
    return Checkins(store, "optional")


def practice(checkins: Checkins, key: str = ME, *, minutes: int = 5, at: datetime = T0,
             before: int | None = None, asked: bool = False, done: bool = True) -> int:
    """One practice started at `at` and (unless `done` is False) finished five minutes on."""
    session_id = checkins.begin(key, "alexa", "loving-kindness", minutes, "en",
                                before=before, asked=asked, at=at)
    if done:
        checkins.finish(session_id, at + timedelta(minutes=minutes))
    return session_id


def rows(store) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            sa.select(sessions).order_by(sessions.c.id)).mappings()]


# -- whether to ask ----------------------------------------------------------------------------

def test_optional_offers_the_first_practice_once(checkins):
    assert checkins.should_ask(ME, 5)
    practice(checkins, asked=True)  # the first offer, skipped
    assert not checkins.should_ask(ME, 5), "skipping the first offer means no"
    assert checkins.should_ask(OTHER, 5), "another listener is still offered theirs"


def test_optional_keeps_asking_a_listener_who_answered(checkins):
    practice(checkins, before=3)
    assert checkins.should_ask(ME, 5)
    practice(checkins, asked=True, at=T0 + timedelta(hours=1))  # a later skip is not a no
    assert checkins.should_ask(ME, 10)


def test_practices_not_asked_do_not_use_up_the_first_offer(checkins):
    practice(checkins, minutes=1)
    assert checkins.should_ask(ME, 5)


def test_own_off_is_never_asked_and_on_comes_back(store):
    for mode in ("optional", "on"):
        checkins = Checkins(store, mode)
        checkins.set_choice(ME, False)
        assert checkins.choice(ME) == "off"
        assert not checkins.should_ask(ME, 5)
        checkins.set_choice(ME, True)
        assert checkins.choice(ME) == "on"
        assert checkins.should_ask(ME, 5)


def test_one_minute_practices_only_when_the_listener_turned_it_on(store):
    for mode in ("optional", "on"):
        checkins = Checkins(store, mode)
        assert not checkins.should_ask(OTHER, 1)
        checkins.set_choice(ME, True)
        assert checkins.should_ask(ME, 1)
    assert not Checkins(store, "off").should_ask(ME, 1)


def test_mode_off_never_asks_and_mode_on_always_does(store):
    off, on = Checkins(store, "off"), Checkins(store, "on")
    assert not off.should_ask(ME, 5)
    off.set_choice(ME, True)
    assert not off.should_ask(ME, 5), "a deployment's off wins over the listener's on"
    practice(on, OTHER, asked=True)  # skipped the first: on asks anyway
    assert on.should_ask(OTHER, 5)
    assert on.choice(OTHER) is None


def test_unknown_mode_is_refused(store):
    with pytest.raises(ValueError, match="off, optional, on"):
        Checkins(store, "sometimes")


def test_checkin_setting(app_config):
    assert load_settings({"APP_ENV": "test"}, environ={}).CHECKIN == "optional"
    with pytest.raises(SettingsError, match="CHECKIN must be off, optional or on, not 'yes'"):
        load_settings({"APP_ENV": "test", "CHECKIN": "yes"}, environ={})
    app = create_app({**app_config, "CHECKIN": "off"})
    assert app.extensions["checkins"].mode == "off"


# -- one practice ------------------------------------------------------------------------------

def test_begin_records_every_practice(checkins, store):
    first = practice(checkins, done=False)
    second = practice(checkins, before=4, at=T0 + timedelta(hours=1))
    stored = rows(store)
    assert [r["id"] for r in stored] == [first, second]
    assert stored[0]["asked"] is False and stored[0]["before"] is None
    assert stored[0]["finished_at"] is None
    assert stored[1]["asked"] is True and stored[1]["before"] == 4
    assert stored[1]["listener_key"] == ME and stored[1]["channel"] == "alexa"
    with pytest.raises(ValueError, match="channel"):
        checkins.begin(ME, "fax", "loving-kindness", 5, "en")
    with pytest.raises(ValueError, match="1 to 5"):
        checkins.begin(ME, "web", "loving-kindness", 5, "en", before=6)
    assert len(rows(store)) == 2


def test_before_after_begin_is_stored_once(checkins):
    session_id = practice(checkins, done=False, asked=True)
    assert checkins.record_before(session_id, 2)
    assert not checkins.record_before(session_id, 5), "never asked twice in one practice"
    assert checkins.latest(ME).before == 2


def test_after_within_the_window_counts_with_its_delay(checkins):
    session_id = practice(checkins, before=4)
    end = T0 + timedelta(minutes=5)
    assert checkins.record_after(ME, session_id, 2, at=end + timedelta(seconds=90))
    latest = checkins.latest(ME)
    assert (latest.before, latest.after, latest.after_delay_s) == (4, 2, 90)
    assert latest.finished_at == end


def test_after_too_late_stores_only_the_delay(checkins):
    session_id = practice(checkins, before=4)
    late = T0 + timedelta(minutes=5) + AFTER_WINDOW + timedelta(seconds=1)
    assert not checkins.record_after(ME, session_id, 2, at=late)
    latest = checkins.latest(ME)
    assert latest.after is None
    assert latest.after_delay_s == AFTER_WINDOW.total_seconds() + 1
    assert not checkins.record_after(ME, session_id, 2, at=late), "never twice"


def test_after_exactly_at_the_window_still_counts(checkins):
    session_id = practice(checkins, before=3)
    assert checkins.record_after(ME, session_id, 3, at=T0 + timedelta(minutes=5) + AFTER_WINDOW)


def test_after_is_never_recorded_twice(checkins):
    session_id = practice(checkins, before=5)
    end = T0 + timedelta(minutes=5)
    assert checkins.record_after(ME, session_id, 3, at=end)
    assert not checkins.record_after(ME, session_id, 1, at=end + timedelta(minutes=1))
    assert checkins.latest(ME).after == 3


def test_after_before_finish_ends_the_practice_now(checkins):
    session_id = practice(checkins, before=4, done=False)
    said = T0 + timedelta(minutes=3)
    assert checkins.record_after(ME, session_id, 3, at=said)
    latest = checkins.latest(ME)
    assert (latest.finished_at, latest.after_delay_s, latest.after) == (said, 0, 3)
    assert not checkins.finish(session_id, T0 + timedelta(minutes=5)), "an end never moves"


def test_an_unfinished_practice_answered_days_later_is_late(checkins):
    """The web never sees a practice end: its length stands in for the end, so an after answer
    three days on is stored as late (its delay kept) and does not count."""
    session_id = practice(checkins, before=4, done=False)
    said = T0 + timedelta(days=3)
    assert not checkins.record_after(ME, session_id, 1, at=said)
    latest = checkins.latest(ME)
    assert latest.finished_at == T0 + timedelta(minutes=5) and latest.after is None
    assert latest.after_delay_s == (said - latest.finished_at).total_seconds()
    assert not after_open(latest, said)


def test_the_after_question_stays_open_for_the_window_after_the_practices_length(checkins):
    session_id = practice(checkins, before=4, done=False)
    latest = checkins.latest(ME)
    assert after_open(latest, T0 + timedelta(minutes=5) + AFTER_WINDOW)
    assert not after_open(latest, T0 + timedelta(minutes=6) + AFTER_WINDOW)
    assert checkins.record_after(ME, session_id, 2, at=T0 + timedelta(minutes=65))
    assert checkins.latest(ME).after_delay_s == 60 * 60


def test_an_older_practice_is_not_asked_after_once_another_has_begun(checkins):
    """A finished practice's after question is not put once the listener started another: its
    answer would be about the new one."""
    practice(checkins, before=3)
    end = T0 + timedelta(minutes=5)
    assert checkins.awaiting_after(ME, at=end + timedelta(minutes=10)) is not None
    practice(checkins, before=4, done=False, at=end + timedelta(minutes=10))
    assert checkins.awaiting_after(ME, at=end + timedelta(minutes=12)) is None


def test_a_listener_reads_only_their_own_session(checkins):
    session_id = practice(checkins, before=5)
    assert checkins.own(ME, session_id).before == 5
    assert checkins.own(OTHER, session_id) is None
    assert checkins.own(ME, session_id + 1000) is None


def test_another_listeners_session_is_refused_without_change(checkins, store):
    session_id = practice(checkins, before=4, done=False)
    untouched = rows(store)
    assert not checkins.record_after(OTHER, session_id, 1, at=T0)
    assert not checkins.record_before(session_id, 1, listener_key=OTHER)
    assert not checkins.finish(session_id, T0, listener_key=OTHER)
    assert not checkins.decline_after(session_id, listener_key=OTHER)
    assert not checkins.record_after(OTHER, session_id + 1000, 1, at=T0), "no such session"
    assert rows(store) == untouched


def test_bad_answers_are_refused_without_change(checkins, store):
    session_id = practice(checkins, asked=True)
    untouched = rows(store)
    for bad in (0, 6, True, "3"):
        with pytest.raises(ValueError):
            checkins.record_after(ME, session_id, bad, at=T0)
        with pytest.raises(ValueError):
            checkins.record_before(session_id, bad)
    assert rows(store) == untouched


def test_decline_closes_the_after_question(checkins):
    session_id = practice(checkins, before=3)
    end = T0 + timedelta(minutes=5)
    assert checkins.awaiting_after(ME, at=end) is not None
    assert checkins.decline_after(session_id)
    assert checkins.awaiting_after(ME, at=end) is None
    assert not checkins.record_after(ME, session_id, 2, at=end)
    assert checkins.latest(ME).after_declined


# -- awaiting_after ----------------------------------------------------------------------------

def test_awaiting_after_is_the_latest_finished_answered_session(checkins):
    end = T0 + timedelta(minutes=5)
    assert checkins.awaiting_after(ME, at=end) is None
    practice(checkins, done=False, before=2)
    assert checkins.awaiting_after(ME, at=end) is None, "not finished yet"
    session_id = practice(checkins, before=4, at=T0 + timedelta(minutes=1))
    due = checkins.awaiting_after(ME, at=end + timedelta(minutes=10))
    assert due is not None and due.session_id == session_id and due.before == 4
    assert checkins.awaiting_after(OTHER, at=end) is None, "only one's own"
    assert checkins.awaiting_after(ME, at=end + timedelta(minutes=2) + AFTER_WINDOW) is None
    checkins.record_after(ME, session_id, 3, at=end + timedelta(minutes=10))
    assert checkins.awaiting_after(ME, at=end + timedelta(minutes=11)) is None


def test_awaiting_after_a_skipped_before(store):
    optional = Checkins(store, "optional")
    practice(optional, asked=True)
    end = T0 + timedelta(minutes=5)
    assert optional.awaiting_after(ME, at=end) is None, "skipped and not taking check-ins"
    assert Checkins(store, "on").awaiting_after(ME, at=end) is not None
    optional.set_choice(ME, True)
    assert optional.awaiting_after(ME, at=end) is not None, "the listener takes check-ins"
    practice(optional, OTHER)  # never asked
    assert optional.awaiting_after(OTHER, at=end) is None


def test_awaiting_after_respects_off(store):
    optional = Checkins(store, "optional")
    practice(optional, before=3)
    end = T0 + timedelta(minutes=5)
    assert Checkins(store, "off").awaiting_after(ME, at=end) is None
    optional.set_choice(ME, False)
    assert optional.awaiting_after(ME, at=end) is None


# -- for the listener --------------------------------------------------------------------------

def answered(checkins: Checkins, key: str, before: int, after: int, at: datetime) -> int:
    session_id = practice(checkins, key, before=before, at=at)
    assert checkins.record_after(key, session_id, after, at=at + timedelta(minutes=6))
    return session_id


def test_recent_pairs_are_ones_own_oldest_first_and_limited(checkins):
    mine = [answered(checkins, ME, 4, 2, T0 + timedelta(hours=i)) for i in range(5)]
    answered(checkins, OTHER, 5, 1, T0 + timedelta(hours=10))
    practice(checkins, before=3, at=T0 + timedelta(hours=11))  # no after: not a pair
    skipped = practice(checkins, asked=True, at=T0 + timedelta(hours=12))
    checkins.record_after(ME, skipped, 1, at=T0 + timedelta(hours=12, minutes=6))  # no before
    pairs = checkins.recent_pairs(ME)
    assert [p.session_id for p in pairs] == mine
    assert all((p.before, p.after) == (4, 2) for p in pairs)
    assert [p.session_id for p in checkins.recent_pairs(ME, limit=2)] == mine[-2:]
    assert checkins.recent_pairs("c" * 64) == []
    with pytest.raises(ValueError):
        checkins.recent_pairs(ME, limit=0)


def test_week_change_is_the_mean_of_the_last_seven_days(checkins):
    now = T0 + timedelta(days=20)
    assert checkins.week_change(ME, at=now) is None
    answered(checkins, ME, 5, 1, now - timedelta(days=8))  # too old
    answered(checkins, ME, 4, 2, now - timedelta(days=6))
    answered(checkins, ME, 3, 2, now - timedelta(days=1))
    answered(checkins, ME, 2, 3, now - timedelta(hours=2))
    answered(checkins, OTHER, 5, 1, now - timedelta(days=1))
    mean, count = checkins.week_change(ME, at=now)
    assert count == 3
    assert mean == pytest.approx((-2 - 1 + 1) / 3)


# -- forgetting --------------------------------------------------------------------------------

def test_forget_deletes_ones_own_sessions_only(checkins, store):
    answered(checkins, ME, 4, 2, T0)
    practice(checkins, done=False)
    answered(checkins, OTHER, 3, 3, T0)
    assert store.forget(ME) == 2
    assert [r["listener_key"] for r in rows(store)] == [OTHER]
    assert checkins.latest(ME) is None and checkins.recent_pairs(ME) == []
