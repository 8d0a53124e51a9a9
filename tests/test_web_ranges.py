"""`/audio/<file>` over raw HTTP against a real server: ranges, conditionals, HEAD, traversal.

`serving` starts the app on a free loopback port in a thread; the browser tests use it too.
"""

from __future__ import annotations

import http.client
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from voice_app import create_app
from voice_app.catalog import parse_catalog


@contextmanager
def serving(config: dict[str, object]) -> Iterator[str]:
    """Serve `create_app(config)` on 127.0.0.1; yields the origin, which is also the app's
    PUBLIC_BASE_URL, so every link the pages make stays on this server."""
    server = make_server("127.0.0.1", 0, lambda environ, start: [], threaded=True)
    origin = f"http://127.0.0.1:{server.server_port}"
    server.app = create_app({**config, "PUBLIC_BASE_URL": origin})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield origin
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture(scope="module")
def server(built_library: Path, tmp_path_factory) -> Iterator[tuple[str, int]]:
    config = {"APP_ENV": "test", "BUILD_DIR": str(built_library), "SECRET_KEY": "test",
              "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db') / 'ranges.sqlite3'}"}
    with serving(config) as origin:
        yield "127.0.0.1", int(origin.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def mp3(built_library: Path) -> tuple[str, bytes]:
    catalog = parse_catalog((built_library / "catalog.json").read_text())
    variant = catalog.get("loving-kindness").variant(1)
    return f"/audio/{variant.file}", (built_library / variant.file).read_bytes()


def fetch(server: tuple[str, int], path: str, method: str = "GET",
          **headers: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(*server, timeout=10)
    try:
        connection.request(method, path, headers={k.replace("_", "-"): v
                                                  for k, v in headers.items()})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(("header", "first", "last"), [
    ("bytes=0-99", 0, 99),
    ("bytes=100-", 100, None),            # open-ended
    ("bytes=-500", -500, None),           # suffix: the last 500 bytes
    ("bytes=1000-999999999", 1000, None), # end past the file: clamped
    ("bytes=5-5", 5, 5),
])
def test_single_ranges_answer_206(server, mp3, header, first, last):
    path, whole = mp3
    size = len(whole)
    start = first % size
    end = size - 1 if last is None else last
    status, headers, body = fetch(server, path, Range=header)
    assert status == 206
    assert headers["Content-Range"] == f"bytes {start}-{end}/{size}"
    assert body == whole[start:end + 1]
    assert int(headers["Content-Length"]) == len(body)
    assert headers["Content-Type"] == "audio/mpeg"


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=999999999-1000000000"])
def test_ranges_past_the_end_answer_416(server, mp3, header):
    path, whole = mp3
    status, headers, _ = fetch(server, path, Range=header)
    assert status == 416
    assert headers["Content-Range"] == f"bytes */{len(whole)}"


@pytest.mark.parametrize("header", ["bytes=abc", "items=0-10", "bytes=10-5", "bytes", "=0-1"])
def test_malformed_ranges_are_ignored(server, mp3, header):
    path, whole = mp3
    status, headers, body = fetch(server, path, Range=header)
    assert status in (200, 416)
    if status == 200:
        assert body == whole


def test_whole_file_head_and_headers(server, mp3):
    path, whole = mp3
    status, headers, body = fetch(server, path)
    assert status == 200 and body == whole
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["ETag"] and headers["Last-Modified"]
    status, head_headers, body = fetch(server, path, method="HEAD")
    assert status == 200 and body == b""
    assert int(head_headers["Content-Length"]) == len(whole)
    assert head_headers["ETag"] == headers["ETag"]


def test_conditional_requests(server, mp3):
    path, whole = mp3
    _, headers, _ = fetch(server, path)
    assert fetch(server, path, If_None_Match=headers["ETag"])[0] == 304
    assert fetch(server, path, If_Modified_Since=headers["Last-Modified"])[0] == 304
    assert fetch(server, path, If_None_Match='"something-else"')[0] == 200
    status, _, body = fetch(server, path, Range="bytes=0-9", If_Range=headers["ETag"])
    assert status == 206 and body == whole[:10]
    status, _, body = fetch(server, path, Range="bytes=0-9", If_Range='"stale"')
    assert status == 200 and body == whole


@pytest.mark.parametrize("path", [
    "/audio/../catalog.json", "/audio/%2e%2e/catalog.json", "/audio/..%2fcatalog.json",
    "/audio/audio/..%2f..%2fcatalog.json", "/audio//etc/passwd", "/audio/%2fetc%2fpasswd",
    "/audio/audio/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/audio/catalog.json",
    "/audio/audio/not-in-the-catalog.mp3",
])
def test_nothing_outside_the_catalog_is_served(server, path):
    status, headers, body = fetch(server, path)
    if status == 308:  # werkzeug merges double slashes first; follow it on this server
        location = headers["Location"]
        assert location.startswith(("/", f"http://{server[0]}:{server[1]}/"))
        status, _, body = fetch(server, "/" + location.split("/", 3)[-1]
                                if location.startswith("http") else location)
    assert status == 404
    assert b"root:" not in body and b"practices" not in body


def test_a_symlink_out_of_the_build_is_refused(built_library, tmp_path):
    """A catalog-named file that is a symlink pointing outside the build dir is not served."""
    build = tmp_path / "build"
    (build / "audio").mkdir(parents=True)
    shutil.copy(built_library / "catalog.json", build / "catalog.json")
    catalog = parse_catalog((build / "catalog.json").read_text())
    real, linked = (v.file for v in catalog.get("loving-kindness").variants)
    shutil.copy(built_library / real, build / real)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web")
    (build / linked).symlink_to(secret)
    app = create_app({"APP_ENV": "test", "BUILD_DIR": str(build), "SECRET_KEY": "test",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    client = app.test_client()
    with client.get(f"/audio/{real}") as served:
        assert served.status_code == 200
    with client.get(f"/audio/{linked}") as refused:
        assert refused.status_code == 404
