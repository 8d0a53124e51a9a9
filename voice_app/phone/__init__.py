"""The phone hotline: Twilio Programmable Voice webhooks (TwiML), keypad and speech menus,
practices you can pause and resume by key, and "continue where you left off" on call-back.

Point a number's voice URL at `POST /phone/incoming` and its status callback at
`POST /phone/status`; every other URL comes from the TwiML. See README.md in this folder.
`register(app)` is called by `voice_app.create_app`; importing this package does nothing else.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from .routes import make_blueprint

    app.register_blueprint(make_blueprint())
