"""Test helpers for the Alexa skill: our own CA and signing certificates, request envelopes,
and a client that signs and posts them to /alexa the way Alexa does."""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from voice_app.alexa import install_verifier
from voice_app.alexa.certs import SigningCertificates
from voice_app.alexa.verify import RequestVerifier

SKILL_ID = "amzn1.ask.skill.test-skill-id"
USER_ID = "amzn1.ask.account.TEST-USER-RAW-ID"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"
ECHO = "echo-api.amazon.com"


# --- certificates ---------------------------------------------------------------------------

@functools.cache
def _key(name: str) -> rsa.RSAPrivateKey:
    """One RSA key per role, made once per test run (key generation is the slow part)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class Issued:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_ca(name: str, issuer: Issued | None = None, now: datetime | None = None) -> Issued:
    """A root CA (self-signed) or, given an issuer, an intermediate CA."""
    now = now or datetime.now(UTC)
    key = _key(name)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    builder = (x509.CertificateBuilder()
               .subject_name(_name(name))
               .issuer_name(issuer.cert.subject if issuer else _name(name))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(days=365))
               .not_valid_after(now + timedelta(days=3650))
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
               .add_extension(_usage("digital_signature", "key_cert_sign", "crl_sign"),
                              critical=True)
               .add_extension(ski, critical=False))
    if issuer:
        builder = builder.add_extension(_aki(issuer), critical=False)
    return Issued(builder.sign(issuer.key if issuer else key, hashes.SHA256()), key)


def _usage(*granted: str) -> x509.KeyUsage:
    names = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
             "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")
    return x509.KeyUsage(**{name: name in granted for name in names})


def _aki(issuer: Issued) -> x509.AuthorityKeyIdentifier:
    return x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key())


def make_leaf(issuer: Issued, dns_name: str = ECHO, *, key_name: str = "leaf",
              not_before: datetime | None = None, not_after: datetime | None = None) -> Issued:
    now = datetime.now(UTC)
    key = _key(key_name)
    cert = (x509.CertificateBuilder()
            .subject_name(_name(dns_name)).issuer_name(issuer.cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before or now - timedelta(days=1))
            .not_valid_after(not_after or now + timedelta(days=90))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage("digital_signature", "key_encipherment"), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .add_extension(_aki(issuer), critical=False)
            .sign(issuer.key, hashes.SHA256()))
    return Issued(cert, key)


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


@dataclass
class FakePKI:
    """A root we trust, an intermediate under it, and Alexa's signing leaf under that."""

    root: Issued
    intermediate: Issued
    leaf: Issued

    @classmethod
    @functools.cache
    def create(cls) -> FakePKI:
        root = make_ca("Test Root CA")
        intermediate = make_ca("Test Intermediate CA", issuer=root)
        return cls(root, intermediate, make_leaf(intermediate))

    def chain_pem(self) -> bytes:
        return pem(self.leaf.cert, self.intermediate.cert)


@dataclass
class FakeClock:
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Fetcher:
    """Serves certificate files by URL and counts downloads."""

    files: dict[str, bytes] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        return self.files[url]


def install_test_verifier(app: Any, pki: FakePKI, clock: FakeClock,
                          fetcher: Fetcher | None = None) -> Fetcher:
    fetcher = fetcher or Fetcher()
    fetcher.files.setdefault(CERT_URL, pki.chain_pem())
    certificates = SigningCertificates(roots=[pki.root.cert], fetch=fetcher, clock=clock)
    install_verifier(app, RequestVerifier(SKILL_ID, certificates, clock))
    return fetcher


# --- envelopes -------------------------------------------------------------------------------

def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def player(token: str | None, offset_ms: int = 0, activity: str = "PLAYING") -> dict[str, Any]:
    return {"token": token, "offsetInMilliseconds": offset_ms, "playerActivity": activity}


def envelope(request: dict[str, Any], *, when: datetime, user_id: str = USER_ID,
             skill_id: str = SKILL_ID, session: dict[str, Any] | None = None,
             audio_player: dict[str, Any] | None = None,
             plays_audio: bool = True, locale: str = "en-US") -> dict[str, Any]:
    """A request envelope; `plays_audio=False` is a device without an audio player (its
    supportedInterfaces lack AudioPlayer)."""
    interfaces: dict[str, Any] = {"AudioPlayer": {}} if plays_audio else {}
    system = {"application": {"applicationId": skill_id}, "user": {"userId": user_id},
              "device": {"deviceId": "amzn1.ask.device.TEST",
                         "supportedInterfaces": interfaces},
              "apiEndpoint": "https://api.amazonalexa.com"}
    context: dict[str, Any] = {"System": system}
    if audio_player is not None:
        context["AudioPlayer"] = audio_player
    body: dict[str, Any] = {"version": "1.0", "context": context,
                            "request": {"requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
                                        "timestamp": iso(when), "locale": locale, **request}}
    if session is not None:
        body["session"] = {"new": session.get("new", False),
                           "sessionId": session.get("id", "amzn1.echo-api.session.test"),
                           "application": {"applicationId": skill_id},
                           "user": {"userId": user_id},
                           "attributes": session.get("attributes", {})}
    return body


def slot(name: str, value: str | None = None, *, resolved: str | None = None,
         authority_type: str = "PracticeName", no_match: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
    if value is not None:
        data["value"] = value
    if resolved is not None or no_match:
        code = "ER_SUCCESS_NO_MATCH" if no_match else "ER_SUCCESS_MATCH"
        authority: dict[str, Any] = {
            "authority": f"amzn1.er-authority.echo-sdk.{SKILL_ID}.{authority_type}",
            "status": {"code": code}}
        if not no_match:
            authority["values"] = [{"value": {"name": value, "id": resolved}}]
        data["resolutions"] = {"resolutionsPerAuthority": [authority]}
    return data


def intent(name: str, *slots: dict[str, Any]) -> dict[str, Any]:
    return {"type": "IntentRequest", "dialogState": "COMPLETED",
            "intent": {"name": name, "confirmationStatus": "NONE",
                       "slots": {s["name"]: s for s in slots}}}


def audio_event(kind: str, token: str, offset_ms: int = 0) -> dict[str, Any]:
    request: dict[str, Any] = {"type": f"AudioPlayer.{kind}", "token": token,
                               "offsetInMilliseconds": offset_ms}
    if kind == "PlaybackFailed":
        request["error"] = {"type": "MEDIA_ERROR_SERVICE_UNAVAILABLE", "message": "gone"}
        request["currentPlaybackState"] = player(token, offset_ms, "STOPPED")
    return request


# --- the client ------------------------------------------------------------------------------

@dataclass
class AlexaClient:
    """Posts signed envelopes to /alexa; keeps the session's attributes between turns."""

    client: Any
    pki: FakePKI
    clock: FakeClock
    user_id: str = USER_ID
    attributes: dict[str, Any] = field(default_factory=dict)
    plays_audio: bool = True
    """False: every request comes from a device without an audio player."""
    locale: str = "en-US"
    """The locale of every request ("es-US": the skill's Spanish)."""

    def sign(self, body: bytes, key: rsa.RSAPrivateKey | None = None) -> dict[str, str]:
        signature = (key or self.pki.leaf.key).sign(body, padding.PKCS1v15(), hashes.SHA256())
        return {"Signature-256": base64.b64encode(signature).decode(),
                "SignatureCertChainUrl": CERT_URL, "Content-Type": "application/json"}

    def post_raw(self, body: bytes, headers: dict[str, str]) -> Any:
        return self.client.post("/alexa", data=body, headers=headers)

    def post(self, payload: dict[str, Any]) -> Any:
        body = json.dumps(payload).encode()
        return self.post_raw(body, self.sign(body))

    def send(self, request: dict[str, Any], *, in_session: bool = True, new: bool = False,
             audio_player: dict[str, Any] | None = None) -> dict[str, Any]:
        """One request as Alexa sends it; returns the response JSON (asserting 200)."""
        session = {"new": new, "attributes": {} if new else self.attributes} \
            if in_session else None
        payload = envelope(request, when=self.clock(), user_id=self.user_id, session=session,
                           audio_player=audio_player, plays_audio=self.plays_audio,
                           locale=self.locale)
        response = self.post(payload)
        assert response.status_code == 200, response.data
        data = response.get_json()
        if in_session:
            self.attributes = data.get("sessionAttributes") or {}
        return data


def play_directive(data: dict[str, Any]) -> dict[str, Any]:
    plays = [d for d in data["response"].get("directives", [])
             if d["type"] == "AudioPlayer.Play"]
    assert len(plays) == 1, data
    return plays[0]


def speech_of(data: dict[str, Any]) -> str:
    return data["response"].get("outputSpeech", {}).get("ssml", "")


def make_alexa_client(app: Any, clock: FakeClock | None = None) -> AlexaClient:
    """A signing client for `app`, with the app's verifier trusting our test root."""
    pki = FakePKI.create()
    clock = clock or FakeClock()
    install_test_verifier(app, pki, clock)
    return AlexaClient(app.test_client(), pki, clock)


def stored_rows(app: Any) -> int:
    """Rows in the progress and history tables: proof that a refused request stored nothing."""
    import sqlalchemy as sa

    from voice_app.store import history, progress

    store = app.extensions["store"]
    with store.engine.connect() as conn:
        return sum(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                   for t in (progress, history))


def variant_of(app: Any, practice_id: str, minutes: int) -> Any:
    variant = app.extensions["catalog"].get().get(practice_id).variant(minutes)
    assert variant is not None
    return variant


def token_for(app: Any, practice_id: str, minutes: int) -> str:
    return f"cb1:{practice_id}:{minutes}:{variant_of(app, practice_id, minutes).sha256}"


def assert_silent(data: dict[str, Any], *, directives: bool = False) -> None:
    """No speech, card, reprompt or session flag; directives only where `directives`."""
    allowed = {"directives"} if directives else set()
    assert set(data["response"]) <= allowed, data["response"]
    for directive in data["response"].get("directives", []):
        assert directive["type"].startswith("AudioPlayer."), directive


@contextlib.contextmanager
def postgres_schema(server_url: str) -> Iterator[str]:
    """A fresh schema on the test PostgreSQL server (the `postgres_url` fixture); yields a
    DATABASE_URL that uses it. Dropped afterwards."""
    import sqlalchemy as sa

    schema = f"alexa_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, connect_args={"connect_timeout": 3})
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield with_search_path(server_url, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def with_search_path(server_url: str, schema: str) -> str:
    """`server_url` with every connection working in `schema`."""
    joiner = "&" if "?" in server_url else "?"
    return f"{server_url}{joiner}options=-csearch_path%3D{schema}"


# --- shared by the handler tests -------------------------------------------------------------

LOVING = slot("practice", "loving kindness", resolved="loving-kindness")


def start(practice_slot: dict[str, Any], *more: dict[str, Any]) -> dict[str, Any]:
    return intent("StartPracticeIntent", practice_slot, *more)


def key_of(app: Any, user: str = USER_ID) -> str:
    from voice_app.keys import listener_key

    return listener_key(app.extensions["settings"].SECRET_KEY, "alexa", user)


def saved(app: Any) -> Any:
    return app.extensions["store"].get_position(key_of(app))


def save(app: Any, practice_id: str = "loving-kindness", minutes: int = 5,
         offset_ms: int = 250_000, step: int | None = None, sha: str | None = None,
         status: str = "paused", event_ms: int = 1) -> None:
    from voice_app.store import Position

    variant = variant_of(app, practice_id, minutes)
    step = variant.step_at(offset_ms) if step is None else step
    app.extensions["store"].save_position(key_of(app), Position(
        practice_id, minutes, sha or variant.sha256, offset_ms, step, status, "alexa", event_ms))


def assert_plays(app: Any, data: dict[str, Any], practice_id: str, minutes: int,
                 offset_ms: int) -> dict[str, Any]:
    """Exactly one Play: REPLACE_ALL, https URL under PUBLIC_BASE_URL, a token naming practice,
    length and hash, the offset, metadata, and the session ended."""
    play = play_directive(data)
    assert play["playBehavior"] == "REPLACE_ALL"
    stream = play["audioItem"]["stream"]
    variant = variant_of(app, practice_id, minutes)
    assert stream["url"] == f"https://compassion.example.test/audio/{variant.file}"
    assert stream["token"] == f"cb1:{practice_id}:{minutes}:{variant.sha256}"
    assert len(stream["token"]) <= 1024
    assert stream["offsetInMilliseconds"] == offset_ms
    title = app.extensions["catalog"].get().get(practice_id).title
    assert play["audioItem"]["metadata"]["title"] == title
    assert play["audioItem"]["metadata"]["subtitle"].startswith(f"{minutes}-minute")
    assert data["response"]["shouldEndSession"] is True
    assert "reprompt" not in data["response"]
    return stream
