""""Forget me": `Store.forget` on SQLite and PostgreSQL, and the Alexa conversation that asks
before it deletes. (The phone's way to forget is in tests/test_phone_help.py.)"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alexa_helpers import (
    intent,
    key_of,
    make_alexa_client,
    postgres_schema,
    save,
    saved,
    speech_of,
    stored_rows,
)

from voice_app import create_app
from voice_app.schema import upgrade
from voice_app.store import Position, Store, StoreUnavailable, history, progress

WHEN = datetime(2026, 11, 30, 12, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'forget.sqlite3'}"
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        yield url


def fill(store: Store, key: str) -> None:
    store.save_position(key, Position("loving-kindness", 5, "ab" * 32, 1000, 0, "paused",
                                      "alexa", 1))
    for minutes in (1, 3, 5):
        store.record_completion(key, "loving-kindness", minutes, "alexa", WHEN)


def count(store: Store, table: sa.Table, key: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)
                            .where(table.c.listener_key == key)).scalar_one()


def test_forget_deletes_one_listeners_rows_only(database_url):
    upgrade(database_url)
    store = Store(database_url)
    try:
        fill(store, "me")
        fill(store, "someone-else")
        assert store.forget("me") == 4
        assert (count(store, progress, "me"), count(store, history, "me")) == (0, 0)
        assert (count(store, progress, "someone-else"),
                count(store, history, "someone-else")) == (1, 3)
        assert store.forget("me") == 0
        assert store.get_position("someone-else") is not None
    finally:
        store.dispose()


def test_forget_is_one_transaction(database_url, monkeypatch):
    """A failure after the first delete leaves everything in place."""
    upgrade(database_url)
    store = Store(database_url)
    try:
        fill(store, "me")
        broken = sa.text("DELETE FROM no_such_table WHERE listener_key = :listener_key")
        monkeypatch.setattr(store, "_forget", (store._forget[0], broken))
        with pytest.raises((sa.exc.DBAPIError, StoreUnavailable)):
            store.forget("me")
        assert (count(store, progress, "me"), count(store, history, "me")) == (1, 3)
        monkeypatch.undo()
        assert store.forget("me") == 4
    finally:
        store.dispose()


def test_forget_me_on_alexa_asks_then_deletes(app_config, database_url):
    app = create_app({**app_config, "DATABASE_URL": database_url})
    try:
        alexa = make_alexa_client(app)
        save(app, offset_ms=72_000)
        app.extensions["store"].record_completion(key_of(app), "the-pause", 1, "alexa", WHEN)
        asked = alexa.send(intent("ForgetMeIntent"), new=True)
        assert "Shall I delete them?" in speech_of(asked)
        assert asked["response"]["shouldEndSession"] is False
        assert stored_rows(app) == 2
        done = alexa.send(intent("AMAZON.YesIntent"))
        assert "I've deleted your saved place and practice history" in speech_of(done)
        assert done["response"]["shouldEndSession"] is True
        assert stored_rows(app) == 0 and saved(app) is None
    finally:
        app.extensions["store"].dispose()


def test_no_keeps_everything(alexa_app):
    app, alexa = alexa_app
    save(app)
    alexa.send(intent("ForgetMeIntent"), new=True)
    kept = alexa.send(intent("AMAZON.NoIntent"))
    assert "I've kept everything" in speech_of(kept)
    assert kept["response"]["shouldEndSession"] is False
    assert stored_rows(app) == 1


def test_yes_later_does_not_delete(alexa_app):
    """The question lasts one turn: a yes after something else deletes nothing."""
    app, alexa = alexa_app
    save(app)
    alexa.send(intent("ForgetMeIntent"), new=True)
    alexa.send(intent("AMAZON.HelpIntent"))
    alexa.send(intent("AMAZON.YesIntent"))
    assert stored_rows(app) == 1


def test_forget_with_nothing_stored_says_so(alexa_app):
    app, alexa = alexa_app
    alexa.send(intent("ForgetMeIntent"), new=True)
    data = alexa.send(intent("AMAZON.YesIntent"))
    assert "nothing saved for you" in speech_of(data)


def test_forget_outside_a_session_only_asks(alexa_app):
    """One-shot "ask compassion break to forget me" opens a session: the question is asked and
    nothing is deleted until the yes."""
    app, alexa = alexa_app
    save(app)
    alexa.send(intent("ForgetMeIntent"), new=True)
    assert stored_rows(app) == 1


def test_help_says_how_to_forget(alexa_app):
    _, alexa = alexa_app
    assert "say forget me" in speech_of(alexa.send(intent("AMAZON.HelpIntent"), new=True))


@pytest.fixture
def alexa_app(app):
    return app, make_alexa_client(app)
