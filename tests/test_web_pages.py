"""The catalog pages, downloads, playlist, ZIP and offline-app files through the Flask client."""

from __future__ import annotations

import html as html_module
import io
import re
import struct
import zipfile

import pytest

from voice_app import create_app
from voice_app.catalog import parse_catalog

SITE = "https://compassion.example.test"


@pytest.fixture
def catalog(built_library):
    return parse_catalog((built_library / "catalog.json").read_text())


def text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.data[:200]
    return html_module.unescape(response.get_data(as_text=True))


def test_home_groups_by_need_with_players_and_downloads(client, catalog):
    html = text(client.get("/"))
    headings = re.findall(r'<h2 id="need-\d+">([^<]+)</h2>', html)
    assert headings == ["Between patients", "When overwhelmed", "When numb",
                        "Compassion training", "After a death", "End of shift"]
    for practice in catalog.practices:
        assert practice.title in html and practice.summary in html
        for variant in practice.variants:
            assert (f'<audio controls preload="none" src="{SITE}/audio/{variant.file}"'
                    in html)
            assert f'href="/download/{practice.practice_id}-{variant.minutes}.mp3"' in html
            assert f'download="{practice.title} ({variant.minutes} min).mp3"' in html
    assert "2.4 MB" in html  # Loving-Kindness, five minutes


def test_home_tells_the_other_ways_and_the_crisis_line(app_config):
    client = create_app({**app_config, "CRISIS_LINE": "116 123"}).test_client()
    html = text(client.get("/"))
    assert "Alexa, ask Compassion Break to start loving-kindness" in html
    assert 'href="tel:+15550100100">+1 555 010 0100</a>' in html
    assert 'href="/feed.xml"' in html and f"{SITE}/feed.xml" in html
    assert 'href="/playlist.m3u"' in html and 'href="/download/all.zip"' in html
    assert "Not a crisis service" in html and 'href="tel:116123">116 123</a>' in html


def test_nothing_on_the_page_comes_from_another_site(client):
    response = client.get("/")
    html = text(response)
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "#", "tel:", SITE)), url
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "<style" not in html and " style=" not in html and "<script>" not in html


@pytest.mark.parametrize(("query", "lengths", "titles"), [
    ("?minutes=1", {"1 min", "2 min"}, 6),
    ("?minutes=3", {"3 min"}, 3),
    ("?minutes=5", {"5 min"}, 1),
    ("?minutes=nonsense", {"1 min", "2 min", "3 min", "5 min"}, 6),
])
def test_time_filter_needs_no_javascript(client, query, lengths, titles):
    html = text(client.get("/" + query))
    shown = set(re.findall(r'<span class="minutes">(\d+ min)</span>', html))
    assert shown == lengths
    assert len(re.findall(r'<article class="practice"', html)) == titles


def test_time_filter_with_nothing_to_show_says_so(client):
    html = text(client.get("/?minutes=10"))
    assert "No practices of 10+ min yet" in html and "<audio" not in html
    assert 'aria-current="page">10+ min</a>' in html


def test_practice_page_has_steps_transcript_sources_and_licence(client, catalog):
    practice = catalog.get("loving-kindness")
    html = text(client.get("/practices/loving-kindness"))
    for variant in practice.variants:
        assert f'id="player-loving-kindness-{variant.minutes}"' in html
        for chapter in variant.chapters:
            seconds = chapter.start_ms / 1000
            assert f'#t={seconds:.1f}" data-seek="{seconds}"' in html
            assert f'<span class="step">{chapter.title}</span>' in html
    for step in practice.steps:
        for sentence in step.text:
            assert f"<p>{sentence}</p>" in html
    for source in practice.sources:
        assert source in html
    assert "CC BY-SA 4.0" in html and 'id="transcript"' in html
    assert client.get("/practices/no-such-practice").status_code == 404


def test_download_has_a_human_file_name(client, catalog, built_library):
    variant = catalog.get("loving-kindness").variant(5)
    with client.get("/download/loving-kindness-5.mp3") as response:
        assert response.status_code == 200 and response.mimetype == "audio/mpeg"
        assert response.headers["Content-Disposition"] == (
            'attachment; filename="Loving-Kindness (5 min).mp3"')
        assert response.data == (built_library / variant.file).read_bytes()
    assert client.get("/download/loving-kindness-4.mp3").status_code == 404
    assert client.get("/download/..%2fcatalog-5.mp3").status_code == 404


def test_playlist_is_extended_m3u(client, catalog):
    response = client.get("/playlist.m3u")
    body = text(response)
    assert response.mimetype == "audio/x-mpegurl"
    lines = body.splitlines()
    assert lines[0] == "#EXTM3U"
    entries = [(lines[i], lines[i + 1]) for i, line in enumerate(lines)
               if line.startswith("#EXTINF:")]
    assert len(entries) == sum(len(p.variants) for p in catalog.practices)
    variant = catalog.get("loving-kindness").variant(5)
    seconds = round(variant.duration_ms / 1000)
    assert (f"#EXTINF:{seconds},Loving-Kindness (5 min)", f"{SITE}/audio/{variant.file}") in entries


def test_zip_holds_everything_with_a_correct_size(client, catalog, built_library):
    with client.get("/download/all.zip") as response:
        assert response.status_code == 200 and response.is_streamed
        assert response.mimetype == "application/zip"
        assert 'filename="Compassion Break.zip"' in response.headers["Content-Disposition"]
        data = response.get_data()
        assert int(response.headers["Content-Length"]) == len(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        for practice in catalog.practices:
            transcript = f"Compassion Break/Transcripts/{practice.title}.txt"
            assert practice.steps[0].text[0] in archive.read(transcript).decode()
            for variant in practice.variants:
                name = f"Compassion Break/{practice.title} ({variant.minutes} min).mp3"
                assert archive.read(name) == (built_library / variant.file).read_bytes()
        playlist = archive.read("Compassion Break/Compassion Break.m3u").decode()
        assert "\nLoving-Kindness (5 min).mp3\n" in playlist
        assert "Compassion Break/About.txt" in names
        assert "not a crisis" in archive.read("Compassion Break/About.txt").decode()
    head = client.head("/download/all.zip")
    assert head.headers["Content-Length"] == str(len(data)) and head.data == b""


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_manifest_icons_and_service_worker(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    purposes = {icon["purpose"] for icon in manifest["icons"]}
    assert purposes == {"any", "maskable"}
    for icon in manifest["icons"]:
        width, height = png_size(client.get(icon["src"]).data)
        assert f"{width}x{height}" == icon["sizes"]
    assert png_size(client.get("/icons/180.png").data) == (180, 180)
    assert client.get("/icons/7.png").status_code == 404
    worker = client.get("/sw.js")
    body = text(worker)
    assert worker.mimetype == "text/javascript" and worker.headers["Cache-Control"] == "no-cache"
    assert '"/assets/app.js"' in body and f'"{SITE}/audio/"' in body
    for url in re.findall(r'"(/[^"]*)"', body):
        with client.get(url) as cached:
            assert cached.status_code == 200, url


@pytest.mark.parametrize("path", ["/", "/?minutes=5", "/practices/{first}", "/feed.xml"])
def test_pages_carry_an_etag_and_answer_304_when_unchanged(client, catalog, path):
    url = path.format(first=catalog.practices[0].practice_id)
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert client.get(url, headers={"If-None-Match": '"stale"'}).data == first.data


def test_a_rebuilt_catalog_shows_at_once_with_a_new_etag(app_config, built_library, tmp_path):
    import json
    import os

    build = tmp_path / "build"
    build.mkdir()
    data = json.loads((built_library / "catalog.json").read_text())
    (build / "catalog.json").write_text(json.dumps(data))
    app = create_app({**app_config, "BUILD_DIR": str(build)})
    client = app.test_client()
    practice = data["practices"][0]
    urls = ["/", f"/practices/{practice['practice_id']}", "/feed.xml"]
    before = {url: client.get(url) for url in urls}
    assert "A renamed practice" not in before["/"].get_data(as_text=True)
    practice["title"] = "A renamed practice"
    (build / "catalog.json").write_text(json.dumps(data))
    os.utime(build / "catalog.json", ns=(1, 1))  # a different stamp whatever the clock says
    app.extensions["catalog"].reload()
    for url in urls:
        after = client.get(url, headers={"If-None-Match": before[url].headers["ETag"]})
        assert after.status_code == 200, url
        assert after.headers["ETag"] != before[url].headers["ETag"]
        assert "A renamed practice" in after.get_data(as_text=True), url
