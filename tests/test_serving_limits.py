"""Refusals under gunicorn: an oversized body is answered 413 before it is read (the client has
not even finished sending it), malformed JSON and form data get 400, and none of it logs an
error or a traceback."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlencode

import pytest
from serving_helpers import server_errors, serving
from twilio.request_validator import RequestValidator

from bench.traffic import PUBLIC_BASE_URL, TWILIO_TOKEN

pytestmark = pytest.mark.serving

DECLARED = 50 * 1024 * 1024


def raw_exchange(port: int, head: bytes, body: bytes, *, wait_s: float = 5) -> tuple[bytes, float]:
    """Send `head` and `body` (maybe less than the declared length) and read what comes back."""
    began = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=wait_s) as sock:
        sock.sendall(head + body)
        received = b""
        try:
            while b"\r\n\r\n" not in received:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
        except TimeoutError:
            pass
    return received, time.monotonic() - began


def request_head(path: str, content_type: str, length: int, extra: str = "") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {length}\r\n{extra}\r\n").encode()


@pytest.fixture(scope="module")
def server(built_library, tmp_path_factory):
    work = tmp_path_factory.mktemp("limits")
    with serving(built_library, f"sqlite:///{work / 'store.sqlite3'}", work) as running:
        yield running


@pytest.mark.parametrize("path,content_type", [
    ("/alexa", "application/json"),
    ("/phone/incoming", "application/x-www-form-urlencoded"),
])
def test_oversized_bodies_get_413_before_they_are_sent(server, path, content_type):
    answer, took = raw_exchange(server.port, request_head(path, content_type, DECLARED),
                                b"x" * 1024)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert took < 2


def test_a_413_does_not_tie_up_the_server(server):
    for _ in range(12):  # more than the 8 threads of two workers, had each held one
        answer, _ = raw_exchange(server.port, request_head("/alexa", "application/json",
                                                           DECLARED), b"{")
        assert answer.startswith(b"HTTP/1.1 413")
    answer, took = raw_exchange(server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", b"")
    assert answer.startswith(b"HTTP/1.1 200") and took < 2


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe", b""])
def test_malformed_alexa_json_gets_400(server, body):
    answer, _ = raw_exchange(server.port, request_head("/alexa", "application/json", len(body)),
                             body)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]


def signed_form(path: str, form: dict[str, str]) -> tuple[bytes, str]:
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_BASE_URL + path, form)
    return urlencode(form).encode(), f"X-Twilio-Signature: {signature}\r\n"


@pytest.mark.parametrize("form", [
    {"CallSid": "not-a-call-sid", "From": "+15550001111"},
    {"CallSid": "CA" + "a" * 32, "Digits": "12345678"},
    {"CallSid": "CA" + "a" * 32, "SpeechResult": "x" * 600},
    {},
])
def test_malformed_signed_form_gets_400(server, form):
    body, header = signed_form("/phone/menu?menu=main", form)
    answer, _ = raw_exchange(server.port, request_head(
        "/phone/menu?menu=main", "application/x-www-form-urlencoded", len(body), header), body)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:300]


def test_broken_multipart_and_bad_query_get_400(server):
    body = b"--xyz\r\nContent-Disposition: form-data; name=\"CallSid\"\r\n\r\nCA"  # truncated
    answer, _ = raw_exchange(server.port, request_head(
        "/phone/incoming", "multipart/form-data; boundary=xyz", len(body)), body)
    assert answer.split(b" ")[1] in (b"400", b"403"), answer[:300]
    form = {"CallSid": "CA" + "b" * 32}
    body, header = signed_form("/phone/play?p=x&m=zz&s=0", form)
    answer, _ = raw_exchange(server.port, request_head(
        "/phone/play?p=x&m=zz&s=0", "application/x-www-form-urlencoded", len(body), header),
        body)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:300]


def test_refusals_log_no_error_and_no_traceback(server):
    """Self-contained (test workers may split this module): a 413 and 400s of its own."""
    test_oversized_bodies_get_413_before_they_are_sent(server, "/alexa", "application/json")
    test_broken_multipart_and_bad_query_get_400(server)
    time.sleep(0.3)
    assert server_errors(server) == []
    lines = "\n".join(server.log_lines())
    assert '"status": 413' in lines and '"status": 400' in lines
    assert "+15550001111" not in lines
