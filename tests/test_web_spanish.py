"""The web in Spanish (issue 15): pages under /es/ with lang="es", a switch to the same page in
the other language on every page, transcripts, the Spanish podcast feed (read back by
feedparser), playlist and ZIP, the offline app for both; English unchanged at the root."""

from __future__ import annotations

import html as html_module
import io
import re
import zipfile

import feedparser
import pytest

from voice_app.catalog import parse_catalog

SITE = "https://compassion.example.test"
PAGES = ["/", "/?minutes=3", "/practices/loving-kindness", "/privacy", "/terms"]


@pytest.fixture
def spanish(built_library):
    return parse_catalog((built_library / "catalog.json").read_text()).in_language("es")


@pytest.fixture
def english(built_library):
    return parse_catalog((built_library / "catalog.json").read_text())


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return html_module.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_its_language_and_a_switch_to_the_same_page(client, path):
    english_html, spanish_html = page(client, path), page(client, "/es" + path)
    assert '<html lang="en">' in english_html and '<html lang="es">' in spanish_html
    switch = re.search(r'<nav class="languages"><a href="([^"]+)" hreflang="es" lang="es">'
                       r'Español</a></nav>', english_html)
    assert switch and switch.group(1) == "/es" + path
    back = re.search(r'<nav class="languages"><a href="([^"]+)" hreflang="en" lang="en">'
                     r'English</a></nav>', spanish_html)
    assert back and back.group(1) == path
    assert page(client, switch.group(1)) == spanish_html  # the link leads to that very page


def test_spanish_home_is_in_spanish_and_links_stay_spanish(client, spanish):
    html = page(client, "/es/")
    assert "Unos minutos para ti" in html and "¿Cuánto tiempo tienes?" in html
    headings = re.findall(r'<h2 id="need-\d+">([^<]+)</h2>', html)
    assert headings[:2] == ["Entre pacientes", "Cuando todo es demasiado"]
    for practice in spanish.practices:
        assert practice.title in html and practice.language == "es"
        assert f'href="/es/practices/{practice.practice_id}"' in html
        for variant in practice.variants:
            assert f'src="{SITE}/audio/{variant.file}"' in html
            assert f'href="/es/download/{practice.practice_id}-{variant.minutes}.mp3"' in html
    assert 'href="/es/feed.xml"' in html and 'href="/es/download/all.zip"' in html
    assert 'href="/es/playlist.m3u"' in html and f"{SITE}/es/feed.xml" in html
    # 988 answers in Spanish on option 2: the Spanish pages say how to reach it
    assert 'No es un servicio de crisis.' in html
    assert '<a href="tel:988">988</a>, y oprime el 2 para español' in html
    for url in re.findall(r'href="(/[^"]*)"', html):  # every link stays in Spanish
        assert url.startswith(("/es/", "/assets/", "/icons/")) or url == "/", url


def test_spanish_words_replace_every_english_sentence(client):
    html = page(client, "/es/")
    for english_only in ("A few minutes for you", "Other ways to listen", "Save for offline",
                         "Skip to the practices", "Not a crisis service", "Download"):
        assert english_only not in html, english_only


def test_crisis_line_of_its_own_for_spanish(app_config):
    from voice_app import create_app

    client = create_app({**app_config, "CRISIS_LINE_ES": "+1 888 628 9454"}).test_client()
    html = page(client, "/es/")
    assert '<a href="tel:+18886289454">+1 888 628 9454</a>' in html
    assert "oprime el 2" not in html
    assert '<a href="tel:988">988</a>' in page(client, "/")


def test_spanish_practice_page_has_its_transcript(client, spanish):
    practice = spanish.get("loving-kindness")
    html = page(client, "/es/practices/loving-kindness")
    assert f"<h1>{practice.title}</h1>" in html and "Transcripción" in html
    for step in practice.steps:
        for sentence in step.text:
            assert f"<p>{sentence}</p>" in html
    for variant in practice.variants:
        for chapter in variant.chapters:
            assert f'<span class="step">{chapter.title}</span>' in html
    assert "Todas las prácticas" in html and 'href="/es/"' in html


def test_unknown_language_is_404_and_english_has_no_prefix(client):
    assert client.get("/de/").status_code == 404
    assert client.get("/fr/practices/loving-kindness").status_code == 404
    assert client.get("/es/practices/no-such-practice").status_code == 404
    moved = client.get("/en/")
    assert moved.status_code in (301, 308) and moved.headers["Location"].endswith("/")


def test_spanish_feed_is_a_valid_podcast_of_spanish_episodes(client, spanish, english):
    response = client.get("/es/feed.xml")
    assert response.status_code == 200 and response.mimetype == "application/rss+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.language == "es" and parsed.feed.title == "Compassion Break"
    assert "No es un servicio de crisis" in parsed.feed.subtitle
    episodes = {entry.id: entry for entry in parsed.entries}
    assert len(episodes) == sum(len(p.variants) for p in spanish.practices)
    for practice in spanish.practices:
        for variant in practice.variants:
            entry = episodes[f"urn:compassion-break:es:{practice.practice_id}:"
                             f"{variant.minutes}-min"]
            assert entry.title == f"{practice.title} ({variant.minutes} min)"
            assert entry.link == f"{SITE}/es/practices/{practice.practice_id}"
            assert entry.enclosures[0].href == f"{SITE}/audio/{variant.file}"
    english_ids = {e.id for e in feedparser.parse(client.get("/feed.xml").data).entries}
    assert not english_ids & set(episodes)  # two feeds, no episode shared
    chapters = client.get("/es/chapters/loving-kindness-5.json").get_json(force=True)
    assert chapters["title"] == f"{spanish.get('loving-kindness').title} (5 min)"


def test_spanish_playlist_and_zip_hold_the_spanish_files(client, spanish, built_library):
    playlist = page(client, "/es/playlist.m3u")
    files = [line for line in playlist.splitlines() if line.startswith(SITE)]
    assert files == [f"{SITE}/audio/{v.file}" for p in _page_order(spanish)
                     for v in p.variants]
    with client.get("/es/download/all.zip") as response:
        assert response.status_code == 200
        data = response.get_data()
        assert int(response.headers["Content-Length"]) == len(data)
    top = "Compassion Break (es)"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for practice in spanish.practices:
            transcript = archive.read(f"{top}/Transcripciones/{practice.title}.txt").decode()
            assert practice.steps[0].text[0] in transcript
            for variant in practice.variants:
                name = f"{top}/{practice.title} ({variant.minutes} min).mp3"
                assert archive.read(name) == (built_library / variant.file).read_bytes()
        about = archive.read(f"{top}/About.txt").decode()
        assert "no es un servicio de crisis" in about.lower() and "oprime el 2" in about
    title = spanish.get("loving-kindness").title
    with client.get("/es/download/loving-kindness-5.mp3") as download:
        assert f'filename="{title} (5 min).mp3"' in download.headers["Content-Disposition"]


def _page_order(catalog):
    from voice_app.web import listing

    return [shown.practice for section in listing.sections(catalog, None)
            for shown in section.items]


def test_offline_app_serves_both_languages(client):
    worker = page(client, "/sw.js")
    assert '"/"' in worker and '"/es/"' in worker and '"/es/manifest.webmanifest"' in worker
    assert '{"en": "/", "es": "/es/"}' in worker
    assert "no-store" in worker  # a listener's own pages are never kept offline
    manifest = client.get("/es/manifest.webmanifest").get_json(force=True)
    assert manifest["lang"] == "es" and manifest["start_url"] == "/es/"
    assert "señal" in manifest["description"]
    assert client.get("/manifest.webmanifest").get_json(force=True)["start_url"] == "/"


def test_pages_are_cached_per_language(client):
    first = client.get("/")
    spanish = client.get("/es/")
    assert first.headers["ETag"] != spanish.headers["ETag"]
    assert client.get("/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert b'lang="en"' in client.get("/").data  # the Spanish render did not replace it


def test_privacy_notice_and_terms_in_spanish(client):
    privacy = page(client, "/es/privacy")
    assert '<h1 id="page-title">Aviso de privacidad</h1>' in privacy
    assert "se borran después de 400 días" in privacy and "en 1 día" in privacy
    assert 'href="/es/checkins">la página de tus check-ins</a>' in privacy
    assert "HMAC-SHA-256" in privacy and "Delete my check-ins" not in privacy
    terms = page(client, "/es/terms")
    assert '<h1 id="page-title">Condiciones de uso</h1>' in terms
    assert 'href="/es/privacy">aviso de privacidad</a>' in terms
    assert "Terms of use" not in terms
