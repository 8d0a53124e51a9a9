"""Whole phone calls, walked the way Twilio would: signed form posts, each TwiML response parsed
with an XML parser and checked for verbs and nesting Twilio allows, `action` and `Redirect`
URLs followed until `<Hangup>`."""

from __future__ import annotations

import statistics
import time
import xml.etree.ElementTree as ET
from itertools import count
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

from voice_app import create_app
from voice_app.keys import listener_key
from voice_app.store import StoreUnavailable, calls, history, progress

TOKEN = "test-twilio-token"
BASE = "https://compassion.example.test"
CALLER = "+15551230001"
HOTLINE = "+15550100100"
CHILDREN = {"Response": {"Say", "Play", "Pause", "Gather", "Redirect", "Hangup", "Dial"},
            "Gather": {"Say", "Play", "Pause"}, "Dial": set()}
_sids = count(1)


@pytest.fixture
def app_config(app_config):
    """These calls walk the flow without the check-in (CHECKIN=off: the flow as it was);
    tests/test_phone_checkins.py walks it with the check-in."""
    return {**app_config, "CHECKIN": "off"}


def check_twiml(root: ET.Element) -> None:
    """Only verbs and nesting Twilio allows; a Gather, Redirect, Dial or Hangup ends the
    document."""
    assert root.tag == "Response"
    for verb in root:
        assert verb.tag in CHILDREN["Response"], verb.tag
        allowed = CHILDREN.get(verb.tag, set())
        assert all(child.tag in allowed for child in verb), (verb.tag, [c.tag for c in verb])
        for pause in root.iter("Pause"):
            assert 1 <= int(pause.get("length", "1")) <= 180
    for verb in root.iter("Gather"):
        assert verb.get("action", "").startswith(f"{BASE}/phone/")
        assert verb.get("input") == "dtmf speech" and verb.get("actionOnEmptyResult") == "true"
        assert len(verb) >= 1
        if "/phone/play" in verb.get("action", ""):
            assert verb.get("numDigits") == "1" and verb.get("finishOnKey") == ""
            segments = [p for p in verb.iter("Play") if "/prompt-" not in (p.text or "")]
            assert len(segments) == 1, "one phone segment per Gather"
    tags = [verb.tag for verb in root]
    enders = [i for i, tag in enumerate(tags) if tag in ("Gather", "Redirect", "Hangup", "Dial")]
    assert enders and enders[-1] == len(tags) - 1 and (tags.count("Gather") <= 1)


class Caller:
    """One phone call to the app: dial, answer each Gather, hang up."""

    def __init__(self, client, number: str = CALLER, token: str = TOKEN) -> None:
        self.client, self.number, self.token = client, number, token
        self.sid = f"CA{next(_sids):032x}"
        self.twiml: ET.Element | None = None
        self.responses = 0

    def post(self, url: str, **params: str) -> ET.Element:
        form = {"CallSid": self.sid, "From": self.number, "To": HOTLINE,
                "AccountSid": "AC" + "1" * 32, **params}
        signature = RequestValidator(self.token).compute_signature(url, form)
        parts = urlsplit(url)
        response = self.client.post(parts.path + (f"?{parts.query}" if parts.query else ""),
                                    data=form, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "text/xml"
        root = ET.fromstring(response.get_data(as_text=True))
        check_twiml(root)
        self.responses += 1
        return root

    def dial(self) -> Caller:
        self.twiml = self.post(f"{BASE}/phone/incoming", CallStatus="ringing")
        return self

    def answer(self, digits: str = "", said: str | None = None) -> Caller:
        """Send keys, speech, or nothing (the Gather timed out) to the current Gather."""
        gather = self.twiml.find("Gather")
        assert gather is not None, "the call is not waiting for input"
        params = {"Digits": digits} if digits else {}
        if said is not None:
            params = {"SpeechResult": said, "Confidence": "0.9"}
        self.twiml = self.post(gather.get("action"), **params)
        while self.twiml.find("Redirect") is not None and self.twiml.find("Gather") is None:
            self.twiml = self.post(self.twiml.find("Redirect").text)
        return self

    def hang_up(self) -> None:
        response = self.client.post("/phone/status", **self._signed(
            f"{BASE}/phone/status", CallStatus="completed", CallDuration="95"))
        assert response.status_code == 204

    def _signed(self, url: str, **params: str) -> dict:
        form = {"CallSid": self.sid, "From": self.number, **params}
        return {"data": form, "headers": {"X-Twilio-Signature": RequestValidator(
            self.token).compute_signature(url, form)}}

    @property
    def ended(self) -> bool:
        return self.twiml.find("Hangup") is not None

    @property
    def heard(self) -> list[str]:
        """Prompt names, segment files and said text of the current response, in order."""
        out = []
        for verb in self.twiml.iter():
            if verb.tag == "Play":
                name = verb.text.rsplit("/", 1)[-1]
                out.append(name.split("-")[1] if name.startswith("prompt-") else name)
            elif verb.tag == "Say":
                out.append(verb.text)
        return out

    @property
    def where(self) -> tuple[str, dict[str, str]]:
        """The path of the current Gather's action and its query: ('play', {'s': '2', ...})."""
        url = urlsplit(self.twiml.find("Gather").get("action"))
        return url.path.rsplit("/", 1)[-1], {k: v[0] for k, v in parse_qs(url.query).items()}

    @property
    def segment(self) -> int:
        stage, query = self.where
        assert stage in ("play", "paused"), stage
        return int(query["s"])


def rows(app, table) -> list:
    with app.extensions["store"].engine.connect() as conn:
        return conn.execute(sa.select(table)).mappings().all()


def key(number: str = CALLER) -> str:
    return listener_key("test-secret-key", "phone", number)


def start_loving_kindness(client, minutes: str = "5", number: str = CALLER) -> Caller:
    caller = Caller(client, number).dial()
    assert caller.heard[:2] == ["greeting", "menu_main_1"]
    caller.answer("4")
    assert caller.where == ("length", {"p": "loving-kindness"})
    caller.answer(minutes)
    assert caller.heard[0] == "starting" and caller.segment == 0
    return caller


def test_menu_then_practice_plays_to_the_end(app, client):
    caller = start_loving_kindness(client)
    variant = app.extensions["catalog"].get().get("loving-kindness").variant(5)
    played = [caller.segment]
    while caller.where[0] == "play":
        caller.answer()
        if caller.where[0] == "play":
            played.append(caller.segment)
    assert played == list(range(len(variant.phone)))
    assert caller.heard == ["practice_done"] and caller.where[0] == "done"
    caller.answer()
    assert caller.ended and caller.heard == ["goodbye"]
    caller.hang_up()
    assert [(r["practice_id"], r["minutes"], r["channel"]) for r in rows(app, history)] == [
        ("loving-kindness", 5, "phone")]
    assert rows(app, progress) == [] and rows(app, calls) == []


def test_each_segment_carries_its_silence(app, client):
    caller = start_loving_kindness(client)
    variant = app.extensions["catalog"].get().get("loving-kindness").variant(5)
    for index, segment in enumerate(variant.phone):
        gather = caller.twiml.find("Gather")
        pauses = sum(int(p.get("length")) for p in gather.iter("Pause"))
        assert pauses + int(gather.get("timeout")) == max(1, round(segment.pause_after_ms / 1000))
        assert caller.segment == index
        caller.answer()


@pytest.mark.parametrize("said, practice, minutes", [
    ("five minute loving kindness", "loving-kindness", "5"),
    ("metta for 1 minute please", "loving-kindness", "1"),
    ("I only have a minute between patients", "between-patients", "1"),
    ("three minutes of grounding", "grounding-when-overwhelmed", "3"),
])
def test_speech_with_minutes_skips_the_length_question(client, said, practice, minutes):
    caller = Caller(client).dial().answer(said=said)
    assert caller.where == ("play", {"p": practice, "m": minutes, "s": "0"})


@pytest.mark.parametrize("said, practice", [
    ("I feel so overwhelmed", "grounding-when-overwhelmed"),
    ("numb", "reconnecting-when-numb"),
    ("we just lost a patient", "the-pause"),
    ("loving kindness", "loving-kindness"),
])
def test_speech_by_name_or_feeling(client, said, practice):
    caller = Caller(client).dial().answer(said=said)
    stage, query = caller.where
    assert query["p"] == practice and stage in ("length", "play")


def test_pause_mid_practice_then_resume_at_the_same_segment(client):
    caller = start_loving_kindness(client).answer().answer()
    assert caller.segment == 2
    caller.answer("1")
    assert caller.where[0] == "paused" and caller.heard == ["paused"]
    caller.answer("7")  # a stray key while paused: still paused
    assert caller.where[0] == "paused" and caller.segment == 2
    caller.answer("1")
    assert caller.where[0] == "play" and caller.segment == 2
    caller.answer(said="pause")
    assert caller.where[0] == "paused"
    caller.answer(said="someone talking nearby")
    assert caller.where[0] == "paused" and caller.heard == []
    caller.answer(said="resume")
    assert caller.where[0] == "play" and caller.segment == 2


def test_next_and_back_move_by_step(app, client):
    variant = app.extensions["catalog"].get().get("loving-kindness").variant(5)
    steps = [s.step for s in variant.phone]
    caller = start_loving_kindness(client).answer()
    assert steps[caller.segment] == 0
    caller.answer("6")
    assert caller.segment == steps.index(1)
    caller.answer(said="next")
    assert caller.segment == steps.index(2)
    caller.answer("4")
    assert caller.segment == steps.index(1)
    caller.answer(said="go back")
    caller.answer("4")
    assert caller.segment == 0
    caller.answer("0")
    assert caller.heard[0] == "help_keys" and caller.segment == 0
    caller.answer("6").answer("6").answer("6")
    assert caller.where[0] == "done"


def test_hang_up_mid_practice_then_call_back_and_continue(app, client):
    caller = start_loving_kindness(client).answer().answer().answer()
    assert caller.segment == 3
    caller.hang_up()
    saved = app.extensions["store"].get_position(key())
    variant = app.extensions["catalog"].get().get("loving-kindness").variant(5)
    assert (saved.practice_id, saved.minutes, saved.status) == ("loving-kindness", 5, "stopped")
    assert saved.offset_ms == variant.phone[3].start_ms and saved.audio_sha == variant.sha256
    assert rows(app, calls) == []

    again = Caller(client).dial()
    assert again.heard == ["greeting", "resume_loving"]  # prompt-resume_loving-kindness-<hash>
    assert again.where[0] == "resume"
    again.answer("1")
    assert again.where == ("play", {"p": "loving-kindness", "m": "5", "s": "3"})

    other = Caller(client).dial().answer("2")
    assert other.heard == ["menu_main_1"]


def test_call_back_works_without_a_status_callback(client):
    start_loving_kindness(client).answer().answer()  # the line drops; no callback arrives
    again = Caller(client).dial().answer(said="yes please continue")
    assert again.where[0] == "play" and again.segment == 2


def test_end_key_and_long_pause_keep_the_place(app, client):
    caller = start_loving_kindness(client).answer()
    caller.answer("#")
    assert caller.ended and caller.heard == ["goodbye"]
    assert app.extensions["store"].get_position(key()).status == "stopped"

    other = "+15551230002"
    caller = start_loving_kindness(client, number=other).answer().answer("1")
    caller.answer()
    assert caller.heard == ["still_paused"]
    caller.answer()
    assert caller.ended and caller.heard == ["paused_goodbye"]
    assert app.extensions["store"].get_position(key(other)).status == "paused"
    assert Caller(client, other).dial().where[0] == "resume"


@pytest.mark.parametrize("number", ["anonymous", "+266696687", "client:alice", "", "Restricted"])
def test_withheld_number_gets_no_resume_and_nothing_is_kept(app, client, number):
    caller = start_loving_kindness(client, number=number).answer().answer()
    caller.hang_up()
    assert rows(app, progress) == [] and rows(app, calls) == []
    again = Caller(client, number).dial()
    assert again.heard == ["greeting", "menu_main_1", "language_offer"]


def test_three_bad_inputs_end_kindly(app, client):
    caller = Caller(client).dial().answer("7")
    assert caller.heard == ["not_understood", "menu_main_1"]
    caller.answer(said="banana bread")
    assert caller.heard == ["not_understood", "menu_main_1"]
    caller.answer()  # silence counts too, so an open line does not loop for ever
    assert caller.ended and caller.heard == ["not_understood", "goodbye"]
    assert rows(app, calls) == []


def test_a_good_answer_resets_the_count(client):
    caller = Caller(client).dial().answer("7").answer("8").answer("4")
    assert caller.where[0] == "length"
    caller.answer("0").answer(said="banana")
    assert not caller.ended
    caller.answer()
    assert caller.ended


def test_more_menu_and_back(client):
    caller = Caller(client).dial().answer("9")
    assert caller.heard == ["menu_more_1"]
    assert caller.where == ("menu", {"menu": "more", "page": "1"})
    caller.answer("5")  # the fixture's second menu has one practice, on key 1
    assert caller.heard == ["not_understood", "menu_more_1"]
    caller.answer("*")
    assert caller.heard == ["menu_main_1"]
    assert caller.where == ("menu", {"menu": "main", "page": "1"})
    caller.answer("9").answer("1")
    assert caller.where == ("length", {"p": "end-of-shift"})


def test_empty_speech_is_silence(client):
    caller = start_loving_kindness(client)
    caller.answer(said="")
    assert caller.segment == 1


def test_single_length_practice_starts_at_once(client):
    caller = Caller(client).dial().answer("5")
    assert caller.where == ("play", {"p": "the-pause", "m": "1", "s": "0"})


def test_menu_from_a_practice_and_done_menu(client):
    caller = start_loving_kindness(client, minutes="1").answer("*")
    assert caller.heard == ["menu_main_1"]
    caller.answer("2").answer("1")
    while caller.where[0] == "play":
        caller.answer()
    caller.answer("*")
    assert caller.heard == ["menu_main_1"]


@pytest.mark.parametrize("headers", [{}, {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}])
def test_bad_or_missing_signature_is_refused_and_nothing_stored(app, client, headers):
    form = {"CallSid": "CA" + "a" * 32, "From": CALLER, "Digits": "4"}
    for path in ("/phone/incoming", "/phone/menu?menu=main", "/phone/status",
                 "/phone/play?p=loving-kindness&m=5&s=0"):
        assert client.post(path, data=form, headers=headers).status_code == 403
    assert rows(app, calls) == [] and rows(app, progress) == []


def test_signature_is_checked_against_the_public_url_behind_a_tls_proxy(app, client):
    form = {"CallSid": "CA" + "b" * 32, "From": CALLER}
    public = RequestValidator(TOKEN).compute_signature(f"{BASE}/phone/incoming", form)
    internal = RequestValidator(TOKEN).compute_signature(
        "http://10.0.0.5:8000/phone/incoming", form)
    # The app sees plain http on the proxy's port; the provider signed the https URL.
    proxied = {"base_url": "http://10.0.0.5:8000"}
    assert client.post("/phone/incoming", data=form, headers={
        "X-Twilio-Signature": public}, **proxied).status_code == 200
    assert client.post("/phone/incoming", data=form, headers={
        "X-Twilio-Signature": internal}, **proxied).status_code == 403
    assert client.post("/phone/incoming", data=form, headers={
        "X-SignalWire-Signature": public}).status_code == 200
    tampered = {**form, "From": "+15559999999"}
    assert client.post("/phone/incoming", data=tampered, headers={
        "X-Twilio-Signature": public}).status_code == 403


@pytest.mark.parametrize("path, form", [
    ("/phone/incoming", {"CallSid": None}),
    ("/phone/incoming", {"CallSid": "not-a-sid"}),
    ("/phone/menu?menu=main", {"Digits": "abcd"}),
    ("/phone/menu?menu=secret", {}),
    ("/phone/play?p=loving-kindness&m=five&s=0", {}),
    ("/phone/play?p=../../etc&m=1&s=0", {}),
    ("/phone/paused?p=loving-kindness&m=1&s=0&r=99", {}),
])
def test_malformed_parameters_are_400_without_a_traceback(client, path, form):
    form = {k: v for k, v in {"CallSid": "CA" + "c" * 32, "From": CALLER, **form}.items() if v}
    url = f"{BASE}{path}"
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    response = client.post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/phone/play?p=gone&m=1&s=0",
                                  "/phone/play?p=loving-kindness&m=1&s=99",
                                  "/phone/paused?p=loving-kindness&m=7&s=0&r=0",
                                  "/phone/resume", "/phone/length?p=gone"])
def test_unknown_or_expired_call_state_goes_back_to_the_menu(client, path):
    caller = Caller(client)
    caller.twiml = caller.post(f"{BASE}{path}", Digits="6")
    assert caller.heard == ["menu_main_1"]


def test_database_down_is_a_spoken_apology(app, client, monkeypatch):
    def down(*args, **kwargs):
        raise StoreUnavailable("connection refused")

    monkeypatch.setattr(app.extensions["store"], "get_call", down)
    caller = Caller(client).dial()
    assert caller.ended and caller.heard == ["trouble"]


def test_crisis_line_other_than_recorded_is_said(app_config):
    app = create_app({**app_config, "CRISIS_LINE": "116 123"})
    caller = Caller(app.test_client()).dial()
    assert "call 1 1 6 1 2 3." in caller.heard[0] and caller.heard[1] == "menu_main_1"


def test_audio_is_served_from_audio_base_url(app_config, client):
    caller = start_loving_kindness(client)
    for play in caller.twiml.iter("Play"):
        path = play.text.removeprefix(BASE)
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "audio/wav"
        assert "immutable" in response.headers["Cache-Control"]
        response.close()
    app = create_app({**app_config, "AUDIO_BASE_URL": "https://cdn.example.test/cb"})
    caller = Caller(app.test_client()).dial()
    assert all(p.text.startswith("https://cdn.example.test/cb/phone/prompt-")
               for p in caller.twiml.iter("Play"))


def test_webhook_latency_in_process(client, capsys):
    timings: list[float] = []
    for _ in range(25):
        caller = Caller(client)
        for step in (lambda c: c.dial(), lambda c: c.answer("4"), lambda c: c.answer("5"),
                     lambda c: c.answer(), lambda c: c.answer("1"), lambda c: c.answer("1"),
                     lambda c: c.answer("6"), lambda c: c.hang_up()):
            started = time.perf_counter()
            step(caller)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    median = statistics.median(timings)
    p99 = timings[int(len(timings) * 0.99) - 1]
    with capsys.disabled():
        print(f"\nphone webhooks in-process: n={len(timings)} median {median:.1f} ms, "
              f"p99 {p99:.1f} ms")
    assert p99 < 250
