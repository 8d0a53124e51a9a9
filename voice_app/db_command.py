"""`python -m voice_app db upgrade|current|prune`: the schema and retention from a shell or cron.

Reads the same settings as the app (`DATABASE_URL`, `RETENTION_DAYS`, ...) but not the secrets
only serving needs. Prints one line per outcome; an error is one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import alembic.util
import sqlalchemy as sa

from . import schema
from .retention import prune_checkins_for
from .settings import Settings, SettingsError, load_settings
from .store import Store, StoreUnavailable


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voice_app", description=__doc__)
    commands = parser.add_subparsers(dest="group", required=True)
    db = commands.add_parser("db", help="database schema and retention")
    actions = db.add_subparsers(dest="action", required=True)
    actions.add_parser("upgrade", help="migrate the database to this code's schema (locked; "
                                       "safe from several hosts at once)")
    actions.add_parser("current", help="print the database's schema revision and the code's")
    actions.add_parser("prune", help="delete completions older than RETENTION_DAYS and call "
                                     "state older than a day (safe from cron on every host)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(serving=False)
        return run(args.action, settings.DATABASE_URL, settings.RETENTION_DAYS, settings)
    except SettingsError as error:
        return fail(f"settings: {error}")


def run(action: str, url: str, retention_days: int, settings: Settings | None = None) -> int:
    line, ok = outcome_of(action, url, retention_days, settings)
    if not ok:
        return fail(line)
    print(line)
    return 0


def outcome_of(action: str, url: str, retention_days: int,
               settings: Settings | None = None) -> tuple[str, bool]:
    """The one line `action` has to say, and whether it succeeded."""
    where = sa.engine.make_url(url).render_as_string(hide_password=True)
    try:
        if action == "upgrade":
            return f"{schema.upgrade(url).describe()} ({where})", True
        if action == "current":
            state = schema.current(url)
            return (f"schema {state.current or 'none'}, code expects {state.head}: "
                    f"{state.state} ({where})", True)
        store = Store(url)
        try:
            pruned = store.prune(retention_days)
            # the program view's roll-ups first, then check-ins past CHECKIN_RETENTION_DAYS
            checkins = prune_checkins_for(store, settings or load_settings(serving=False))
        finally:
            store.dispose()
        return (f"pruned {pruned.completions} completions and {pruned.positions} positions "
                f"older than {retention_days} days, {pruned.calls} call states older than a day; "
                f"rolled up {checkins.months_rolled_up} months for the program view, then "
                f"pruned {checkins.sessions} check-in sessions ({where})", True)
    except (schema.SchemaError, alembic.util.CommandError) as error:
        return str(error).strip().splitlines()[0], False
    except StoreUnavailable as error:
        return f"database unavailable ({where}): {error}", False
    except sa.exc.SQLAlchemyError as error:
        first = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return f"database error ({where}): {type(error).__name__}: {first}", False


def fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1
