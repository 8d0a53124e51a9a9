"""The podcast feed, read back by feedparser (an independent podcast client library) and as XML."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import feedparser
import pytest

from voice_app.catalog import parse_catalog

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
SITE = "https://compassion.example.test"


@pytest.fixture
def catalog(built_library):
    return parse_catalog((built_library / "catalog.json").read_text())


@pytest.fixture
def feed_xml(client) -> bytes:
    response = client.get("/feed.xml")
    assert response.status_code == 200 and response.mimetype == "application/rss+xml"
    return response.data


def expected_episodes(catalog):
    return {f"urn:compassion-break:{p.practice_id}:{v.minutes}-min": (p, v)
            for p in catalog.practices for v in p.variants}


def test_feedparser_reads_every_episode(feed_xml, catalog):
    parsed = feedparser.parse(feed_xml)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "Compassion Break" and parsed.feed.language == "en"
    assert parsed.feed.image.href == f"{SITE}/cover.png"
    assert parsed.feed.author == "Compassion Break"
    assert [t["term"] for t in parsed.feed.tags] == ["Health & Fitness", "Mental Health"]
    wanted = expected_episodes(catalog)
    assert sorted(entry.id for entry in parsed.entries) == sorted(wanted)
    for entry in parsed.entries:
        practice, variant = wanted[entry.id]
        assert entry.title == f"{practice.title} ({variant.minutes} min)"
        assert entry.guidislink is False
        (enclosure,) = entry.enclosures
        assert enclosure.href == f"{SITE}/audio/{variant.file}"
        assert enclosure.type == "audio/mpeg"
        assert int(enclosure.length) == variant.bytes
        minutes, seconds = divmod(round(variant.duration_ms / 1000), 60)
        assert entry.itunes_duration == f"{minutes}:{seconds:02d}"
        assert entry.summary == practice.summary
        assert entry.link == f"{SITE}/practices/{practice.practice_id}"
        assert entry.published_parsed is not None


def test_feed_xml_has_the_itunes_and_podcast_elements(feed_xml, catalog):
    assert b'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"' in feed_xml
    assert b'xmlns:podcast="https://podcastindex.org/namespace/1.0"' in feed_xml
    assert b'length="None"' not in feed_xml
    channel = ET.fromstring(feed_xml).find("channel")
    assert channel.findtext(f"{ITUNES}explicit") == "false"
    assert channel.find(f"{ITUNES}image").get("href") == f"{SITE}/cover.png"
    category = channel.find(f"{ITUNES}category")
    assert category.get("text") == "Health & Fitness"
    assert category.find(f"{ITUNES}category").get("text") == "Mental Health"
    assert channel.findtext(f"{ITUNES}author") == "Compassion Break"
    assert channel.findtext(f"{PODCAST}license") == "cc-by-sa-4.0"
    items = channel.findall("item")
    assert len(items) == sum(len(p.variants) for p in catalog.practices)
    for item in items:
        chapters = item.find(f"{PODCAST}chapters")
        assert chapters.get("type") == "application/json+chapters"
        assert chapters.get("url").startswith(f"{SITE}/chapters/")
        assert item.find(f"{PODCAST}transcript").get("url").endswith("#transcript")
        assert item.findtext(f"{ITUNES}duration")


def test_chapters_json_matches_the_catalog(client, catalog):
    practice = catalog.get("loving-kindness")
    variant = practice.variant(5)
    response = client.get("/chapters/loving-kindness-5.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json+chapters"
    body = response.get_json(force=True)
    assert body["version"] == "1.2.0"
    assert [c["title"] for c in body["chapters"]] == [c.title for c in variant.chapters]
    assert [c["startTime"] for c in body["chapters"]] == [
        c.start_ms / 1000 for c in variant.chapters]
    assert client.get("/chapters/loving-kindness-7.json").status_code == 404
    assert client.get("/chapters/nothing-here-5.json").status_code == 404


def test_cover_is_a_square_png_apple_accepts(client):
    response = client.get("/cover.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    data = response.data
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert width == height and 1400 <= width <= 3000
    assert (depth, colour) == (8, 2)  # 8-bit RGB: no alpha, no CMYK
    again = client.get("/cover.png", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
