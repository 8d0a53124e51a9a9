"""Alexa request verification: every check refuses with 400, stores nothing, names itself."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from alexa_helpers import (
    CERT_URL,
    SKILL_ID,
    FakeClock,
    FakePKI,
    Fetcher,
    envelope,
    install_test_verifier,
    intent,
    make_alexa_client,
    make_ca,
    make_leaf,
    pem,
    slot,
    stored_rows,
)

from voice_app import create_app
from voice_app.alexa.certs import SigningCertificates, VerificationError, normalise_cert_url
from voice_app.settings import SettingsError

START = intent("StartPracticeIntent", slot("practice", "loving kindness",
                                           resolved="loving-kindness"))


@pytest.fixture
def alexa(app):
    return make_alexa_client(app)


def start_payload(alexa, **overrides):
    return envelope(START, when=overrides.pop("when", alexa.clock()), session={"new": True},
                    **overrides)


def refused(alexa, app, caplog, check, body: bytes, headers: dict[str, str]) -> None:
    """The request answers 400, stores nothing, and a log line names `check`."""
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="voice_app.alexa"):
        response = alexa.post_raw(body, headers)
    assert response.status_code == 400, response.data
    assert stored_rows(app) == 0
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("voice_app.alexa")]
    assert any(f"{check} check failed" in line for line in lines), lines
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_signed_request_is_accepted_and_stores_progress(alexa, app):
    body = json.dumps(start_payload(alexa)).encode()
    response = alexa.post_raw(body, alexa.sign(body))
    assert response.status_code == 200
    assert stored_rows(app) == 1


def test_bad_signature(alexa, app, caplog):
    body = json.dumps(start_payload(alexa)).encode()
    headers = {**alexa.sign(body), "Signature-256": "bm90IGEgc2lnbmF0dXJl"}
    refused(alexa, app, caplog, "signature", body, headers)
    refused(alexa, app, caplog, "signature", body, {**headers, "Signature-256": "%%%"})
    no_signature = {k: v for k, v in headers.items() if k != "Signature-256"}
    refused(alexa, app, caplog, "signature", body, no_signature)


def test_signature_over_a_different_body(alexa, app, caplog):
    body = json.dumps(start_payload(alexa)).encode()
    other = json.dumps(start_payload(alexa, user_id="someone-else")).encode()
    refused(alexa, app, caplog, "signature", body, alexa.sign(other))


def test_signature_by_a_key_other_than_the_certificates(alexa, app, caplog):
    body = json.dumps(start_payload(alexa)).encode()
    stranger = make_leaf(FakePKI.create().intermediate, key_name="stranger").key
    refused(alexa, app, caplog, "signature", body, alexa.sign(body, stranger))


@pytest.mark.parametrize("url", [
    "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://notamazon.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
    "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
    "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem",
    "https://user@s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com:notaport/echo.api/echo-api-cert.pem",
    "",
])
def test_wrong_certificate_urls(alexa, app, caplog, url):
    body = json.dumps(start_payload(alexa)).encode()
    headers = {**alexa.sign(body), "SignatureCertChainUrl": url}
    refused(alexa, app, caplog, "signature-cert-url", body, headers)


@pytest.mark.parametrize(("url", "normalised"), [
    ("https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
     "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"),
    ("https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
     "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"),
    ("HTTPS://S3.AmazonAWS.com/echo.api/echo-api-cert.pem",
     "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"),
    ("https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
     "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"),
])
def test_valid_certificate_urls_are_normalised(url, normalised):
    assert normalise_cert_url(url) == normalised


def test_a_normalised_url_variant_is_accepted(alexa, app):
    fetcher = Fetcher({"https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem":
                       alexa.pki.chain_pem()})
    install_test_verifier(app, alexa.pki, alexa.clock, fetcher)
    body = json.dumps(start_payload(alexa)).encode()
    headers = {**alexa.sign(body), "SignatureCertChainUrl":
               "https://S3.amazonaws.com:443/echo.api/../echo.api/echo-api-cert-test.pem"}
    assert alexa.post_raw(body, headers).status_code == 200


def serve_chain(app, alexa, chain: bytes) -> None:
    install_test_verifier(app, alexa.pki, alexa.clock, Fetcher({CERT_URL: chain}))


def test_expired_certificate(alexa, app, caplog):
    now = datetime.now(UTC)
    expired = make_leaf(alexa.pki.intermediate, not_before=now - timedelta(days=60),
                        not_after=now - timedelta(days=1))
    serve_chain(app, alexa, pem(expired.cert, alexa.pki.intermediate.cert))
    body = json.dumps(start_payload(alexa)).encode()
    refused(alexa, app, caplog, "certificate-validity", body, alexa.sign(body))


def test_not_yet_valid_certificate(alexa, app, caplog):
    now = datetime.now(UTC)
    early = make_leaf(alexa.pki.intermediate, not_before=now + timedelta(days=1),
                      not_after=now + timedelta(days=30))
    serve_chain(app, alexa, pem(early.cert, alexa.pki.intermediate.cert))
    body = json.dumps(start_payload(alexa)).encode()
    refused(alexa, app, caplog, "certificate-validity", body, alexa.sign(body))


def test_certificate_for_another_name(alexa, app, caplog):
    other = make_leaf(alexa.pki.intermediate, "echo-api.amazon.com.evil.example")
    serve_chain(app, alexa, pem(other.cert, alexa.pki.intermediate.cert))
    body = json.dumps(start_payload(alexa)).encode()
    refused(alexa, app, caplog, "certificate-name", body, alexa.sign(body))


def test_untrusted_chain(alexa, app, caplog):
    rogue_root = make_ca("Rogue Root CA")
    rogue_intermediate = make_ca("Rogue Intermediate CA", issuer=rogue_root)
    rogue = make_leaf(rogue_intermediate)  # same key as the real leaf: only the chain differs
    serve_chain(app, alexa, pem(rogue.cert, rogue_intermediate.cert, rogue_root.cert))
    body = json.dumps(start_payload(alexa)).encode()
    refused(alexa, app, caplog, "certificate-chain", body, alexa.sign(body))


def test_chain_missing_its_intermediate(alexa, app, caplog):
    serve_chain(app, alexa, pem(alexa.pki.leaf.cert))
    body = json.dumps(start_payload(alexa)).encode()
    refused(alexa, app, caplog, "certificate-chain", body, alexa.sign(body))


def test_unreadable_certificate_file(alexa, app, caplog):
    serve_chain(app, alexa, b"not a certificate")
    body = json.dumps(start_payload(alexa)).encode()
    refused(alexa, app, caplog, "certificate-parse", body, alexa.sign(body))


def test_certificate_fetch_failure(alexa, app, caplog):
    def broken(url: str) -> bytes:
        raise VerificationError("certificate-fetch", "timed out")

    certificates = SigningCertificates(roots=[alexa.pki.root.cert], fetch=broken,
                                       clock=alexa.clock)
    from voice_app.alexa import install_verifier
    from voice_app.alexa.verify import RequestVerifier

    install_verifier(app, RequestVerifier(SKILL_ID, certificates, alexa.clock))
    body = json.dumps(start_payload(alexa)).encode()
    refused(alexa, app, caplog, "certificate-fetch", body, alexa.sign(body))


@pytest.mark.parametrize("seconds", [-151, 151, -3600, 86_400])
def test_old_or_future_timestamp(alexa, app, caplog, seconds):
    when = alexa.clock() + timedelta(seconds=seconds)
    body = json.dumps(start_payload(alexa, when=when)).encode()
    refused(alexa, app, caplog, "timestamp", body, alexa.sign(body))


@pytest.mark.parametrize("seconds", [-149, 149])
def test_timestamp_within_tolerance(alexa, seconds):
    when = alexa.clock() + timedelta(seconds=seconds)
    assert alexa.post(start_payload(alexa, when=when)).status_code == 200


def test_wrong_skill_id(alexa, app, caplog):
    body = json.dumps(start_payload(alexa, skill_id="amzn1.ask.skill.another")).encode()
    refused(alexa, app, caplog, "application-id", body, alexa.sign(body))
    payload = start_payload(alexa)
    payload["session"]["application"]["applicationId"] = "amzn1.ask.skill.another"
    body = json.dumps(payload).encode()
    refused(alexa, app, caplog, "application-id", body, alexa.sign(body))


def test_malformed_json_is_400_without_a_traceback(alexa, app, caplog):
    for body in (b"{not json", b"[1, 2]", b'{"version": "1.0"}', b"\xff\xfe"):
        refused(alexa, app, caplog, "json", body, alexa.sign(body))


def test_unsigned_malformed_body_fails_on_the_certificate_url(alexa, app, caplog):
    refused(alexa, app, caplog, "signature-cert-url", b"{not json",
            {"Content-Type": "application/json"})


def test_invalid_envelope_is_400(alexa, app, caplog):
    payload = start_payload(alexa)
    payload["request"]["type"] = "No.Such.RequestType"
    body = json.dumps(payload).encode()
    refused(alexa, app, caplog, "envelope", body, alexa.sign(body))


def test_oversized_body_is_413_unread(alexa, app):
    body = b"{" + b" " * (app.config["MAX_CONTENT_LENGTH"] + 10) + b"}"
    response = alexa.post_raw(body, alexa.sign(body))
    assert response.status_code == 413
    assert stored_rows(app) == 0


def test_certificate_is_fetched_once_and_cached_until_it_expires(app):
    clock = FakeClock()
    alexa = make_alexa_client(app, clock)
    fetcher = install_test_verifier(app, alexa.pki, clock)
    for _ in range(3):
        assert alexa.post(start_payload(alexa)).status_code == 200
    assert fetcher.calls == [CERT_URL]
    leaf_expiry = alexa.pki.leaf.cert.not_valid_after_utc
    clock.now = leaf_expiry + timedelta(seconds=1)
    body = json.dumps(start_payload(alexa)).encode()
    assert alexa.post_raw(body, alexa.sign(body)).status_code == 400
    assert fetcher.calls == [CERT_URL, CERT_URL]


def test_verification_off_warns_on_every_request(app_config, caplog):
    app = create_app({**app_config, "ALEXA_VERIFY": "0"})
    client = app.test_client()
    payload = envelope(START, when=datetime.now(UTC) - timedelta(days=1),
                       session={"new": True})
    for _ in range(2):
        with caplog.at_level(logging.WARNING, logger="voice_app.alexa"):
            assert client.post("/alexa", json=payload).status_code == 200
    warnings = [r for r in caplog.records if "verification is OFF" in r.getMessage()]
    assert len(warnings) == 2
    other_skill = envelope(START, when=datetime.now(UTC), skill_id="amzn1.ask.skill.other",
                           session={"new": True})
    assert client.post("/alexa", json=other_skill).status_code == 400


def test_production_refuses_to_start_with_verification_off(app_config):
    production = {**app_config, "APP_ENV": "production", "ALEXA_VERIFY": "0"}
    with pytest.raises(SettingsError, match="ALEXA_VERIFY"):
        create_app(production)


def test_raw_user_id_is_never_stored_or_logged(alexa, app, caplog):
    from alexa_helpers import USER_ID

    with caplog.at_level(logging.DEBUG):
        alexa.send(START, new=True)
    assert USER_ID not in caplog.text
    store = app.extensions["store"]
    import sqlalchemy as sa

    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM progress")).all()
    assert rows and all(USER_ID not in str(row) for row in rows)
