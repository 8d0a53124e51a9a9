"""The program view over HTTP: its own sign-in (form + CSRF, throttled, never the metrics
token, refused without a configured hash), its headers, and a CSV that is exactly the page."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_program_figures import AT, insert, seed_rows
from werkzeug.security import check_password_hash, generate_password_hash

from voice_app import create_app
from voice_app.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
HASH = generate_password_hash(PASSWORD)


@pytest.fixture
def program_app(app_config):
    return create_app({**app_config, "PROGRAM_PASSWORD_HASH": HASH,
                       "METRICS_TOKEN": "metrics-token-123"})


def csrf_of(client) -> str:
    page = client.get("/program/sign-in")
    assert page.status_code == 200
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def sign_in(client, password: str = PASSWORD):
    return client.post("/program/sign-in", data={"csrf": csrf_of(client), "password": password})


def signed_in(client) -> bool:
    return client.get("/program").status_code == 200


def test_without_a_password_hash_the_view_is_refused_with_what_to_do(app_config):
    for env in ("test", "production"):
        config = {**app_config, "APP_ENV": env}
        if env == "production":
            config["SECRET_KEY"] = "a-real-production-secret"
        client = create_app(config).test_client()
        for path in ("/program", "/program/sign-in", "/program/export.csv"):
            answer = client.get(path)
            assert answer.status_code == 503, (env, path)
            assert "PROGRAM_PASSWORD_HASH" in answer.text
            assert "program-password" in answer.text
        assert client.post("/program/sign-in", data={"password": ""}).status_code == 503


@pytest.mark.parametrize(("values", "message"), [
    ({"MIN_GROUP": "4"}, "MIN_GROUP must be 5 or more"),
    ({"CHECKIN_RETENTION_DAYS": "91"}, "CHECKIN_RETENTION_DAYS must be 42 to 90"),
    ({"CHECKIN_RETENTION_DAYS": "30"}, "CHECKIN_RETENTION_DAYS must be 42 to 90"),
    ({"PROGRAM_TIMEZONE": "Mars/Olympus"}, "PROGRAM_TIMEZONE must be a time zone"),
    ({"PROGRAM_PASSWORD_HASH": "hunter2"}, "what `python -m voice_app program-password`"),
    ({"PROGRAM_PASSWORD_HASH": generate_password_hash("metrics-token-123"),
      "METRICS_TOKEN": "metrics-token-123"}, "must not be METRICS_TOKEN"),
])
def test_settings_refuse_what_would_weaken_the_view(values, message):
    with pytest.raises(SettingsError, match=re.escape(message)):
        load_settings({"APP_ENV": "development", **values}, environ={})


def test_signing_in_with_the_password(program_app):
    client = program_app.test_client()
    first = client.get("/program")
    assert first.status_code == 303 and first.headers["Location"].endswith("/program/sign-in")
    page = client.get("/program/sign-in")
    cookie = page.headers["Set-Cookie"]
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/program"):
        assert attribute in cookie
    assert 'type="password"' in page.text and 'autocomplete="current-password"' in page.text
    done = sign_in(client)
    assert done.status_code == 303 and done.headers["Location"].endswith("/program")
    view = client.get("/program")
    assert view.status_code == 200
    assert "counts twice" in view.text and "no comparison group" in view.text.lower()
    assert view.headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in view.headers["Content-Security-Policy"]
    assert "<script" not in view.text


def test_a_wrong_password_or_the_metrics_token_gets_401_and_no_session(program_app):
    client = program_app.test_client()
    for wrong in ("correct horse battery stapler", "metrics-token-123", ""):
        answer = sign_in(client, wrong)
        assert answer.status_code == 401 and "not right" in answer.text
        assert "Set-Cookie" not in answer.headers
        assert not signed_in(client)
    # the metrics endpoint's bearer token is no key to the program view either
    assert client.get("/program", headers={
        "Authorization": "Bearer metrics-token-123"}).status_code == 303


def test_behind_a_proxy_each_visitor_has_their_own_limit(app_config):
    """Behind nginx every request comes from 127.0.0.1: with PROXY_HOPS=1 the limit counts the
    address the proxy saw, so one visitor's wrong passwords do not lock the lead out."""
    app = create_app({**app_config, "PROGRAM_PASSWORD_HASH": HASH, "PROXY_HOPS": 1})
    attacker, lead = app.test_client(), app.test_client()
    for client, address in ((attacker, "203.0.113.7"), (lead, "198.51.100.20")):
        client.environ_base.update({"REMOTE_ADDR": "127.0.0.1",
                                    "HTTP_X_FORWARDED_FOR": address})
    for _ in range(5):
        assert sign_in(attacker, "wrong password here").status_code == 401
    assert sign_in(attacker).status_code == 429
    assert sign_in(lead).status_code == 303 and signed_in(lead)


def test_without_proxy_hops_a_forwarded_address_is_not_believed(program_app):
    client = program_app.test_client()
    for number in range(5):  # a forged header per try does not escape the limit
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{number}"
        assert sign_in(client, "wrong password here").status_code == 401
    assert sign_in(client).status_code == 429


def test_the_sign_in_form_needs_its_csrf_token(program_app):
    client = program_app.test_client()
    csrf_of(client)
    for data in ({"password": PASSWORD}, {"password": PASSWORD, "csrf": "forged"}):
        answer = client.post("/program/sign-in", data=data)
        assert answer.status_code == 400 and "Set-Cookie" not in answer.headers
    assert not signed_in(client)
    # a token from another visitor's cookie does not fit this one's
    other = program_app.test_client()
    stolen = csrf_of(other)
    assert client.post("/program/sign-in", data={"csrf": stolen, "password": PASSWORD}) \
        .status_code == 400
    # a form posted from another site carries no cookie at all (SameSite=Strict)
    assert program_app.test_client().post("/program/sign-in", data={
        "csrf": stolen, "password": PASSWORD}).status_code == 400


def test_wrong_passwords_are_throttled(program_app):
    client = program_app.test_client()
    for _ in range(5):
        assert sign_in(client, "wrong password here").status_code == 401
    blocked = sign_in(client)  # even the right one waits now
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 60
    assert not signed_in(client)
    # another address is not blocked by this one
    other = program_app.test_client()
    answer = other.post("/program/sign-in", data={"csrf": csrf_of(other), "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert answer.status_code == 303


def test_a_new_password_hash_ends_every_sign_in_and_sign_out_needs_the_token(app_config,
                                                                           program_app):
    client = program_app.test_client()
    sign_in(client)
    assert signed_in(client)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/program").text).group(1)
    assert client.post("/program/sign-out", data={"csrf": "nope"}).status_code == 400
    assert signed_in(client)
    assert client.post("/program/sign-out", data={"csrf": token}).status_code == 303
    assert not signed_in(client)
    sign_in(client)
    cookie = client.get_cookie("program", path="/program").value
    changed = create_app({**app_config, "PROGRAM_PASSWORD_HASH": generate_password_hash(
        "another long password")}).test_client()
    changed.set_cookie("program", cookie, path="/program")
    assert changed.get("/program").status_code == 303


class Tables(HTMLParser):
    """(table id, row heading, column heading, cell) for every cell of every table."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str, str, str]] = []
        self.table = None
        self.row: list[str] = []
        self.columns: list[str] = []
        self.text: list[str] | None = None

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag == "table":
            self.table, self.columns = dict(attrs)["id"], []
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.text = []

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self.text is not None:
            self.text.append(data)

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag in ("td", "th") and self.text is not None:
            self.row.append("".join(self.text).strip())
            self.text = None
        elif tag == "tr" and self.table:
            if not self.columns:
                self.columns = self.row[1:]
            else:
                self.cells += [(self.table, self.row[0], column, cell)
                               for column, cell in zip(self.columns, self.row[1:], strict=True)]
        elif tag == "table":
            self.table = None


def test_the_csv_is_exactly_the_tables_on_the_page(program_app):
    insert(program_app.extensions["store"], seed_rows())
    program_app.extensions["program"].clock = lambda: AT
    client = program_app.test_client()
    assert client.get("/program/export.csv").status_code == 401
    sign_in(client)
    page = client.get("/program")
    parser = Tables()
    parser.feed(page.text)
    exported = client.get("/program/export.csv")
    assert exported.mimetype == "text/csv"
    assert "attachment" in exported.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0] == ["table", "row", "column", "value"]
    assert [tuple(r) for r in rows[1:]] == parser.cells
    assert len(parser.cells) > 300
    assert "Right now, how stressed do you feel? One, not at all;" in page.text
    # practices by their catalog titles
    assert any(t == "practices" and c.startswith("Loving-Kindness: ") for t, _, _, c in
               parser.cells)
    assert sum(cell == "hidden" for *_, cell in parser.cells) > 10
    # the charts are inline, accessible SVG, with their own ids
    svgs = re.findall(r"<svg [^>]*>", page.text)
    assert len(svgs) == 3 and all('role="img"' in s and "aria-labelledby" in s for s in svgs)
    ids = re.findall(r' id="([^"]+)"', page.text)
    assert len(ids) == len(set(ids))
    # nothing that names a listener, ever
    assert "abab" not in page.text and "abab" not in exported.text


def test_the_password_command_prints_a_hash_of_what_it_reads():
    done = subprocess.run([sys.executable, "-m", "voice_app", "program-password"], cwd=ROOT,
                          input=PASSWORD + "\n", capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    printed = done.stdout.strip()
    assert check_password_hash(printed, PASSWORD) and printed.startswith("scrypt:")
    settings = load_settings({"APP_ENV": "development", "PROGRAM_PASSWORD_HASH": printed},
                             environ={})
    assert printed == settings.PROGRAM_PASSWORD_HASH
    short = subprocess.run([sys.executable, "-m", "voice_app", "program-password"], cwd=ROOT,
                           input="short\n", capture_output=True, text=True, timeout=60)
    assert short.returncode == 1 and "at least 12" in short.stderr and short.stdout == ""
