"""The database goes away for a few seconds under a running gunicorn: Alexa says it is having
trouble (never an HTTP error), the phone apologises in valid TwiML, /healthz says not ready, and
everything comes back without a restart.

The app reaches PostgreSQL through a TCP proxy the test controls; cutting the proxy resets every
connection and refuses new ones (the machine's PostgreSQL service is left alone).
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from alexa_helpers import postgres_schema
from serving_helpers import TcpProxy, server_errors, serving
from twilio.request_validator import RequestValidator

from bench.traffic import (
    PUBLIC_BASE_URL,
    TWILIO_TOKEN,
    AlexaListener,
    practices_of,
)

pytestmark = pytest.mark.serving

OUTAGE_S = 4
TROUBLE = "having trouble right now. Please try again in a moment"


def fetch(url: str, body: bytes | None = None, headers: dict[str, str] | None = None
          ) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=15) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def alexa_start(server, listener: AlexaListener) -> tuple[int, dict]:
    listener.step = 0
    request = listener.next_request()
    began = time.monotonic()
    status, body = fetch(server.url + "/alexa", request.body, request.headers)
    assert time.monotonic() - began < 8, "Alexa waits 8 s at most"
    return status, json.loads(body) if status == 200 else {}


def phone_call(server) -> tuple[int, ET.Element | None]:
    form = {"CallSid": "CA" + "e" * 32, "From": "+15550001111", "CallStatus": "ringing"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(
        PUBLIC_BASE_URL + "/phone/incoming", form)
    status, body = fetch(server.url + "/phone/incoming", urlencode(form).encode(),
                         {"X-Twilio-Signature": signature})
    return status, ET.fromstring(body) if status == 200 else None


def test_database_outage_is_answered_kindly_and_recovers(built_library: Path, tmp_path: Path,
                                                         postgres_url: str):
    target = sa.engine.make_url(postgres_url)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
    practices = practices_of(json.loads((built_library / "catalog.json").read_text()))
    with postgres_schema(postgres_url) as direct_url:
        url = sa.engine.make_url(direct_url).set(host="127.0.0.1", port=proxy.port) \
            .render_as_string(hide_password=False)
        try:
            with serving(built_library, url, tmp_path) as server:
                from cryptography.hazmat.primitives import serialization

                key = serialization.load_pem_private_key(
                    (tmp_path / "leaf-key.pem").read_bytes(), password=None)
                listener = AlexaListener(random.Random(1),
                                         "amzn1.ask.account.OUTAGE", practices, key)
                status, data = alexa_start(server, listener)
                assert status == 200 and "directives" in data["response"]

                proxy.cut()
                outage_ends = time.monotonic() + OUTAGE_S
                seen = 0
                while time.monotonic() < outage_ends:
                    status, data = alexa_start(server, listener)
                    assert status == 200
                    assert TROUBLE in data["response"]["outputSpeech"]["ssml"]
                    assert "directives" not in data["response"]
                    status, twiml = phone_call(server)
                    assert status == 200 and twiml is not None
                    assert twiml.find("Hangup") is not None
                    assert [p.text for p in twiml.iter("Play")
                            if "trouble" in (p.text or "")] or twiml.find("Say") is not None
                    status, body = fetch(server.url + "/healthz")
                    assert status == 503 and json.loads(body)["database"] is False
                    seen += 1
                assert seen >= 2

                proxy.restore()
                recovered = None
                deadline = time.monotonic() + 15
                while time.monotonic() < deadline and recovered is None:
                    status, body = fetch(server.url + "/healthz")
                    if status == 200:
                        recovered = time.monotonic()
                    else:
                        time.sleep(0.2)
                assert recovered is not None, "healthz never recovered"
                for _ in range(4):  # every worker's pool, not only the one that answered
                    status, data = alexa_start(server, listener)
                    assert status == 200 and "directives" in data["response"], data
                    status, twiml = phone_call(server)
                    assert status == 200 and twiml.find("Gather") is not None
                errors = server_errors(server)
        finally:
            proxy.close()
    assert [e for e in errors if "traceback" in e or e.get("level") == "error"
            and "database not reachable" not in str(e.get("message"))] == []
