"""The ceiling of the stack: a Flask app that answers a fixed JSON, served by the same gunicorn
settings as the real one. `gunicorn 'bench.minimal_app:create_app()'`."""

from __future__ import annotations

from flask import Flask, jsonify


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def fixed():  # type: ignore[no-untyped-def]
        return jsonify(status="ok", practices=14)

    @app.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        return jsonify(status="ok")

    return app
