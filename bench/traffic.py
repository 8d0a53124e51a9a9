"""The traffic of real users, one virtual user at a time: Alexa listeners, phone callers and web
visitors, each a small state machine that builds its next signed request and checks the answer.

Every user knows what the store should hold for it after each request it made (`Expectation`),
so a load or fault test can prove that no acknowledged pause was lost. Alexa requests are
signed with a test CA's leaf key (the server verifies them against `ALEXA_TEST_PKI_DIR`); phone
webhooks carry a Twilio signature over PUBLIC_BASE_URL + path.
"""

from __future__ import annotations

import base64
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from twilio.request_validator import RequestValidator

SKILL_ID = "amzn1.ask.skill.test-skill-id"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"
PUBLIC_BASE_URL = "https://compassion.example.test"
TWILIO_TOKEN = "test-twilio-token"
SECRET_KEY = "test-secret-key"


@dataclass(frozen=True)
class Request:
    kind: str
    """alexa, phone or web: what latency is reported under."""
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class Expectation:
    """What the store should hold for a listener after one request: (practice, minutes,
    offset_ms, status), or None (nothing saved); `acked` once the server answered 2xx."""

    expect: tuple[str, int, int, str] | None
    acked: bool = False


@dataclass(frozen=True)
class Practice:
    practice_id: str
    minutes: int
    sha256: str
    duration_ms: int
    file: str
    bytes: int
    phone_starts_ms: tuple[int, ...]

    @property
    def token(self) -> str:
        return f"cb1:{self.practice_id}:{self.minutes}:{self.sha256}"


def practices_of(catalog: dict[str, Any], language: str = "en") -> list[Practice]:
    """Every variant with phone segments in a catalog.json mapping, in one language (the
    traffic's callers and listeners speak English; a practice's Spanish audio has other
    segment starts under the same id)."""
    found = []
    for practice in catalog["practices"]:
        if practice.get("language", "en") != language:
            continue
        for variant in practice["variants"]:
            if variant.get("phone"):
                found.append(Practice(
                    practice["practice_id"], variant["minutes"], variant["sha256"],
                    variant["duration_ms"], variant["file"], variant["bytes"],
                    tuple(s["start_ms"] for s in variant["phone"])))
    return found


def iso_ms(epoch_ms: int) -> str:
    moment = datetime.fromtimestamp(epoch_ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


class User:
    """A virtual user: `next_request()` then `answered(status, body)`, over and over."""

    kind = "web"

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.history: list[Expectation] = []

    def next_request(self) -> Request:
        raise NotImplementedError

    def answered(self, status: int, body: bytes) -> None:
        """The server's answer to the last request (status 0: the connection failed)."""

    def at_rest(self) -> bool:
        """True where stopping leaves the user paused (or with nothing to check)."""
        return True

    def record(self) -> dict[str, Any]:
        return {"kind": self.kind,
                "history": [[list(e.expect) if e.expect else None, e.acked]
                            for e in self.history]}


class AlexaListener(User):
    """Start a practice, play, pause, resume, pause again; now and then play to the end."""

    kind = "alexa"
    STEPS = ("start", "started", "stopped", "resume", "started", "stopped", "end")

    def __init__(self, rng: random.Random, user_id: str, practices: list[Practice],
                 key: rsa.RSAPrivateKey) -> None:
        super().__init__(rng)
        self.user_id, self.practices, self.key = user_id, practices, key
        self.step = 0
        self.practice = rng.choice(practices)
        self.offset_ms = 0
        self.state: tuple[str, int, int, str] | None = None

    def next_request(self) -> Request:
        name = self.STEPS[self.step]
        p = self.practice
        if name == "start":
            self.practice = p = self.rng.choice(self.practices)
            request, in_session = _start_intent(p), True
            self.offset_ms, status = 0, "playing"
        elif name == "started":
            request, in_session, status = _event("PlaybackStarted", p, self.offset_ms), False, \
                "playing"
        elif name == "stopped":
            room = max(1, p.duration_ms - 6_000 - self.offset_ms)
            self.offset_ms += self.rng.randrange(1, min(room, 120_000) + 1)
            request, in_session, status = _event("PlaybackStopped", p, self.offset_ms), False, \
                "paused"
        elif name == "resume":
            request, in_session, status = _intent("AMAZON.ResumeIntent"), True, "playing"
        elif self.rng.random() < 0.3:  # "end": some listeners hear the practice out
            request, in_session, status = _event("PlaybackFinished", p, p.duration_ms), False, ""
        else:
            request, in_session, status = _intent("AMAZON.HelpIntent"), True, ""
        expect = (p.practice_id, p.minutes, self.offset_ms, status) if status else self.state
        if name == "end" and request["type"] == "AudioPlayer.PlaybackFinished":
            expect = None
        self.history.append(Expectation(expect))
        self.step = (self.step + 1) % len(self.STEPS)
        return self.sign(request, in_session)

    def answered(self, status: int, body: bytes) -> None:
        if 200 <= status < 300:
            self.history[-1].acked = True
            self.state = self.history[-1].expect
        else:  # like a person after an error: ask for the practice again
            self.step = 0

    def at_rest(self) -> bool:
        return self.step in (0, 3, 6)  # just paused, or nothing playing

    def sign(self, request: dict[str, Any], in_session: bool) -> Request:
        body = json.dumps(alexa_envelope(request, self.user_id, in_session)).encode()
        return Request("alexa", "POST", "/alexa", self.sign_body(body), body)

    def sign_body(self, body: bytes) -> dict[str, str]:
        """The headers Alexa sends: the body's signature and where its certificate is."""
        signature = self.key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return {"Signature-256": base64.b64encode(signature).decode(),
                "SignatureCertChainUrl": CERT_URL, "Content-Type": "application/json"}


def _start_intent(p: Practice) -> dict[str, Any]:
    slots = {"practice": {"name": "practice", "value": p.practice_id.replace("-", " "),
                          "confirmationStatus": "NONE",
                          "resolutions": {"resolutionsPerAuthority": [{
                              "authority": f"amzn1.er-authority.echo-sdk.{SKILL_ID}.Practice",
                              "status": {"code": "ER_SUCCESS_MATCH"},
                              "values": [{"value": {"name": p.practice_id,
                                                    "id": p.practice_id}}]}]}},
             "duration": {"name": "duration", "value": f"PT{p.minutes}M",
                          "confirmationStatus": "NONE"}}
    return {"type": "IntentRequest", "dialogState": "COMPLETED",
            "intent": {"name": "StartPracticeIntent", "confirmationStatus": "NONE",
                       "slots": slots}}


def _intent(name: str) -> dict[str, Any]:
    return {"type": "IntentRequest",
            "intent": {"name": name, "confirmationStatus": "NONE", "slots": {}}}


def _event(kind: str, p: Practice, offset_ms: int) -> dict[str, Any]:
    return {"type": f"AudioPlayer.{kind}", "token": p.token, "offsetInMilliseconds": offset_ms}


def alexa_envelope(request: dict[str, Any], user_id: str, in_session: bool,
                   when_ms: int | None = None) -> dict[str, Any]:
    """An Alexa request envelope as a device sends it, timestamped now (to the millisecond)."""
    system = {"application": {"applicationId": SKILL_ID}, "user": {"userId": user_id},
              "device": {"deviceId": "amzn1.ask.device.LOAD",
                         "supportedInterfaces": {"AudioPlayer": {}}},
              "apiEndpoint": "https://api.amazonalexa.com"}
    stamp = iso_ms(when_ms if when_ms is not None else int(time.time() * 1000))
    body: dict[str, Any] = {
        "version": "1.0", "context": {"System": system},
        "request": {"requestId": f"amzn1.echo-api.request.{uuid.uuid4()}", "timestamp": stamp,
                    "locale": "en-US", **request}}
    if in_session:
        body["session"] = {"new": False, "sessionId": f"amzn1.echo-api.session.{user_id}",
                           "application": {"applicationId": SKILL_ID},
                           "user": {"userId": user_id}, "attributes": {}}
    return body


class Caller(User):
    """Dial, choose a practice and length, hear a segment or two, pause and hang up; every third
    call plays to the end instead. When the hotline asks the check-in question (after the
    length, before the first segment; after the last), the caller answers with a key, `#` or
    silence; the question moves no saved place."""

    kind = "phone"

    def __init__(self, rng: random.Random, number: str, practices: list[Practice]) -> None:
        super().__init__(rng)
        self.number, self.practices = number, practices
        self.plan: list[tuple[str, dict[str, str], tuple[str, int, int, str] | None]] = []
        self.calls = 0
        self.state: tuple[str, int, int, str] | None = None
        self.sid = ""
        self.checkin: tuple[str, tuple[str, int, int, str]] | None = None

    def _new_call(self) -> None:
        self.calls += 1
        self.sid = f"CA{uuid.uuid4().hex}"
        p = self.rng.choice(self.practices)
        where = {"p": p.practice_id, "m": str(p.minutes)}

        def at(index: int, status: str) -> tuple[str, int, int, str]:
            return (p.practice_id, p.minutes, p.phone_starts_ms[index], status)

        self.checkin = (f"/phone/checkin?{urlencode(where)}", at(0, "playing"))

        plan: list[tuple[str, dict[str, str], Any]] = [
            ("/phone/incoming", {"CallStatus": "ringing"}, "same"),
            (f"/phone/length?p={p.practice_id}", {"Digits": str(p.minutes)}, at(0, "playing"))]
        last = len(p.phone_starts_ms) - 1
        if self.calls % 3 == 0:  # to the end: every segment, then "done" clears the place
            plan += [(f"/phone/play?{urlencode({**where, 's': i})}", {}, at(i + 1, "playing"))
                     for i in range(last)]
            plan += [(f"/phone/play?{urlencode({**where, 's': last})}", {}, None),
                     ("/phone/done", {}, None)]
        else:
            stop = min(1, last)
            plan += [(f"/phone/play?{urlencode({**where, 's': i})}", {}, at(i + 1, "playing"))
                     for i in range(stop)]
            plan += [(f"/phone/play?{urlencode({**where, 's': stop})}", {"Digits": "1"},
                      at(stop, "paused")),
                     ("/phone/status", {"CallStatus": "completed"}, at(stop, "paused"))]
        self.plan = plan

    def next_request(self) -> Request:
        if not self.plan:
            self._new_call()
        path, params, expect = self.plan.pop(0)
        if expect == "same":
            expect = self.state
        self.history.append(Expectation(expect))
        form = {"CallSid": self.sid, "From": self.number, "To": "+15550100100",
                "AccountSid": "AC" + "1" * 32, **params}
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_BASE_URL + path, form)
        headers = {"X-Twilio-Signature": signature,
                   "Content-Type": "application/x-www-form-urlencoded"}
        return Request("phone", "POST", path, headers, urlencode(form).encode())

    def answered(self, status: int, body: bytes) -> None:
        if 200 <= status < 300:
            self.history[-1].acked = True
            if b"/phone/checkin?" in body and self.checkin is not None:
                # asked before the practice: nothing moved yet; the answer starts it
                path, expect = self.checkin
                self.history[-1].expect = self.state
                self.plan.insert(0, (path, self.rng.choice(
                    [{"Digits": "3"}, {"Digits": "#"}, {}]), expect))
            elif b"/phone/after" in body:  # asked after the last segment (the place is clear)
                self.plan.insert(0, ("/phone/after", self.rng.choice([{"Digits": "2"}, {}]),
                                     None))
            self.checkin = None if b"/phone/play?" in body else self.checkin
            self.state = self.history[-1].expect
        else:  # the call is lost: call again
            self.plan = []

    def at_rest(self) -> bool:
        return not self.plan


class Visitor(User):
    """The web page, a practice page, the podcast feed and ranged audio requests (a player)."""

    kind = "web"

    def __init__(self, rng: random.Random, practices: list[Practice]) -> None:
        super().__init__(rng)
        self.practices = practices

    def next_request(self) -> Request:
        p = self.rng.choice(self.practices)
        choice = self.rng.random()
        if choice < 0.2:
            return Request("web", "GET", "/", {})
        if choice < 0.35:
            return Request("web", "GET", f"/practices/{p.practice_id}", {})
        if choice < 0.5:
            return Request("web", "GET", "/feed.xml", {})
        start = self.rng.randrange(0, max(1, p.bytes - 65_536))
        return Request("web", "GET", f"/audio/{p.file}",
                       {"Range": f"bytes={start}-{start + 65_535}"})


@dataclass
class Mix:
    """How many of each kind of user, and what they share."""

    alexa: int
    phone: int
    web: int
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def users(self, practices: list[Practice], key: rsa.RSAPrivateKey,
              seed: int = 7) -> list[User]:
        rng = random.Random(seed)
        made: list[User] = []
        for n in range(self.alexa):
            made.append(AlexaListener(random.Random(rng.random()),
                                      f"amzn1.ask.account.LOAD-{self.tag}-{n}", practices, key))
        for n in range(self.phone):
            made.append(Caller(random.Random(rng.random()), f"+1555{n:07d}", practices))
        made += [Visitor(random.Random(rng.random()), practices) for _ in range(self.web)]
        return made
