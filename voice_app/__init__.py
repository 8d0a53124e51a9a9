"""Compassion Break's web service: Alexa, phone hotline, web catalog and audio, from one catalog.

`create_app(config=None)` is the only door for configuration; importing this package has no side
effects.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import Flask

from .catalog import CatalogSource
from .checkins import Checkins
from .settings import load_settings
from .store import Store

logger = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; `config` overrides environment settings (names as in the README)."""
    settings = load_settings(config)
    app = Flask(__name__)
    if settings.PROXY_HOPS:  # the client's address from X-Forwarded-For, set by our proxies
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.PROXY_HOPS)  # type: ignore[method-assign]
    app.config["MAX_CONTENT_LENGTH"] = settings.MAX_CONTENT_LENGTH
    app.config["SECRET_KEY"] = settings.SECRET_KEY
    store = Store(settings.DATABASE_URL)
    if settings.is_production:
        _report_schema(store)
    else:
        _upgrade_schema(settings.DATABASE_URL)
    app.extensions["settings"] = settings
    app.extensions["store"] = store
    app.extensions["checkins"] = Checkins(store, settings.CHECKIN)
    app.extensions["catalog"] = CatalogSource(settings.build_dir)

    from . import alexa, audio, errors, limits, logs, metrics, phone, program, retention, web

    errors.register(app)
    metrics.register(app)
    logs.install(app)
    limits.install(app)
    retention.install(app)
    app.register_blueprint(audio.blueprint)
    for channel in (alexa, phone, web):  # every channel, by name: no optional loading
        channel.register(app)
    program.register(app)  # the program view (issue 14)
    return app


def _upgrade_schema(url: str) -> None:
    """Development and tests: migrate at start-up (under the migration lock). Production never
    changes the schema here: `python -m voice_app db upgrade` does, and gunicorn's master runs
    it before forking; `/healthz` says when the database is behind."""
    from .schema import upgrade

    try:
        outcome = upgrade(url)
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
        logger.error("database not reachable at start-up, will retry per request: %s",
                     str(error).splitlines()[0])
        return
    if outcome.before != outcome.after:
        logger.info(outcome.describe())


def _report_schema(store: Store) -> None:
    """Production: read the revision only, and say at start-up what `/healthz` will say."""
    from .schema import status
    from .store import StoreUnavailable

    try:
        schema = status(store.schema_revisions())
    except StoreUnavailable as error:
        logger.error("database not reachable at start-up, will retry per request: %s", error)
        return
    if not schema.ready:
        logger.error("not ready: %s", schema.reason)
