"""Check-ins on the web (issue 14): placeholder, filled in below."""

from __future__ import annotations

from flask import Blueprint

from . import language

blueprint = Blueprint("checkin", __name__)


@language.route(blueprint, "/checkins", methods=["GET"])
def mine(lang: str):  # type: ignore[no-untyped-def]
    return "", 404
