"""Compassion Break's web service: Alexa, phone hotline, web catalog and audio, from one catalog.

`create_app(config=None)` is the only door for configuration; importing this package has no side
effects.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from .catalog import CatalogSource
from .settings import load_settings
from .store import Store, StoreUnavailable

logger = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; `config` overrides environment settings (names as in the README)."""
    settings = load_settings(config)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.MAX_CONTENT_LENGTH
    app.config["SECRET_KEY"] = settings.SECRET_KEY
    store = Store(settings.DATABASE_URL)
    _create_schema(store)
    app.extensions["settings"] = settings
    app.extensions["store"] = store
    app.extensions["catalog"] = CatalogSource(settings.build_dir)

    from . import audio, errors, limits, logs, metrics

    errors.register(app)
    metrics.register(app)
    logs.install(app)
    limits.install(app)
    app.register_blueprint(audio.blueprint)
    for name in ("alexa", "phone", "web"):
        _register_optional(app, name)
    return app


def _create_schema(store: Store) -> None:
    """Create missing tables; gunicorn workers (or hosts) starting together may race to it."""
    import sqlalchemy as sa

    for attempt in (1, 2):
        try:
            store.create_schema()
            return
        except StoreUnavailable as error:
            logger.error("database not reachable at start-up, will retry per request: %s", error)
            return
        except (sa.exc.IntegrityError, sa.exc.ProgrammingError):
            if attempt == 2:
                raise
            logger.info("another process created the tables at the same moment; checking again")


def _register_optional(app: Flask, name: str) -> None:
    """Channels land one issue at a time; each registers its blueprint when it exists."""
    import importlib

    try:
        module = importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as error:
        if error.name != f"{__name__}.{name}":
            raise
        return
    module.register(app)
