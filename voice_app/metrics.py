"""Prometheus metrics: requests by route and status, latency histograms, practices by channel.

One `Metrics` per app, kept in `app.extensions["metrics"]`, served at `GET /metrics` in the
Prometheus text format. Under gunicorn each worker is its own process, so `gunicorn.conf.py`
sets `PROMETHEUS_MULTIPROC_DIR` before any worker starts: every worker then writes its numbers
to files there and `/metrics` (whichever worker answers) adds them all up. Without it (tests,
`flask run`) the numbers live in this process. Route labels are URL rules such as
`/audio/<path:name>`, never the path itself, so no identifier reaches a label.
"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Flask, Response, abort, current_app, has_app_context, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)

LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CHANNELS = ("alexa", "phone", "web")

blueprint = Blueprint("metrics", __name__)


class Metrics:
    """The service's counters and histograms; `multiprocess_dir` is gunicorn's shared folder."""

    def __init__(self, multiprocess_dir: str = "") -> None:
        self.multiprocess_dir = multiprocess_dir
        # In multiprocess mode the values live in files; a private registry only for one process.
        self.registry = None if multiprocess_dir else CollectorRegistry()
        self.requests = Counter(
            "compassion_http_requests", "HTTP requests answered, by route, method and status.",
            ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram(
            "compassion_http_request_duration_seconds",
            "Time from the request reaching the app to the response leaving it, by route.",
            ["route"], buckets=LATENCY_BUCKETS_S, registry=self.registry)
        self.practices_started = Counter(
            "compassion_practices_started", "Practices started, by channel.", ["channel"],
            registry=self.registry)
        self.practices_finished = Counter(
            "compassion_practices_finished", "Practices played to their end, by channel.",
            ["channel"], registry=self.registry)
        self.crisis_responses = Counter(
            "compassion_crisis_responses",
            "Crisis responses given (crisis line offered instead of a practice), by channel and "
            "what happened: answered, connected (phone calls put through to the crisis line).",
            ["channel", "event"], registry=self.registry)

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route=route, method=method, status=str(status)).inc()
        self.latency.labels(route=route).observe(seconds)

    def count_practice(self, event: str, channel: str) -> None:
        counter = self.practices_started if event == "started" else self.practices_finished
        counter.labels(channel=channel).inc()

    def exposition(self) -> bytes:
        if self.multiprocess_dir:
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=self.multiprocess_dir)
            return generate_latest(registry)
        assert self.registry is not None
        return generate_latest(self.registry)


def register(app: Flask) -> None:
    settings = app.extensions["settings"]
    app.extensions["metrics"] = Metrics(settings.PROMETHEUS_MULTIPROC_DIR)
    app.register_blueprint(blueprint)


def count_practice(event: str, channel: str) -> None:
    """Count a practice `started` or `finished` on `channel`; nothing outside an app."""
    if not has_app_context():
        return
    metrics: Metrics | None = current_app.extensions.get("metrics")
    if metrics is not None:
        metrics.count_practice(event, channel)


def count_crisis(channel: str, event: str = "answered") -> None:
    """Count a crisis response on `channel`: the only thing ever recorded about one."""
    if not has_app_context():
        return
    metrics: Metrics | None = current_app.extensions.get("metrics")
    if metrics is not None:
        metrics.crisis_responses.labels(channel=channel, event=event).inc()


@blueprint.get("/metrics")
def metrics_text():  # type: ignore[no-untyped-def]
    token = current_app.extensions["settings"].METRICS_TOKEN
    if token:
        offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(offered.encode(), token.encode()):
            abort(401)
    body = current_app.extensions["metrics"].exposition()
    return Response(body, mimetype=None, content_type=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})
