"""Serving in-process: /metrics, JSON access lines without identifiers, request ids, the
oversized-body check and the development-only local Alexa trust folder."""

from __future__ import annotations

import json
import logging

import pytest
from alexa_helpers import (
    LOVING,
    USER_ID,
    AlexaClient,
    FakeClock,
    FakePKI,
    envelope,
    make_ca,
    make_leaf,
    start,
)

from voice_app import create_app
from voice_app.logs import JsonFormatter
from voice_app.settings import SettingsError, load_settings


@pytest.fixture
def pki_app(app_config, tmp_path):
    from serving_helpers import make_pki

    trust, _ = make_pki(tmp_path / "pki")
    return create_app({**app_config, "ALEXA_TEST_PKI_DIR": str(trust)})


def test_local_trust_folder_verifies_signed_requests(pki_app):
    alexa = AlexaClient(pki_app.test_client(), FakePKI.create(), FakeClock())
    data = alexa.send(start(LOVING))
    assert data["response"]["directives"][0]["type"] == "AudioPlayer.Play"
    body = json.dumps(envelope(start(LOVING), when=FakeClock()(), session={})).encode()
    stranger = make_ca("Stranger Root CA")
    forged = make_leaf(stranger, key_name="forger")
    assert alexa.post_raw(body, alexa.sign(body, forged.key)).status_code == 400


def test_local_trust_folder_is_refused_in_production():
    production = {"SECRET_KEY": "s", "ALEXA_SKILL_ID": "a", "TWILIO_AUTH_TOKEN": "t",
                  "PUBLIC_BASE_URL": "https://x.example", "ALEXA_TEST_PKI_DIR": "/tmp"}
    with pytest.raises(SettingsError, match="ALEXA_TEST_PKI_DIR"):
        load_settings(production, environ={})


def test_metrics_count_requests_and_practices(pki_app):
    alexa = AlexaClient(pki_app.test_client(), FakePKI.create(), FakeClock())
    alexa.send(start(LOVING))
    client = pki_app.test_client()
    client.get("/")
    client.get("/no/such/page")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'compassion_practices_started_total{channel="alexa"} 1.0' in text
    assert 'route="/alexa",status="200"' in text
    assert 'route="(unmatched)",status="404"' in text
    assert "compassion_http_request_duration_seconds_bucket" in text
    assert "no/such" not in text


def test_metrics_token(app_config):
    app = create_app({**app_config, "METRICS_TOKEN": "sesame"})
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer sesame"}).status_code == 200


def test_access_line_is_json_without_identifiers(pki_app, caplog):
    formatter = JsonFormatter()
    alexa = AlexaClient(pki_app.test_client(), FakePKI.create(), FakeClock())
    with caplog.at_level(logging.INFO, logger="voice_app.access"):
        alexa.send(start(LOVING))
        response = pki_app.test_client().get("/feed.xml", headers={"X-Request-Id": "abc12345"})
    assert response.headers["X-Request-Id"] == "abc12345"
    lines = [json.loads(formatter.format(r)) for r in caplog.records
             if r.name == "voice_app.access"]
    assert [line["route"] for line in lines] == ["/alexa", "/feed.xml"]
    assert lines[0]["status"] == 200 and lines[0]["duration_ms"] > 0
    assert lines[1]["request_id"] == "abc12345"
    assert USER_ID not in caplog.text and "amzn1.ask.account" not in caplog.text


def test_declared_oversized_body_is_413_everywhere(client):
    big = b"x" * (64 * 1024 + 1)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert client.post("/phone/incoming", data=big, headers=form).status_code == 413
    assert client.post("/alexa", data=big).status_code == 413
