"""The Alexa skill: `POST /alexa` with verified requests, AudioPlayer playback and saved progress.

    endpoint.py   the route: admit (verify, parse) then dispatch through ask-sdk-core
    verify.py     signature, timestamp and skill id checks; certs.py the signing certificate
    skill.py      the explicit list of handlers (handlers/: one module per concern)
    listening.py  saving and finding a listener's place; playback.py the pure step arithmetic
    responses.py  response shapes; speech.py says the alexa: words of the prompts files in the
                  request's language (es-US → Spanish); tokens.py stream tokens
    checkin.py    the stress check-in before and after a practice (ALEXA_CHECKIN)

`register(app)` is called by `voice_app.create_app`; tests swap the verifier (own CA, own
certificate fetcher, own clock) with `install_verifier`.

Deploying the skill (ASK CLI v2): `python -m audio_build skill-model` regenerates
skill-package/interactionModels/custom/en-US.json and es-US.json from the library;
`python -m voice_app.alexa.manifest --base-url "$PUBLIC_BASE_URL"` points skill.json's endpoint at
`<PUBLIC_BASE_URL>/alexa`; then `ask deploy` (ask-resources.json names ./skill-package). Set
ALEXA_SKILL_ID to the skill id the console shows.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Flask

from .endpoint import AlexaEndpoint, blueprint
from .skill import build_skill
from .verify import RequestVerifier

__all__ = ["install_verifier", "register"]


def register(app: Flask) -> None:
    settings = app.extensions["settings"]
    verifier = RequestVerifier(settings.ALEXA_SKILL_ID) if settings.ALEXA_VERIFY else None
    if verifier is not None and settings.ALEXA_TEST_PKI_DIR:  # never in production (settings)
        from pathlib import Path

        from .local_pki import local_verifier

        verifier = local_verifier(settings.ALEXA_SKILL_ID, Path(settings.ALEXA_TEST_PKI_DIR))
    app.extensions["alexa"] = AlexaEndpoint(skill=build_skill(), verifier=verifier)
    app.register_blueprint(blueprint)


def install_verifier(app: Flask, verifier: RequestVerifier | None) -> None:
    """Replace the request verifier (tests: their own trust roots, fetcher and clock)."""
    app.extensions["alexa"] = replace(app.extensions["alexa"], verifier=verifier)
