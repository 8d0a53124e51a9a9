"""Structured logs: one JSON line per request, and a JSON formatter for every log line.

`install(app)` gives each request an id (the caller's `X-Request-Id` when it is a sane token,
else a fresh one; echoed in the response), then writes one access line per request to the
`voice_app.access` logger: route (the URL rule, never the path), method, status, latency and
request id. Paths, query strings, bodies, Alexa user ids and phone numbers are never logged.
It also feeds the same numbers to `metrics`. `JsonFormatter` is what `gunicorn.conf.py` puts on
the handlers; nothing here configures logging by itself.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request

access_logger = logging.getLogger("voice_app.access")

REQUEST_ID_HEADER = "X-Request-Id"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
ACCESS_FIELDS = ("route", "method", "status", "duration_ms", "bytes")
UNMATCHED_ROUTE = "(unmatched)"
"""The route label of a request no URL rule matched: a 404's path could be anything."""


def install(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    g.request_started = time.perf_counter()
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if _SANE_ID.match(offered) else uuid.uuid4().hex


def route_label() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else UNMATCHED_ROUTE


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    if started is None:  # a request refused before before_request ran (e.g. 413 in routing)
        _start()
        started = g.request_started
    seconds = time.perf_counter() - started
    route = route_label()
    metrics = current_app.extensions.get("metrics")
    if metrics is not None:
        metrics.observe_request(route, request.method, response.status_code, seconds)
    response.headers[REQUEST_ID_HEADER] = g.request_id
    access_logger.info("request", extra={
        "request_id": g.request_id, "route": route, "method": request.method,
        "status": response.status_code,
        "duration_ms": round(seconds * 1000, 2), "bytes": response.content_length})
    return response


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, access fields."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            data["request_id"] = request_id
        for name in ACCESS_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                data[name] = value
        if record.exc_info:
            data["traceback"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """A `logging.config.dictConfig` mapping: JSON lines on stderr for the app and gunicorn."""
    handler = {"class": "logging.StreamHandler", "formatter": "json",
               "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "voice_app.logs.JsonFormatter"}},
        "handlers": {"stderr": handler},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "WARNING", "handlers": ["stderr"], "propagate": False},
        },
    }
