"""HTTP errors: each answers in its own terms, none logs a traceback for a client's mistake."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        if error.code and error.code >= 500:
            logger.error("%s %s", error.code, error.description)
        return jsonify(error=error.name, status=error.code), error.code

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # type: ignore[no-untyped-def]
        logger.exception("unhandled error")
        return jsonify(error="Internal Server Error", status=500), 500
